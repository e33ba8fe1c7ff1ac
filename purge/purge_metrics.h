// Process-wide purge counters, for /metrics. Several threads write them (fetch_add).
#pragma once

#include <atomic>
#include <cstdint>

namespace lacquer::purge {

struct PurgeMetrics {
  std::atomic<std::uint64_t> by_scope_kind[4][2] = {};  // [Scope][soft]
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> latency_us_sum{0};         // request to durable acknowledgement
  std::atomic<std::uint64_t> latency_count{0};
  std::atomic<std::uint64_t> latency_us_max{0};
  std::atomic<std::uint64_t> invalid_entries_met{0};    // entries found purged on lookup
  std::atomic<std::uint64_t> stale_entries_met{0};      // entries found soft-purged on lookup
  std::atomic<std::uint64_t> dropped_surrogate_keys{0}; // over-limit keys on origin responses
};

}  // namespace lacquer::purge
