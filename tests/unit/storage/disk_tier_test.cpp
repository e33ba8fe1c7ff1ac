#include <catch2/catch.hpp>

#include <rocksdb/db.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "storage/disk_tier.h"
#include "storage/entry_codec.h"
#include "storage/state_db.h"

using namespace lacquer::storage;

namespace {
std::string temp_dir() {
  return (std::filesystem::temp_directory_path() /
          ("lacquer-disk-test-" + std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())))
      .string();
}
EntryRef entry(const std::string& key, std::size_t body, std::uint64_t birth = 1) {
  EntryMeta m;
  m.response_time = static_cast<std::int64_t>(std::time(nullptr));  // else the filter finds it long expired
  m.lifetime_s = 60;
  m.birth_seq = birth;
  static const std::uint64_t tags[] = {1, 2};
  return Entry::create(key, 5, "HTTP/1.1 200 OK\r\n", std::string(body, 'z'), m, tags);
}
void wait_written(const DiskTier& d, std::uint64_t n) {
  for (int i = 0; i < 500 && d.stats().writes.load() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(d.stats().writes.load() >= n);
}
EntryRef lookup(DiskTier& d, const std::string& key) {
  std::promise<EntryRef> p;
  d.lookup(key, 77, [&](EntryRef e) { p.set_value(std::move(e)); });
  return p.get_future().get();
}
}  // namespace

