// Running a purge for either front door (PURGE on the main port, POST /purge/... on the admin
// port): apply every target to the version table at once (it takes effect immediately), queue
// the records for a synced RocksDB write, and report back on the caller's loop once all are
// durable. Only then may the caller answer 200.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "edge/server/metrics.h"
#include "purge/version_table.h"

namespace lacquer::edge {

class Worker;

struct PurgeTarget {
  purge::Scope scope = purge::Scope::Global;
  std::uint64_t key = 0;
  std::string label;  // what the client named: the URL, tag or prefix (for the JSON answer)
};

// Process-wide purge counters (several threads write them: fetch_add).
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

using PurgeDone = std::function<void(bool durable, std::uint64_t seq)>;

// Precondition: called on `worker`'s loop thread. `done` runs later on the same thread.
void run_purge(Worker& worker, const std::vector<PurgeTarget>& targets, bool soft, PurgeDone done);

// {"purged":"tag","tags":["a","b"],"soft":false,"seq":12}
std::string purge_json(const std::vector<PurgeTarget>& targets, bool soft, std::uint64_t seq);
std::string json_string(std::string_view s);

}  // namespace lacquer::edge
