// Large objects on a real RocksDB: streamed in 64 KiB appends with back-pressure, read back by
// range at chunk boundaries, checksums per chunk, abort and replacement leaving no chunks.
#include <catch2/catch.hpp>

#include <rocksdb/db.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "storage/disk_records.h"
#include "storage/disk_tier.h"
#include "storage/large_object.h"
#include "storage/memory_tier.h"
#include "storage/state_db.h"

using namespace lacquer::storage;

namespace {

std::string temp_dir() {
  return (std::filesystem::temp_directory_path() /
          std::string("lacquer-large-test-")
              .append(std::to_string(::getpid()))
              .append("-")
              .append(std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())))
      .string();
}

// Byte i of a test body: not periodic in the chunk size, so a chunk in the wrong place shows.
char byte_at(std::uint64_t i, std::uint64_t salt = 0) {
  std::uint64_t x = (i + salt) * 0x9e3779b97f4a7c15ull;
  return static_cast<char>(x >> 56);
}
std::string expected(std::uint64_t from, std::uint64_t to, std::uint64_t salt = 0) {
  std::string s;
  s.reserve(to - from);
  for (std::uint64_t i = from; i < to; ++i) s.push_back(byte_at(i, salt));
  return s;
}

struct Fixture {
  std::string dir = temp_dir();
  std::unique_ptr<StateDb> db = StateDb::open(dir);
  std::unique_ptr<DiskTier> disk;
  explicit Fixture(std::uint32_t chunk_bytes = kDefaultChunkBytes) {
    DiskTierOptions o;
    o.chunk_bytes = chunk_bytes;
    o.scrub.interval = std::chrono::milliseconds(0);
    // meta() is long expired: a flush (the writer's idle one, 2 s after the last write, can come
    // in the middle of a slow sanitizer run) would drop the manifest and the chunks with it.
    o.idle_flush_after = std::chrono::hours(1);
    disk = std::make_unique<DiskTier>(*db, o);
  }
  ~Fixture() {
    disk.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
  // Waits until the writer thread has emptied its queue (and finished the batch in hand).
  void settle() { disk->wait_idle_for_testing(); }
  // Every chunk record stored for this key, any generation.
  std::size_t chunk_records(const std::string& key_text) {
    std::string dk = disk_key(key_text);
    std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator(rocksdb::ReadOptions(), db->entries_cf()));
    std::size_t n = 0;
    for (it->Seek(dk); it->Valid() && it->key().starts_with(dk); it->Next()) n += is_chunk_key(it->key().ToStringView()) ? 1 : 0;
    return n;
  }
  std::optional<std::string> range(const std::string& key, std::uint64_t offset, std::uint64_t len) {
    std::promise<std::optional<std::string>> p;
    disk->read_large_range(key, offset, len, [&](std::optional<std::string> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
};

// Streams `size` bytes in `step`-byte appends, pausing whenever the writer says so.
std::unique_ptr<LargeObjectWriter> stream(DiskTier& disk, const std::string& key, std::uint64_t size,
                                          std::size_t step, std::uint64_t salt = 0,
                                          std::uint32_t* pauses = nullptr) {
  auto w = disk.begin_large(key);
  std::mutex mu;
  std::condition_variable cv;
  bool ready = false;
  w->on_ready([&] {
    std::lock_guard lock(mu);
    ready = true;
    cv.notify_one();
  });
  std::string buf;
  for (std::uint64_t at = 0; at < size; at += step) {
    std::uint64_t n = std::min<std::uint64_t>(step, size - at);
    buf.clear();
    for (std::uint64_t i = at; i < at + n; ++i) buf.push_back(byte_at(i, salt));
    if (!w->append(buf.data(), buf.size())) {
      if (pauses) ++*pauses;
      std::unique_lock lock(mu);
      REQUIRE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return ready; }));
      ready = false;
      REQUIRE(w->ready());
    }
  }
  w->on_ready(nullptr);  // the callback above refers to this frame
  return w;
}

EntryMeta meta() {
  EntryMeta m;
  m.response_time = 1700000000;
  m.lifetime_s = 3600;
  m.birth_seq = 4;
  m.status = 200;
  return m;
}

}  // namespace