TEST_CASE("disk tier: stored entries come back, across a reopen") {
  auto dir = temp_dir();
  {
    auto db = StateDb::open(dir);
    DiskTier disk(*db);
    disk.store(entry("http://a/1", 100, 9));
    disk.store(entry("http://a/2", 200));
    wait_written(disk, 2);
    auto e = lookup(disk, "http://a/1");
    REQUIRE(e);
    CHECK(e->body().size() == 100);
    CHECK(e->hash() == 77);
    CHECK_FALSE(lookup(disk, "http://a/3"));
    CHECK(disk.stats().hits.load() == 1);
    CHECK(disk.stats().misses.load() == 1);
  }
  {
    auto db = StateDb::open(dir);
    DiskTier disk(*db);
    auto e = lookup(disk, "http://a/1");
    REQUIRE(e);
    CHECK(e->meta().birth_seq == 9);
    CHECK(std::vector<std::uint64_t>(e->tags().begin(), e->tags().end()) == std::vector<std::uint64_t>{1, 2});
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("disk tier: a corrupt record is a miss, deleted and counted") {
  auto dir = temp_dir();
  auto db = StateDb::open(dir);
  DiskTier disk(*db);
  std::string rec;
  encode_entry(*entry("http://a/x", 50).get(), rec);
  rec[rec.size() / 2] ^= 1;
  REQUIRE(db->db()->Put(rocksdb::WriteOptions(), db->entries_cf(), disk_key("http://a/x"), rec).ok());
  CHECK_FALSE(lookup(disk, "http://a/x"));
  CHECK(disk.stats().corrupt.load() == 1);
  for (int i = 0; i < 500 && disk.stats().erases.load() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::string value;
  for (int i = 0; i < 500; ++i) {
    if (db->db()->Get(rocksdb::ReadOptions(), db->entries_cf(), disk_key("http://a/x"), &value).IsNotFound()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(db->db()->Get(rocksdb::ReadOptions(), db->entries_cf(), disk_key("http://a/x"), &value).IsNotFound());
  std::filesystem::remove_all(dir);
}

TEST_CASE("disk tier: erase removes an entry") {
  auto dir = temp_dir();
  auto db = StateDb::open(dir);
  DiskTier disk(*db);
  disk.store(entry("http://a/e", 10));
  wait_written(disk, 1);
  disk.erase("http://a/e");
  for (int i = 0; i < 500 && disk.stats().erases.load() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK_FALSE(disk.read_now("http://a/e", 1));
  std::filesystem::remove_all(dir);
}

TEST_CASE("disk tier: once the disk holds its budget, admission wants a second fetch; writes are reported") {
  auto dir = temp_dir();
  {
    auto db = StateDb::open(dir, 1 << 20);
    DiskTier disk(*db);
    std::mt19937_64 rng(1);
    auto random_entry = [&](std::uint64_t i) {  // incompressible: the disk holds what was written
      std::string body(64 * 1024, '\0');
      for (auto& c : body) c = static_cast<char>(rng());
      EntryMeta m;
      m.response_time = static_cast<std::int64_t>(std::time(nullptr));
      m.lifetime_s = 60;
      return Entry::create("http://b/" + std::to_string(i), 1000 + i, "HTTP/1.1 200 OK\r\n", body, m);
    };
    std::uint64_t stored = 0;
    for (std::uint64_t i = 0; i < 24; ++i) {
      auto e = random_entry(i);
      REQUIRE(disk.admit(*e.get()));  // the disk has not filled yet: everything is admitted
      disk.store(e);
      wait_written(disk, ++stored);
      if (disk.admission().disk_filled()) break;
    }
    REQUIRE(disk.admission().disk_filled());
    auto fresh = random_entry(100);
    CHECK_FALSE(disk.admit(*fresh.get()));  // first fetch
    CHECK(disk.admit(*fresh.get()));        // second fetch
    CHECK(disk.admission().stats().rejected.load() == 1);
    CHECK(db->memtable_bytes() > 0);
    REQUIRE(db->db()->Flush(rocksdb::FlushOptions(), db->entries_cf()).ok());
    CHECK(db->entries_table_bytes_written() > 0);
  }
  {
    auto db = StateDb::open(dir, 1 << 20);
    DiskTier disk(*db);  // a full disk stays full across a restart
    CHECK(disk.admission().disk_filled());
  }
  std::filesystem::remove_all(dir);
}

namespace {
std::uint64_t wal_bytes(const std::string& dir) {
  std::uint64_t total = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir))
    if (f.path().extension() == ".log") total += f.file_size();
  return total;
}
}  // namespace

TEST_CASE("disk tier: entries skip the WAL; purges still use it") {
  auto dir = temp_dir();
  auto db = StateDb::open(dir);
  const std::uint64_t before = wal_bytes(dir);
  DiskTierOptions o;
  o.idle_flush_after = std::chrono::hours(1);  // nothing flushed behind the test's back
  DiskTier disk(*db, o);
  for (int i = 0; i < 64; ++i) disk.store(entry("http://wal/" + std::to_string(i), 16 << 10));
  wait_written(disk, 64);
  CHECK(db->entries_unflushed() >= 64);     // in the memtable, nowhere else yet
  CHECK(wal_bytes(dir) - before < 4096);    // 1 MiB of entries, none of it logged
  // A write to the purge family is still logged.
  REQUIRE(db->db()->Put(rocksdb::WriteOptions(), db->purge_cf(), "k", std::string(8192, 'p')).ok());
  CHECK(wal_bytes(dir) - before >= 8192);
}

TEST_CASE("disk tier: once writes stop, the writer flushes the memtable, at most once per interval") {
  auto dir = temp_dir();
  auto db = StateDb::open(dir);
  DiskTierOptions o;
  o.idle_flush_after = std::chrono::milliseconds(50);
  o.idle_flush_every = std::chrono::hours(1);
  DiskTier disk(*db, o);
  disk.store(entry("http://idle/1", 1000));
  wait_written(disk, 1);
  for (int i = 0; i < 500 && db->entries_unflushed() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(db->entries_unflushed() == 0);
  CHECK(disk.stats().idle_flushes.load() == 1);
  CHECK(db->entries_table_bytes_written() > 1000);
  // A second write within the interval stays in the memtable (no file per trickled write).
  disk.store(entry("http://idle/2", 1000));
  wait_written(disk, 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(disk.stats().idle_flushes.load() == 1);
  CHECK(db->entries_unflushed() == 1);
  CHECK(lookup(disk, "http://idle/1"));
  CHECK(lookup(disk, "http://idle/2"));
}
