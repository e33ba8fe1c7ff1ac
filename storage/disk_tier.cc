#include "storage/disk_tier.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <xxhash.h>

#include <cstdio>

#include "storage/entry_codec.h"
#include "storage/state_db.h"

namespace lacquer::storage {
namespace {
constexpr std::uint64_t kDiskKeySeed = 0x6c6163717565724bull;  // "lacquerK"; never change
}

std::string disk_key(std::string_view key_text) {
  XXH128_hash_t h = XXH3_128bits_withSeed(key_text.data(), key_text.size(), kDiskKeySeed);
  std::string k(16, '\0');
  for (int i = 0; i < 8; ++i) {
    k[i] = static_cast<char>(h.high64 >> (56 - 8 * i));
    k[8 + i] = static_cast<char>(h.low64 >> (56 - 8 * i));
  }
  return k;
}

DiskTier::DiskTier(StateDb& db, std::size_t reader_threads, std::size_t max_queue)
    : db_(db), max_queue_(max_queue) {
  writer_ = std::thread([this] { writer_loop(); });
  for (std::size_t i = 0; i < reader_threads; ++i) readers_.emplace_back([this] { reader_loop(); });
}

DiskTier::~DiskTier() {
  {
    std::scoped_lock lock(write_mu_, read_mu_);
    stopping_ = true;
  }
  write_cv_.notify_all();
  read_cv_.notify_all();
  writer_.join();
  for (auto& t : readers_) t.join();
}

void DiskTier::lookup(std::string key_text, std::uint64_t index_hash, LookupDone done) {
  stats_.lookups.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(read_mu_);
    reads_.push_back({std::move(key_text), index_hash, std::move(done)});
  }
  read_cv_.notify_one();
}

void DiskTier::store(EntryRef entry) {
  {
    std::lock_guard lock(write_mu_);
    if (writes_.size() >= max_queue_) {  // the disk cannot keep up: serve from memory only
      stats_.write_failures.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    std::string key = disk_key(entry->key());
    writes_.push_back({std::move(key), std::move(entry)});
    stats_.queue_depth.store(writes_.size(), std::memory_order_relaxed);
  }
  write_cv_.notify_one();
}

void DiskTier::erase(const std::string& key_text) {
  {
    std::lock_guard lock(write_mu_);
    writes_.push_back({disk_key(key_text), EntryRef()});
    stats_.queue_depth.store(writes_.size(), std::memory_order_relaxed);
  }
  write_cv_.notify_one();
}

void DiskTier::writer_loop() {
  std::unique_lock lock(write_mu_);
  std::string record;
  for (;;) {
    write_cv_.wait(lock, [this] { return stopping_ || !writes_.empty(); });
    if (writes_.empty()) return;
    std::deque<Write> batch;
    batch.swap(writes_);
    stats_.queue_depth.store(0, std::memory_order_relaxed);
    lock.unlock();

    rocksdb::WriteBatch wb;
    std::uint64_t bytes = 0, entries = 0, erases = 0;
    for (auto& w : batch) {
      if (!w.entry) {
        wb.Delete(db_.entries_cf(), w.key);
        ++erases;
        continue;
      }
      record.clear();
      encode_entry(*w.entry.get(), record);
      wb.Put(db_.entries_cf(), w.key, record);
      bytes += record.size();
      ++entries;
    }
    auto st = fail_for_testing_.load() ? rocksdb::Status::IOError("injected fault: disk full")
                                       : db_.db()->Write(rocksdb::WriteOptions(), &wb);
    stats_.write_batches.fetch_add(1, std::memory_order_relaxed);
    if (st.ok()) {
      stats_.writes.fetch_add(entries, std::memory_order_relaxed);
      stats_.erases.fetch_add(erases, std::memory_order_relaxed);
      stats_.write_bytes.fetch_add(bytes, std::memory_order_relaxed);
      if (stats_.write_error.exchange(false)) std::fprintf(stderr, "lacquer: disk tier writes work again\n");
    } else {
      stats_.write_failures.fetch_add(entries, std::memory_order_relaxed);
      if (!stats_.write_error.exchange(true))
        std::fprintf(stderr, "lacquer: disk tier write failed (%s); serving from memory and the origin\n",
                     st.ToString().c_str());
    }
    batch.clear();  // release entry references outside the lock
    lock.lock();
  }
}

EntryRef DiskTier::read_now(const std::string& key_text, std::uint64_t index_hash) {
  std::string key = disk_key(key_text);
  rocksdb::PinnableSlice value;
  auto st = db_.db()->Get(rocksdb::ReadOptions(), db_.entries_cf(), key, &value);
  if (!st.ok()) return {};
  auto decoded = decode_entry(std::string_view(value.data(), value.size()), index_hash);
  if (decoded.error != DecodeError::None) {
    stats_.corrupt.fetch_add(1, std::memory_order_relaxed);
    erase(key_text);
    return {};
  }
  if (decoded.entry->key() != key_text) return {};  // 128-bit collision: someone else's entry
  return std::move(decoded.entry);
}

void DiskTier::reader_loop() {
  std::unique_lock lock(read_mu_);
  for (;;) {
    read_cv_.wait(lock, [this] { return stopping_ || !reads_.empty(); });
    if (reads_.empty()) return;
    Read r = std::move(reads_.front());
    reads_.pop_front();
    lock.unlock();
    EntryRef e = read_now(r.key_text, r.index_hash);
    (e ? stats_.hits : stats_.misses).fetch_add(1, std::memory_order_relaxed);
    r.done(std::move(e));
    lock.lock();
  }
}

std::uint64_t DiskTier::estimated_bytes() const {
  std::uint64_t v = 0;
  db_.db()->GetIntProperty(db_.entries_cf(), "rocksdb.total-sst-files-size", &v);
  std::uint64_t mem = 0;
  db_.db()->GetIntProperty(db_.entries_cf(), "rocksdb.cur-size-all-mem-tables", &mem);
  return v + mem;
}

std::uint64_t DiskTier::estimated_objects() const {
  std::uint64_t v = 0;
  db_.db()->GetIntProperty(db_.entries_cf(), "rocksdb.estimate-num-keys", &v);
  return v;
}

}  // namespace lacquer::storage