TEST_CASE("100 MiB in 64 KiB appends: bounded, committed, read back by range at chunk boundaries") {
  Fixture f;
  const std::uint64_t size = 100ull << 20, chunk = kDefaultChunkBytes;
  const std::string key = "http://h/big";
  std::uint32_t pauses = 0;
  auto w = stream(*f.disk, key, size, 64 << 10, 0, &pauses);
  CHECK(w->bytes() == size);
  CHECK_FALSE(w->failed());
  // Not visible before the commit.
  f.settle();
  CHECK_FALSE(f.disk->read_now(key, 1));
  static const std::uint64_t tags[] = {11, 12};
  REQUIRE(w->commit(meta(), "HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n", tags));
  f.settle();
  CHECK(f.disk->stats().large_commits.load() == 1);
  CHECK(f.disk->stats().large_bytes.load() == size);

  auto e = f.disk->read_now(key, 1);
  REQUIRE(e);
  CHECK(e->meta().flags & kEntryLarge);
  CHECK(e->head() == "HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n");
  CHECK(e->tags().size() == 2);
  auto d = large_descriptor(*e.get());
  REQUIRE(d);
  CHECK(d->length == size);
  CHECK(d->chunks == 100);
  // The memory tier never takes the descriptor for a body.
  MemoryTier tier(1 << 30);
  CHECK_FALSE(tier.insert(e));

  CHECK(f.range(key, 0, 10) == expected(0, 10));
  CHECK(f.range(key, chunk - 3, 6) == expected(chunk - 3, chunk + 3));   // spans two chunks
  CHECK(f.range(key, chunk, chunk) == expected(chunk, 2 * chunk));       // exactly one chunk
  CHECK(f.range(key, 5 * chunk - 1, 2 * chunk + 2) == expected(5 * chunk - 1, 7 * chunk + 1));
  CHECK(f.range(key, size - 5, 100) == expected(size - 5, size));        // clamped at the end
  CHECK(f.range(key, size, 10) == std::string());
  CHECK_FALSE(f.range(key, size + 1, 10));
  CHECK_FALSE(f.range("http://h/none", 0, 10));
  std::promise<std::optional<std::string>> pinned;
  f.disk->read_large_range(*e.get(), 3 * chunk + 7, 9, [&](auto r) { pinned.set_value(std::move(r)); });
  CHECK(pinned.get_future().get() == expected(3 * chunk + 7, 3 * chunk + 16));
}

TEST_CASE("the writer pauses the caller when two chunks wait, and resumes it") {
  Fixture f(64 << 10);
  std::uint32_t pauses = 0;
  auto w = stream(*f.disk, "http://h/p", 8ull << 20, 256 << 10, 0, &pauses);
  // 256 KiB appends hand over four 64 KiB chunks each: more than two wait every time.
  CHECK(pauses > 0);
  CHECK(w->commit(meta(), "HTTP/1.1 200 OK\r\n", {}));
  f.settle();
  CHECK(f.range("http://h/p", (8ull << 20) - 1, 1) == expected((8ull << 20) - 1, 8ull << 20));
}

TEST_CASE("a caller that ignores back-pressure gets its object dropped, not unbounded memory") {
  Fixture f(64 << 10);
  f.disk->hold_writes_for_testing(true);  // the disk cannot keep up
  auto w = f.disk->begin_large("http://h/ignored");
  std::string block(64 << 10, 'x');
  int appends = 0;
  while (!w->failed() && appends < 64) {
    w->append(block.data(), block.size());
    ++appends;
  }
  CHECK(w->failed());
  CHECK(appends == static_cast<int>(kHardChunkLimit) + 1);  // the append after the limit
  CHECK_FALSE(w->commit(meta(), "HTTP/1.1 200 OK\r\n", {}));
  f.disk->hold_writes_for_testing(false);
  f.settle();
  CHECK_FALSE(f.disk->read_now("http://h/ignored", 1));
  CHECK(f.chunk_records("http://h/ignored") == 0);
}

TEST_CASE("a failed chunk write fails the object: nothing is published") {
  Fixture f(64 << 10);
  auto w = stream(*f.disk, "http://h/f", 256 << 10, 64 << 10);
  f.settle();
  f.disk->fail_writes_for_testing(true);
  std::string block(64 << 10, 'y');
  w->append(block.data(), block.size());  // a full chunk: handed over, and its write fails
  f.settle();
  CHECK(w->failed());
  f.disk->fail_writes_for_testing(false);
  CHECK_FALSE(w->commit(meta(), "HTTP/1.1 200 OK\r\n", {}));
  f.settle();
  CHECK_FALSE(f.disk->read_now("http://h/f", 1));
  CHECK(f.chunk_records("http://h/f") == 0);
  CHECK(f.disk->stats().write_errors.load() == 1);
}

