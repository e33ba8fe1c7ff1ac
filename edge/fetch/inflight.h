// Request coalescing across all workers: at most one registered origin fetch per cache key
// (primary key: the URL) at a time, and short "hit-for-miss" markers for URLs whose last response
// was uncacheable, so the next burst goes to the origin in parallel instead of queueing behind
// one fetch that will not be shared.
//
// Threading: any worker may call any method; each shard has a mutex held only for the map
// operation. Jobs are referenced weakly: a job that ended is simply gone.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lacquer::edge {

class FetchJob;

class InflightTable {
 public:
  // The running job for `key`, if any.
  std::shared_ptr<FetchJob> find(std::uint64_t hash, std::string_view key);
  // Registers `job` for `key` unless another live job got there first; returns the job that is
  // registered afterwards (ours, or the other one to join).
  std::shared_ptr<FetchJob> register_job(std::uint64_t hash, std::string_view key,
                                         const std::shared_ptr<FetchJob>& job);
  // Removes `job`'s registration (only if it is still the registered one).
  void unregister(std::uint64_t hash, std::string_view key, const FetchJob* job);

  // Hit-for-miss: until `until` (epoch seconds), requests for `key` are not coalesced.
  void mark_hit_for_miss(std::uint64_t hash, std::string_view key, std::int64_t until);
  void clear_hit_for_miss(std::uint64_t hash, std::string_view key);
  bool hit_for_miss(std::uint64_t hash, std::string_view key, std::int64_t now);

  std::size_t jobs() const;

 private:
  struct Slot {
    std::string key;
    std::weak_ptr<FetchJob> job;
    std::int64_t hit_for_miss_until = 0;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_multimap<std::uint64_t, Slot> slots;
    Slot* find(std::uint64_t hash, std::string_view key);
    void drop_if_empty(std::uint64_t hash, std::string_view key, std::int64_t now);
  };
  static constexpr std::size_t kShards = 64;
  // Bounds the markers: a shard over this many slots drops its expired ones.
  static constexpr std::size_t kMaxSlotsPerShard = 4096;
  Shard& shard_for(std::uint64_t hash) { return shards_[hash % kShards]; }
  std::array<Shard, kShards> shards_;
};

}  // namespace lacquer::edge
