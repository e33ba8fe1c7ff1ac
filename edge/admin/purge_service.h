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

#include "edge/metrics.h"
#include "purge/purge_metrics.h"
#include "purge/version_table.h"

namespace lacquer::edge {

class Worker;

struct PurgeTarget {
  purge::Scope scope = purge::Scope::Global;
  std::uint64_t key = 0;
  std::string label;  // what the client named: the URL, tag or prefix (for the JSON answer)
  std::string site{};  // set by scope_to_site: the [[site]] the purge is narrowed to
};

using PurgeDone = std::function<void(bool durable, std::uint64_t seq)>;

// Precondition: called on `worker`'s loop thread. `done` runs later on the same thread.
void run_purge(Worker& worker, const std::vector<PurgeTarget>& targets, bool soft, PurgeDone done);

// {"purged":"tag","tags":["a","b"],"soft":false,"seq":12}
std::string purge_json(const std::vector<PurgeTarget>& targets, bool soft, std::uint64_t seq);
std::string json_string(std::string_view s);

}  // namespace lacquer::edge
