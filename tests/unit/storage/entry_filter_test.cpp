// The compaction filter on a real RocksDB: what it drops (expired past every allowance, purged,
// undecodable), what it keeps, and that it really runs on flushes and scrubber rewrites but not
// on FIFO's own CompactRange.
#include <catch2/catch.hpp>

#include <rocksdb/db.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <set>

#include "storage/disk_records.h"
#include "storage/disk_scrubber.h"
#include "storage/entry_codec.h"
#include "storage/entry_filter.h"
#include "storage/state_db.h"

using namespace lacquer::storage;

namespace {

std::string temp_dir() {
  return (std::filesystem::temp_directory_path() /
          std::string("lacquer-filter-test-")
              .append(std::to_string(::getpid()))
              .append("-")
              .append(std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())))
      .string();
}

const std::int64_t kNow = static_cast<std::int64_t>(std::time(nullptr));
constexpr std::uint64_t kPurgedTag = 666;

std::string record(const std::string& key, std::int64_t response_time, std::uint32_t lifetime,
                   std::uint64_t birth, std::vector<std::uint64_t> tags = {}, std::uint32_t stale = 0) {
  EntryMeta m;
  m.response_time = response_time;
  m.lifetime_s = lifetime;
  m.birth_seq = birth;
  m.stale_if_error_s = stale;
  std::string out;
  encode_entry(*Entry::create(key, 1, "HTTP/1.1 200 OK\r\n", "body", m, tags).get(), out);
  return out;
}

// Tag 666 was hard-purged at sequence 10.
EntryFilterConfig config(std::int64_t keep = 0) {
  EntryFilterConfig c;
  c.keep_expired_s = keep;
  c.purged = [](const EntryMeta& m, std::string_view, std::span<const std::uint64_t> tags) {
    for (auto t : tags)
      if (t == kPurgedTag && m.birth_seq < 10) return true;
    return false;
  };
  c.purge_seq = [] { return std::uint64_t{10}; };
  return c;
}

struct Db {
  std::string dir = temp_dir();
  std::unique_ptr<StateDb> db;
  explicit Db(EntryFilterConfig c = config()) { db = StateDb::open(dir, StateDbOptions{1ull << 30, std::move(c)}); }
  ~Db() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  void put(const std::string& key_text, const std::string& value) {
    REQUIRE(db->db()->Put(rocksdb::WriteOptions(), db->entries_cf(), disk_key(key_text), value).ok());
  }
  bool has(const std::string& key_text) {
    std::string v;
    return db->db()->Get(rocksdb::ReadOptions(), db->entries_cf(), disk_key(key_text), &v).ok();
  }
  void flush() { REQUIRE(db->db()->Flush(rocksdb::FlushOptions(), db->entries_cf()).ok()); }
  std::size_t files() {
    rocksdb::ColumnFamilyMetaData meta;
    db->db()->GetColumnFamilyMetaData(db->entries_cf(), &meta);
    return meta.file_count;
  }
};

}  // namespace

TEST_CASE("judge_record: expiry counts every stale allowance and the keep time") {
  EntryFilterContext ctx(config(100));
  auto verdict = [&](const std::string& rec) { return judge_record(ctx, disk_key("k"), rec, kNow); };
  CHECK(verdict(record("http://h/fresh", kNow, 60, 20)) == FilterVerdict::Keep);
  // Expired 200 s ago: past the 100 s keep.
  CHECK(verdict(record("http://h/old", kNow - 260, 60, 20)) == FilterVerdict::Expired);
  // Expired 50 s ago: still within keep.
  CHECK(verdict(record("http://h/kept", kNow - 110, 60, 20)) == FilterVerdict::Keep);
  // Expired 200 s ago, but stale-if-error covers another 1000 s.
  CHECK(verdict(record("http://h/sie", kNow - 260, 60, 20, {}, 1000)) == FilterVerdict::Keep);
  CHECK(verdict(record("http://h/p", kNow, 60, 5, {1, kPurgedTag})) == FilterVerdict::Purged);
  CHECK(verdict(record("http://h/p2", kNow, 60, 10, {kPurgedTag})) == FilterVerdict::Keep);  // born at the purge
  CHECK(verdict("garbage") == FilterVerdict::Undecodable);
  CHECK(judge_record(ctx, chunk_key(disk_key("k"), 1, 0), "chunk bytes", kNow) == FilterVerdict::Keep);
}

TEST_CASE("judge_record: records born after the newest purge are not decoded for the purge check") {
  EntryFilterConfig c = config();
  int calls = 0;
  c.purged = [&calls](const EntryMeta&, std::string_view, std::span<const std::uint64_t>) { ++calls; return true; };
  EntryFilterContext ctx(std::move(c));
  CHECK(judge_record(ctx, disk_key("k"), record("http://h/a", kNow, 60, 10), kNow) == FilterVerdict::Keep);
  CHECK(calls == 0);
  CHECK(judge_record(ctx, disk_key("k"), record("http://h/a", kNow, 60, 9), kNow) == FilterVerdict::Purged);
  CHECK(calls == 1);
}

TEST_CASE("a flush drops what is already purged or expired, and counts it") {
  Db d;
  d.put("http://h/valid", record("http://h/valid", kNow, 3600, 20, {kPurgedTag}));
  d.put("http://h/expired", record("http://h/expired", kNow - 7200, 60, 20));
  d.put("http://h/purged", record("http://h/purged", kNow, 3600, 3, {7, kPurgedTag}));
  d.put("http://h/older-format", std::string("\x01 an old record", 15));
  d.flush();
  CHECK(d.has("http://h/valid"));
  CHECK_FALSE(d.has("http://h/expired"));
  CHECK_FALSE(d.has("http://h/purged"));
  CHECK_FALSE(d.has("http://h/older-format"));
  const auto& st = d.db->entry_filter().stats();
  CHECK(st.expired.load() == 1);
  CHECK(st.purged.load() == 1);
  CHECK(st.undecodable.load() == 1);
}

