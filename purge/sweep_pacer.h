// How long the background sweep rests between batches, so that while a pass runs it takes at
// most `share` of one core. The sweep runs at normal priority because it takes the locks the
// event loops take (a memory-tier shard lock, the allocator's arena lock when it frees an
// entry), and a loop must never wait for a thread the scheduler may leave without a core (see
// sweeper.h); resting is what keeps a normal-priority sweep from competing with a loop.
// Pure: the caller measures its work and does the resting.
#pragma once

#include <chrono>

namespace lacquer::purge {

class SweepPacer {
 public:
  // share: the fraction of a core a pass may use (clamped to 0.001..1; 1 never rests).
  // quantum: work accumulated before a rest, so a rest (a thread wake-up) is not paid per batch.
  SweepPacer(double share, std::chrono::microseconds quantum) noexcept;

  // Records `busy` more work; returns how long to rest now: zero until a quantum of work has
  // accumulated, then the rest that brings the work's share down to `share`.
  std::chrono::microseconds after_work(std::chrono::nanoseconds busy) noexcept;

 private:
  double share_;
  std::chrono::nanoseconds quantum_;
  std::chrono::nanoseconds owed_{0};  // work since the last rest
};

}  // namespace lacquer::purge
