#include "storage/presence_filter.h"

#include <rocksdb/db.h>

#include <cstring>

#include "storage/disk_records.h"
#include "storage/state_db.h"

namespace lacquer::storage {
namespace {

// Disk keys are XXH3-128 digests (disk_tier.h): their bytes are already uniform.
std::uint64_t key_bits(std::string_view disk_key) noexcept {
  std::uint64_t h = 0;
  std::memcpy(&h, disk_key.data(), std::min<std::size_t>(sizeof h, disk_key.size()));
  if (disk_key.size() < sizeof h) h ^= disk_key.size() * 0x9e3779b97f4a7c15ull;
  return h;
}

}  // namespace

PresenceFilter::PresenceFilter(std::uint64_t expected_keys)
    : words_(std::max<std::uint64_t>(1024, expected_keys * 12 / 64)),
      bits_(new std::atomic<std::uint64_t>[words_]) {
  for (std::uint64_t i = 0; i < words_; ++i) bits_[i].store(0, std::memory_order_relaxed);
}

PresenceFilter::~PresenceFilter() {
  stop_.store(true);
  if (loader_.joinable()) loader_.join();
}

// Six bit positions from six 6-bit slices of the low 36 bits.
std::uint64_t PresenceFilter::word_mask(std::uint64_t h) noexcept {
  std::uint64_t m = 0;
  for (int i = 0; i < 6; ++i) m |= 1ull << ((h >> (6 * i)) & 63);
  return m;
}

void PresenceFilter::add(std::string_view disk_key) noexcept {
  const std::uint64_t h = key_bits(disk_key);
  bits_[slot(h)].fetch_or(word_mask(h), std::memory_order_relaxed);
}

bool PresenceFilter::may_contain(std::string_view disk_key) const noexcept {
  if (!loaded()) return true;
  const std::uint64_t h = key_bits(disk_key);
  const std::uint64_t m = word_mask(h);
  return (bits_[slot(h)].load(std::memory_order_relaxed) & m) == m;
}

void PresenceFilter::start_loading(StateDb& db, std::function<void(std::uint64_t)> done) {
  loader_ = std::thread([this, &db, done = std::move(done)] {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;  // one pass over everything must not evict the hot blocks
    std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(ro, db.entries_cf()));
    std::uint64_t n = 0;
    for (it->SeekToFirst(); it->Valid() && !stop_.load(std::memory_order_relaxed); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (is_chunk_key(key)) continue;  // a large object's chunks are found through its manifest
      add(key);
      ++n;
    }
    loaded_keys_.store(n, std::memory_order_relaxed);
    const bool complete = it->status().ok() && !stop_.load();
    loaded_.store(complete, std::memory_order_release);
    if (complete && done) done(n);
  });
}

}  // namespace lacquer::storage