TEST_CASE("FIFO's own CompactRange does not run the filter; the scrubber's rewrite does") {
  // The filter's verdict depends on the clock: records written "fresh" expire when it moves on.
  auto clock = std::make_shared<std::atomic<std::int64_t>>(kNow);
  EntryFilterConfig c = config();
  c.now = [clock] { return clock->load(); };
  Db d(std::move(c));
  for (int i = 0; i < 50; ++i) {
    std::string k = std::string("http://h/short").append(std::to_string(i));
    d.put(k, record(k, kNow, 60, 20));
    std::string l = std::string("http://h/long").append(std::to_string(i));
    d.put(l, record(l, kNow, 86400, 20));
  }
  d.flush();
  REQUIRE(d.files() == 1);
  clock->store(kNow + 3600);  // the short ones are now an hour past expiry
  REQUIRE(d.db->db()->CompactRange(rocksdb::CompactRangeOptions(), d.db->entries_cf(), nullptr, nullptr).ok());
  CHECK(d.has("http://h/short0"));  // FIFO compaction only deletes whole files: nothing dropped
  CHECK(d.db->entry_filter().stats().expired.load() == 0);

  DiskScrubber scrubber(*d.db, ScrubOptions{std::chrono::milliseconds(0)});
  CHECK(scrubber.scrub_once());  // half the bytes expired: over the 1/4 threshold
  for (int i = 0; i < 50; ++i) {
    CHECK_FALSE(d.has(std::string("http://h/short").append(std::to_string(i))));
    CHECK(d.has(std::string("http://h/long").append(std::to_string(i))));
  }
  CHECK(d.db->entry_filter().stats().expired.load() == 50);
  CHECK(scrubber.stats().rewrites.load() == 1);
  CHECK(scrubber.stats().bytes_out.load() < scrubber.stats().bytes_in.load());
  CHECK_FALSE(scrubber.scrub_once());  // nothing left worth rewriting
}

TEST_CASE("a purged record is dropped by the scrubber's rewrite, and a dropped newer version hides the older one") {
  auto purge_seq = std::make_shared<std::atomic<std::uint64_t>>(0);
  EntryFilterConfig c;
  c.purged = [purge_seq](const EntryMeta& m, std::string_view, std::span<const std::uint64_t> tags) {
    for (auto t : tags)
      if (t == kPurgedTag && m.birth_seq < purge_seq->load()) return true;
    return false;
  };
  c.purge_seq = [purge_seq] { return purge_seq->load(); };
  Db d(std::move(c));
  // Version 1 (no tags) in an older file, version 2 (tagged) in a newer one.
  d.put("http://h/x", record("http://h/x", kNow, 3600, 1));
  d.put("http://h/keep", record("http://h/keep", kNow, 3600, 1, {1}));
  d.flush();
  d.put("http://h/x", record("http://h/x", kNow, 3600, 2, {kPurgedTag}));
  d.flush();
  REQUIRE(d.files() == 2);
  purge_seq->store(5);  // tag 666 purged after both were born

  DiskScrubber scrubber(*d.db, ScrubOptions{std::chrono::milliseconds(0), 0.25, 0});
  CHECK(scrubber.scrub_all() == 2);
  CHECK(d.db->entry_filter().stats().purged.load() == 1);
  // Version 2 was purged; version 1 (not tagged) must not come back in its place.
  CHECK_FALSE(d.has("http://h/x"));
  CHECK(d.has("http://h/keep"));
}

TEST_CASE("file summaries: octiles of useless_after, birth, purge sequence at write") {
  Db d;
  // Its own clock reading, and lifetimes long enough that a slow (sanitized, loaded) run cannot
  // see the short ones expire before the flush that writes the summary.
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  for (int i = 0; i < 80; ++i) {
    std::string k = std::string("http://h/").append(std::to_string(i));
    d.put(k, record(k, now, static_cast<std::uint32_t>(i < 40 ? 600 : 100000), 20 + i));
  }
  d.put("http://h/chunked", record("http://h/chunked", now, 100000, 20));
  REQUIRE(d.db->db()->Put(rocksdb::WriteOptions(), d.db->entries_cf(), chunk_key(disk_key("http://h/chunked"), 1, 0),
                          std::string(1000, 'c')).ok());
  d.flush();
  rocksdb::TablePropertiesCollection props;
  REQUIRE(d.db->db()->GetPropertiesOfAllTables(d.db->entries_cf(), &props).ok());
  REQUIRE(props.size() == 1);
  auto s = read_file_summary(props.begin()->second->user_collected_properties);
  REQUIRE(s);
  CHECK(s->entries == 81);
  CHECK(s->min_birth == 20);
  CHECK(s->purge_seq_at_write == 10);
  CHECK(s->chunk_bytes > 1000);
  CHECK(s->useless[0] == now + 600);
  CHECK(s->useless[7] == now + 100000);
  // An hour later about half the entry bytes are expired.
  double share = expired_share(*s, now + 3600, 0);
  CHECK(share > 0.3);
  CHECK(share < 0.5);
  CHECK(expired_share(*s, now, 0) == 0);
}
