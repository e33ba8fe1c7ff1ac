// The background sweep: after purges, walks the memory tier in small batches and drops the
// entries the version table says are invalid, so purged bytes come back without waiting for a
// client to ask for each object. It also keeps the version table bounded: when a full pass
// finds the table above its limit, versions older than every entry it saw are forgotten.
//
// Threading: its own thread, at normal priority. It takes one memory-tier shard lock at a time,
// only while it copies references to a small batch of entries (never while checking them), and
// checks versions under the version table's shared locks. It never runs at idle priority: it
// takes locks an event loop takes (a shard lock; the allocator's arena lock when it frees a
// purged entry), and a SCHED_IDLE holder that loses its core keeps the loop waiting until no
// other thread on that core wants to run (measured at up to 30 ms per wait during a purge
// storm on a busy machine). Instead it rests between batches (sweep_pacer.h), so while a pass
// runs it takes at most `core_share` of a core; a stop ends a rest and the pass at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "purge/version_table.h"

namespace lacquer::storage {
class MemoryTier;
}

namespace lacquer::purge {

struct SweepStats {
  std::atomic<std::uint64_t> passes{0};
  std::atomic<std::uint64_t> examined{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> reclaimed_bytes{0};
  std::atomic<std::uint64_t> versions_forgotten{0};
  std::atomic<std::uint64_t> shards_done{0};  // progress of the current pass
  std::atomic<bool> running{false};
};

class Sweeper {
 public:
  struct Options {
    std::size_t batch = 64;                  // entries copied per shard-lock acquisition
    std::size_t max_versions = 1'000'000;    // forget old versions beyond this many scopes
    std::uint32_t idle_check_ms = 200;       // how often to look for new purges
    std::uint32_t min_interval_ms = 2000;    // at most one pass per interval: a purge storm must
                                             // not turn the sweep into a busy loop (lookups drop
                                             // purged entries they meet in the meantime)
    double core_share = 0.05;                // a pass uses at most this share of one core
    std::uint32_t pace_quantum_us = 200;     // work between two rests
  };
  Sweeper(storage::MemoryTier& tier, VersionTable& versions, Options options);
  ~Sweeper();
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  const SweepStats& stats() const { return stats_; }
  // Runs one full pass now, on the caller's thread (tests).
  void run_pass();

 private:
  void loop();
  // Rests between batches; false when stopping (the pass gives up).
  bool rest(std::chrono::microseconds d);
  storage::MemoryTier& tier_;
  VersionTable& versions_;
  Options options_;
  SweepStats stats_;
  std::atomic<std::uint64_t> swept_up_to_{0};
  std::chrono::steady_clock::time_point last_pass_end_{};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<bool> abort_{false};  // stopping: a pass in progress gives up at the next batch
  std::thread thread_;
};

}  // namespace lacquer::purge
