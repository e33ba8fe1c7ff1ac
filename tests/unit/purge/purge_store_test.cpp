#include <catch2/catch.hpp>

#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>

#include "purge/purge_store.h"
#include "storage/state_db.h"

using namespace lacquer;
using namespace lacquer::purge;

namespace {
std::string temp_dir() {
  auto base = std::filesystem::temp_directory_path() / ("lacquer-purge-test-" + std::to_string(::getpid()) + "-" +
                                                         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  return base.string();
}

bool persist_and_wait(PurgeStore& store, const PurgeRecord& r) {
  std::promise<bool> p;
  store.persist(r, [&](bool ok) { p.set_value(ok); });
  return p.get_future().get();
}
}  // namespace

TEST_CASE("persisted purges and the counter come back after reopening") {
  auto dir = temp_dir();
  {
    auto db = storage::StateDb::open(dir);
    VersionTable table;
    PurgeStore store(db->db(), db->purge_cf(), table);
    REQUIRE(persist_and_wait(store, table.apply(Scope::Tag, 42, false)));
    REQUIRE(persist_and_wait(store, table.apply(Scope::Url, 7, true)));
    REQUIRE(persist_and_wait(store, table.apply(Scope::Global, 0, false)));
  }
  {
    auto db = storage::StateDb::open(dir);
    VersionTable table;
    CHECK(PurgeStore::load(db->db(), db->purge_cf(), table) == 3);
    CHECK(table.get(Scope::Tag, 42).hard == 1);
    CHECK(table.get(Scope::Url, 7).soft == 2);
    CHECK(table.get(Scope::Global, 0).hard == 3);
    CHECK(table.current_seq() == 3 + PurgeStore::kRestartGap);  // see the next case
    CHECK(table.apply(Scope::Tag, 1, false).seq == 4 + PurgeStore::kRestartGap);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a number handed out by a purge that never became durable is not handed out again") {
  auto dir = temp_dir();
  std::uint64_t lost = 0, born_after = 0;
  {
    auto db = storage::StateDb::open(dir);
    VersionTable table;
    CHECK(PurgeStore::load(db->db(), db->purge_cf(), table) == 0);
    CHECK(table.current_seq() == 0);  // a new store starts at 0
    lost = table.apply(Scope::Tag, 9, false).seq;  // the process dies before it is written
    born_after = table.current_seq();              // an entry whose request went out after it
    CHECK(born_after == lost);
  }
  {
    auto db = storage::StateDb::open(dir);
    VersionTable table;
    PurgeStore::load(db->db(), db->purge_cf(), table);
    PurgeRecord next = table.apply(Scope::Tag, 1, false);
    CHECK(next.seq > born_after);  // so the entry is older than this purge, and it is reached
  }
  {
    auto db = storage::StateDb::open(dir);  // the gap was written, not only applied in memory
    VersionTable table;
    PurgeStore::load(db->db(), db->purge_cf(), table);
    CHECK(table.current_seq() >= 2 * PurgeStore::kRestartGap);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("many purges queued together share synced batches") {
  auto dir = temp_dir();
  auto db = storage::StateDb::open(dir);
  VersionTable table;
  PurgeStore store(db->db(), db->purge_cf(), table);
  std::atomic<int> done{0};
  std::promise<void> all;
  const int n = 500;
  for (int i = 0; i < n; ++i)
    store.persist(table.apply(Scope::Tag, i, false), [&](bool ok) {
      REQUIRE(ok);
      if (++done == n) all.set_value();
    });
  all.get_future().wait();
  CHECK(store.batches() < static_cast<std::uint64_t>(n));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a failed write is reported, never acknowledged") {
  auto dir = temp_dir();
  auto db = storage::StateDb::open(dir);
  VersionTable table;
  PurgeStore store(db->db(), db->purge_cf(), table);
  store.fail_writes_for_testing(true);
  CHECK_FALSE(persist_and_wait(store, table.apply(Scope::Tag, 1, false)));
  CHECK(store.failures() == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a second process cannot open the same state directory") {
  auto dir = temp_dir();
  auto first = storage::StateDb::open(dir);
  try {
    storage::StateDb::open(dir);
    FAIL("second open succeeded");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("already in use") != std::string::npos);
    CHECK(std::string(e.what()).find(dir) != std::string::npos);
  }
  first.reset();
  std::filesystem::remove_all(dir);
}