TEST_CASE("a corrupt chunk fails the read, is counted, and drops the object") {
  Fixture f(64 << 10);
  const std::string key = "http://h/c";
  auto w = stream(*f.disk, key, 1 << 20, 64 << 10);
  REQUIRE(w->commit(meta(), "HTTP/1.1 200 OK\r\n", {}));
  f.settle();
  auto d = large_descriptor(*f.disk->read_now(key, 1).get());
  REQUIRE(d);
  std::string ck = chunk_key(disk_key(key), d->generation, 3);
  std::string stored;
  REQUIRE(f.db->db()->Get(rocksdb::ReadOptions(), f.db->entries_cf(), ck, &stored).ok());
  stored[100] ^= 1;
  REQUIRE(f.db->db()->Put(rocksdb::WriteOptions(), f.db->entries_cf(), ck, stored).ok());

  CHECK(f.range(key, 0, 64 << 10) == expected(0, 64 << 10));  // chunk 0 is fine
  CHECK_FALSE(f.range(key, (3 << 16) + 5, 10));
  CHECK(f.disk->stats().corrupt.load() == 1);
  CHECK(f.disk->stats().large_read_failures.load() == 1);
  f.settle();
  CHECK_FALSE(f.disk->read_now(key, 1));       // the manifest is gone: the next lookup misses
  CHECK(f.chunk_records(key) == 0);            // and its chunks with it
}

TEST_CASE("abort leaves nothing, and a destroyed writer aborts") {
  Fixture f(64 << 10);
  {
    auto w = stream(*f.disk, "http://h/a", 1 << 20, 64 << 10);
    w->abort();
  }
  { auto w = stream(*f.disk, "http://h/b", 300 << 10, 64 << 10); }  // dropped without commit
  f.settle();
  CHECK_FALSE(f.disk->read_now("http://h/a", 1));
  CHECK_FALSE(f.disk->read_now("http://h/b", 1));
  CHECK(f.chunk_records("http://h/a") == 0);
  CHECK(f.chunk_records("http://h/b") == 0);
  CHECK(f.disk->stats().large_aborts.load() == 2);
}

TEST_CASE("a new version replaces the old one's chunks; a pinned read of the old one fails") {
  Fixture f(64 << 10);
  const std::string key = "http://h/r";
  auto w1 = stream(*f.disk, key, 500 << 10, 64 << 10, 1);
  REQUIRE(w1->commit(meta(), "HTTP/1.1 200 OK\r\n", {}));
  f.settle();
  auto old = f.disk->read_now(key, 1);
  REQUIRE(old);
  auto w2 = stream(*f.disk, key, 200 << 10, 64 << 10, 2);
  REQUIRE(w2->commit(meta(), "HTTP/1.1 200 OK\r\n", {}));
  f.settle();
  CHECK(f.chunk_records(key) == 4);  // 200 KiB in 64 KiB chunks: only the new version's
  CHECK(f.range(key, 0, 200 << 10) == expected(0, 200 << 10, 2));
  std::promise<std::optional<std::string>> p;
  f.disk->read_large_range(*old.get(), 0, 10, [&](auto r) { p.set_value(std::move(r)); });
  CHECK_FALSE(p.get_future().get());
  // A small entry over it, and an erase of that, leave no chunks either.
  auto w3 = stream(*f.disk, "http://h/s", 300 << 10, 64 << 10);
  REQUIRE(w3->commit(meta(), "HTTP/1.1 200 OK\r\n", {}));
  f.settle();
  f.disk->store(Entry::create("http://h/s", 1, "HTTP/1.1 200 OK\r\n", "small", meta()));
  f.settle();
  CHECK(f.chunk_records("http://h/s") == 0);
  CHECK(f.disk->read_now("http://h/s", 1)->body() == "small");
  f.disk->erase(key);
  f.settle();
  CHECK(f.chunk_records(key) == 0);
}

TEST_CASE("a large object dropped by the compaction filter takes its chunks along") {
  auto clock = std::make_shared<std::atomic<std::int64_t>>(1700000000);
  std::string dir = temp_dir();
  {
    EntryFilterConfig c;
    c.now = [clock] { return clock->load(); };
    auto db = StateDb::open(dir, StateDbOptions{1ull << 30, c});
    DiskTierOptions o;
    o.chunk_bytes = 64 << 10;
    o.scrub.interval = std::chrono::milliseconds(0);
    DiskTier disk(*db, o);
    auto w = stream(disk, "http://h/x", 640 << 10, 64 << 10);
    REQUIRE(w->commit(meta(), "HTTP/1.1 200 OK\r\n", {}));  // useless after 1700003600
    for (int i = 0; i < 200 && disk.stats().large_commits.load() == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(db->db()->Flush(rocksdb::FlushOptions(), db->entries_cf()).ok());
    clock->store(1700010000);
    CHECK(disk.scrubber().scrub_all() == 1);
    CHECK(db->entry_filter().stats().expired.load() == 1);
    for (int i = 0; i < 200 && disk.stats().chunk_deletes.load() < 10; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(disk.stats().chunk_deletes.load() == 10);
    CHECK_FALSE(disk.read_now("http://h/x", 1));
    std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator(rocksdb::ReadOptions(), db->entries_cf()));
    it->SeekToFirst();
    CHECK_FALSE(it->Valid());
  }
  std::filesystem::remove_all(dir);
}
