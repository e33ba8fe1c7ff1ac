// Which keys may be in the disk tier: a Bloom filter over disk keys, so that a memory miss for a
// URL the disk has never held skips the RocksDB read (and its two thread hops) altogether. A
// false positive costs one read that finds nothing; there are no false negatives for keys
// stored since start, nor, once loaded, for keys on disk at start. Until the background load of
// the existing keys finishes, every key "may" be there.
//
// Register-blocked layout (one 64-bit word per key, six bits in it): one cache line touched per
// query, lock-free (relaxed atomics: a racing add may be missed by a query, which then reads
// the disk once more than needed, or says "absent" for a key whose write is still queued, which
// the disk could not have answered either).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>

namespace lacquer::storage {

class StateDb;

class PresenceFilter {
 public:
  // Sized for `expected_keys` at about 12 bits per key.
  explicit PresenceFilter(std::uint64_t expected_keys);
  ~PresenceFilter();
  PresenceFilter(const PresenceFilter&) = delete;
  PresenceFilter& operator=(const PresenceFilter&) = delete;

  void add(std::string_view disk_key) noexcept;
  bool may_contain(std::string_view disk_key) const noexcept;

  // Adds every key of the entries column family, on a thread of its own; then, when the scan
  // completed, calls `done(objects)` on that thread with the number of objects found (a large
  // object counts once, not once per chunk).
  void start_loading(StateDb& db, std::function<void(std::uint64_t)> done = {});
  bool loaded() const noexcept { return loaded_.load(std::memory_order_acquire); }
  std::uint64_t loaded_keys() const noexcept { return loaded_keys_.load(std::memory_order_relaxed); }
  std::uint64_t memory_bytes() const noexcept { return words_ * sizeof(std::uint64_t); }

 private:
  static std::uint64_t word_mask(std::uint64_t h) noexcept;
  std::uint64_t slot(std::uint64_t h) const noexcept { return (h >> 32) % words_; }

  std::uint64_t words_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> bits_;
  std::atomic<bool> loaded_{false};
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> loaded_keys_{0};
  std::thread loader_;
};

}  // namespace lacquer::storage
