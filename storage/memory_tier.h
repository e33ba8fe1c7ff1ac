// The memory tier: a sharded hash index of immutable, reference-counted entries under a byte
// budget, evicted with SIEVE.
//
// Threading: any worker thread may call any method. Each shard has its own mutex, held only for
// the index operation itself (never across I/O or allocation of entry payloads); there is no
// global lock. A lookup returns a new reference, so the entry stays valid after it is evicted.
// Budget: one global byte count (atomic). An insert that takes it over budget evicts with each
// shard's SIEVE in turn (a round-robin hand over shards), one shard lock at a time, so an object
// may be as large as the whole budget and no two shard locks are ever held together.
//
// Admission (optional, on in lacquer by default): SIEVE alone lets every newcomer in, so a stream
// of objects requested once or twice keeps pushing out objects requested often. With admission,
// each shard counts every lookup of a key in a frequency sketch (TinyLFU, frequency_sketch.h),
// and once the tier is full a newcomer takes a place only if the sketch has seen it more often
// than the least counted of the next few SIEVE victims; otherwise insert() refuses it (the caller
// has already served it; it is simply not kept). Replacing a stored key and Vary markers are
// always admitted. On the trace simulator (bench/cache_sim.cc) this takes a Zipf 0.9 stream from
// SIEVE's hit ratio close to an exact LFU's, and a one-off scan no longer flushes the hot set.
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
  std::uint64_t admitted = 0;  // newcomers let in by admission while the tier was full
  std::uint64_t rejected = 0;  // newcomers refused by admission (served, not kept)
};

struct MemoryTierOptions {
  std::size_t shards = 64;
  // Frequency-based admission (see the top of this file); false: plain SIEVE, every newcomer in.
  bool admission = false;
  // Sketch counters (per row, over all shards) per byte of budget: one per 4 KiB, which is 16
  // per object at 64 KiB (the simulator's best) and bounded below and above.
  std::uint64_t budget_bytes_per_counter = 4096;
  // SIEVE victims weighed against a newcomer (the least counted of them is the one evicted).
  int victims_sampled = 4;
};

class MemoryTier {
 public:
  explicit MemoryTier(std::uint64_t budget_bytes, std::size_t shard_count = 64);
  MemoryTier(std::uint64_t budget_bytes, const MemoryTierOptions& options);
  ~MemoryTier();
  MemoryTier(const MemoryTier&) = delete;
  MemoryTier& operator=(const MemoryTier&) = delete;

  // The entry stored under `hash` whose full key equals `key`, or an empty ref.
  EntryRef lookup(std::uint64_t hash, std::string_view key);
  // Publishes an entry (taking over the caller's reference), replacing any entry with the same
  // key, then evicts until the tier is within budget. An entry bigger than the whole budget, or
  // a large object's (kEntryLarge: its body is on disk), is refused (returns false) and released;
  // so is a newcomer that admission turns away.
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
  bool admission() const { return options_.admission; }
  // Bytes held by the admission sketches (0 without admission).
  std::uint64_t sketch_bytes() const;
  std::uint64_t budget_bytes() const { return budget_; }

 private:
  struct Shard;
  Shard& shard_for(std::uint64_t hash);
  void evict_to_budget();
  // Admission for a newcomer to a full tier: weighs it against a victim and, if it wins, evicts
  // the victim. False: keep the victim, refuse the newcomer.
  bool admit(std::uint64_t hash);
  std::uint64_t budget_;
  MemoryTierOptions options_;
  std::atomic<std::int64_t> bytes_{0};
  std::atomic<std::uint64_t> evict_hand_{0};
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> evictions_{0};
  std::atomic<std::uint64_t> inserts_{0};
  std::atomic<std::uint64_t> admitted_{0};
  std::atomic<std::uint64_t> rejected_{0};
};

}  // namespace lacquer::storage
