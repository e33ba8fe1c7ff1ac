#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>

#include "cluster/records.h"
#include "purge/purge_store.h"
#include "storage/state_db.h"

using namespace lacquer;
using namespace lacquer::cluster;

namespace {
std::string temp_dir() {
  return (std::filesystem::temp_directory_path() /
          ("lacquer-cluster-test-" + std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())))
      .string();
}

bool persist(purge::PurgeStore& store, std::vector<purge::PurgeRecord> r, std::vector<purge::SideWrite> side) {
  std::promise<bool> p;
  store.persist(std::move(r), std::move(side), [&](bool ok) { p.set_value(ok); });
  return p.get_future().get();
}
}  // namespace

TEST_CASE("field encoding round-trips any bytes and refuses truncation", "[cluster]") {
  Fields f = {{"v", "1"}, {"tags", std::string("a\0b\n c", 6)}, {"", ""}};
  auto enc = encode_fields(f);
  CHECK(decode_fields(enc) == f);
  for (std::size_t cut = 1; cut < enc.size(); ++cut) {
    auto d = decode_fields(std::string_view(enc).substr(0, cut));
    if (d) CHECK(d->size() < f.size());  // only whole fields, never a torn one
  }
}

TEST_CASE("outbox entries and the position commit with the purge and survive a reopen", "[cluster]") {
  auto dir = temp_dir();
  {
    auto db = storage::StateDb::open(dir);
    purge::VersionTable table;
    purge::PurgeStore store(db->db(), db->purge_cf(), table);
    auto r1 = table.apply(purge::Scope::Tag, 1, false);
    auto r2 = table.apply(purge::Scope::Tag, 2, false);
    // Queued out of order: the outbox is read in sequence order anyway.
    REQUIRE(persist(store, {r2}, {outbox_write(r2.seq, {{"v", "1"}, {"tags", "b"}})}));
    REQUIRE(persist(store, {r1}, {outbox_write(r1.seq, {{"v", "1"}, {"tags", "a"}}), position_write({77, 1})}));
  }
  auto db = storage::StateDb::open(dir);
  purge::VersionTable table;
  CHECK(purge::PurgeStore::load(db->db(), db->purge_cf(), table) == 2);  // side records skipped
  RecordStore records(db->db(), db->purge_cf());
  CHECK(records.position() == StreamId{77, 1});
  auto out = records.outbox(10);
  REQUIRE(out.size() == 2);
  CHECK(out[0].seq == 1);
  CHECK(out[0].fields[1].second == "a");
  CHECK(out[1].seq == 2);
  CHECK(records.outbox_size() == 2);
  CHECK(records.outbox(1).size() == 1);
  REQUIRE(records.erase({1}));
  CHECK(records.outbox_size() == 1);
  CHECK(records.outbox(10)[0].seq == 2);
  db.reset();
  std::filesystem::remove_all(dir);
}

TEST_CASE("a failed purge write loses its side writes too", "[cluster]") {
  auto dir = temp_dir();
  auto db = storage::StateDb::open(dir);
  purge::VersionTable table;
  {
    purge::PurgeStore store(db->db(), db->purge_cf(), table);
    store.fail_writes_for_testing(true);
    auto r = table.apply(purge::Scope::Tag, 1, false);
    CHECK_FALSE(persist(store, {r}, {outbox_write(r.seq, {{"v", "1"}}), position_write({5, 0})}));
  }
  RecordStore records(db->db(), db->purge_cf());
  CHECK(records.outbox_size() == 0);
  CHECK_FALSE(records.position());
  db.reset();
  std::filesystem::remove_all(dir);
}
