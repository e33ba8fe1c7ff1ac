// A Prometheus histogram of latencies in seconds, for one writer thread (relaxed atomics, read
// by the admin thread when scraped): the per-worker halves are summed at render time.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "edge/metrics.h"

namespace lacquer::edge {

class LatencyHistogram {
 public:
  // Upper bounds in microseconds: 1 ms .. 10 s.
  static constexpr std::array<std::uint64_t, 13> kBoundsUs{1000,   2500,   5000,    10000,   25000,   50000,  100000,
                                                           250000, 500000, 1000000, 2500000, 5000000, 10000000};
  void observe(std::uint64_t us) {
    std::size_t i = 0;
    while (i < kBoundsUs.size() && us > kBoundsUs[i]) ++i;
    buckets_[i].inc();  // cumulated at render time
    sum_us_.inc(us);
  }
  // Renders the sum of `parts` as `name` (with _bucket, _sum, _count).
  static void render(std::string& out, std::string_view name, std::string_view help,
                     std::span<const LatencyHistogram* const> parts);
  // The HELP and TYPE lines of a family, then one labelled series per call of render_series
  // (`labels` like `pool="web",server="10.0.0.5:80"`, put before le="...").
  static void render_family(std::string& out, std::string_view name, std::string_view help);
  static void render_series(std::string& out, std::string_view name, std::string_view labels,
                            std::span<const LatencyHistogram* const> parts);

 private:
  std::array<Counter, kBoundsUs.size() + 1> buckets_;  // the last: over the largest bound
  Counter sum_us_;
};

}  // namespace lacquer::edge
