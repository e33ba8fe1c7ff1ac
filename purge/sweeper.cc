#include "purge/sweeper.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "purge/entry_verdict.h"
#include "purge/recent_purges.h"
#include "purge/sweep_pacer.h"
#include "storage/memory_tier.h"

namespace lacquer::purge {

Sweeper::Sweeper(storage::MemoryTier& tier, VersionTable& versions, Options options)
    : tier_(tier), versions_(versions), options_(options), thread_([this] { loop(); }) {}

Sweeper::~Sweeper() {
  abort_.store(true, std::memory_order_relaxed);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Sweeper::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.idle_check_ms));
    if (stopping_) return;
    if (versions_.last_purge_seq() <= swept_up_to_.load()) continue;  // nothing purged since
    if (std::chrono::steady_clock::now() - last_pass_end_ < std::chrono::milliseconds(options_.min_interval_ms))
      continue;
    lock.unlock();
    run_pass();
    last_pass_end_ = std::chrono::steady_clock::now();
    lock.lock();
  }
}

bool Sweeper::rest(std::chrono::microseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

void Sweeper::run_pass() {
  const std::uint64_t pass_seq = versions_.last_purge_seq();
  stats_.running.store(true);
  stats_.shards_done.store(0);
  std::uint64_t min_birth = std::numeric_limits<std::uint64_t>::max();
  std::vector<storage::EntryRef> batch;
  // The purges since the last pass, indexed once: entries that pass checked need only these.
  RecentPurges recent;
  const bool indexed = recent.load(versions_, swept_up_to_.load(), pass_seq);
  const std::uint64_t forgotten = versions_.forgotten_below();
  SweepPacer pacer(options_.core_share, std::chrono::microseconds(options_.pace_quantum_us));
  auto busy_since = std::chrono::steady_clock::now();
  for (std::size_t shard = 0; shard < tier_.shard_count(); ++shard) {
    std::size_t cursor = 0;
    do {
      if (abort_.load(std::memory_order_relaxed)) {  // stopping: leave the rest for next time
        stats_.running.store(false);
        return;
      }
      batch.clear();
      cursor = tier_.collect(shard, cursor, options_.batch, batch);
      for (const auto& e : batch) {
        stats_.examined.fetch_add(1, std::memory_order_relaxed);
        const auto& m = e->meta();
        if (e->checked_seq() >= pass_seq) {
          min_birth = std::min(min_birth, m.birth_seq);
          continue;  // already checked against every purge up to this pass
        }
        const std::uint64_t from = std::max(e->checked_seq(), m.birth_seq);
        const Validity v = indexed && from >= recent.base() && m.birth_seq >= forgotten
                               ? recent.verdict(from, e->key(), e->tags())
                               : entry_verdict(versions_, {m.birth_seq, e->checked_seq(), e->key(), e->tags()});
        if (v == Validity::Invalid) {
          if (tier_.erase(e->hash(), e->key(), e.get())) {
            stats_.dropped.fetch_add(1, std::memory_order_relaxed);
            stats_.reclaimed_bytes.fetch_add(e->charged_bytes(), std::memory_order_relaxed);
          }
          continue;
        }
        if (v == Validity::Valid) e->set_checked_seq(pass_seq);
        min_birth = std::min(min_birth, m.birth_seq);
      }
      batch.clear();  // the last references to dropped entries go now, before a rest
      const auto now = std::chrono::steady_clock::now();
      if (const auto pause = pacer.after_work(now - busy_since); pause.count() > 0) {
        if (!rest(pause)) {
          stats_.running.store(false);
          return;
        }
        busy_since = std::chrono::steady_clock::now();
      } else {
        busy_since = now;
      }
    } while (cursor != 0);
    stats_.shards_done.store(shard + 1, std::memory_order_relaxed);
  }
  if (versions_.size() > options_.max_versions) {
    // Every entry seen was born at or after min_birth; fetches in flight that were born
    // earlier meet the floor at lookup and are treated as invalid (see version_table.h).
    std::uint64_t floor = min_birth == std::numeric_limits<std::uint64_t>::max() ? pass_seq : min_birth;
    stats_.versions_forgotten.fetch_add(versions_.forget_older_than(floor), std::memory_order_relaxed);
  }
  swept_up_to_.store(pass_seq);
  stats_.passes.fetch_add(1, std::memory_order_relaxed);
  stats_.running.store(false);
}

}  // namespace lacquer::purge
