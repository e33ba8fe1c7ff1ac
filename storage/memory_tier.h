// The memory tier: a sharded hash index of immutable, reference-counted entries under a byte
// budget, evicted with SIEVE.
//
// Threading: any worker thread may call any method. Each shard has its own mutex, held only for
// the index operation itself (never across I/O or allocation of entry payloads); there is no
// global lock. A lookup returns a new reference, so the entry stays valid after it is evicted.
// Budget: one global byte count (atomic). An insert that takes it over budget evicts with each
// shard's SIEVE in turn (a round-robin hand over shards), one shard lock at a time, so an object
// may be as large as the whole budget and no two shard locks are ever held together.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/entry.h"
#include "storage/sieve.h"

namespace lacquer::storage {

struct MemoryTierStats {
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
  std::uint64_t evictions = 0;
  std::uint64_t inserts = 0;
};

class MemoryTier {
 public:
  explicit MemoryTier(std::uint64_t budget_bytes, std::size_t shard_count = 64);
  ~MemoryTier();
  MemoryTier(const MemoryTier&) = delete;
  MemoryTier& operator=(const MemoryTier&) = delete;

  // The entry stored under `hash` whose full key equals `key`, or an empty ref.
  EntryRef lookup(std::uint64_t hash, std::string_view key);
  // Publishes an entry (taking over the caller's reference), replacing any entry with the same
  // key, then evicts until the tier is within budget. An entry bigger than the whole budget, or
  // a large object's (kEntryLarge: its body is on disk), is refused (returns false) and released.
  bool insert(EntryRef entry);
  // Removes the entry for `key`, if any (and only if it is `expected`, when given: a caller
  // dropping an entry it found invalid must not remove a fresh replacement). True if removed.
  bool erase(std::uint64_t hash, std::string_view key, const Entry* expected = nullptr);

  // For background sweeps: collects references to at most `max` entries of one shard, starting
  // at hash bucket `cursor`, and returns the bucket to continue from (the shard is done when it
  // returns 0). The shard lock is held only while the references are taken. A rehash between
  // calls may make a sweep see an entry twice or miss one; the next pass catches up.
  std::size_t collect(std::size_t shard, std::size_t cursor, std::size_t max, std::vector<EntryRef>& out);
  std::size_t shard_count() const { return shards_.size(); }

  MemoryTierStats stats() const;
  std::uint64_t budget_bytes() const { return budget_; }

 private:
  struct Shard;
  Shard& shard_for(std::uint64_t hash);
  void evict_to_budget();
  std::uint64_t budget_;
  std::atomic<std::int64_t> bytes_{0};
  std::atomic<std::uint64_t> evict_hand_{0};
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> evictions_{0};
  std::atomic<std::uint64_t> inserts_{0};
};

}  // namespace lacquer::storage
