// What a fetch job needs from the loop that owns it, passed in rather than reached through the
// worker: the loop, coalescing, the cache, the config, the clock and counters.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "cache/loop_poster.h"
#include "cache/tiered_cache.h"
#include "conf/config.h"
#include "edge/clock.h"
#include "edge/fetch/inflight.h"
#include "edge/latency_histogram.h"
#include "edge/metrics.h"
#include "origin/origin_client.h"
#include "purge/purge_metrics.h"

namespace lacquer::edge {

class FetchJob;

struct FetchContext {
  cache::LoopPoster& loop;  // the owner loop
  InflightTable& inflight;
  cache::TieredCache& cache;
  const conf::Config& config;
  const Clock& clock;
  WorkerMetrics& metrics;
  purge::PurgeMetrics& purge_metrics;
  std::string via;  // "1.1 lacquer/<version>"
  // RFC 9111 §4.4: hard URL purges of these key texts after a successful unsafe request.
  std::function<void(std::vector<std::string> urls)> invalidate;
  // The jobs running on this loop, not owned: cancelled before the origin pool goes away.
  std::unordered_set<FetchJob*> running;
};

}  // namespace lacquer::edge
