// What the request engine depends on, passed in by the worker that runs it (and by fakes in the
// engine's unit tests): the cache, a fetcher, the loop, a clock, the config and the counters.
#pragma once

#include <string>
#include <string_view>

#include "cache/early_refresh.h"
#include "cache/loop_poster.h"
#include "cache/tiered_cache.h"
#include "conf/config.h"
#include "conf/routing.h"
#include "edge/clock.h"
#include "edge/fetch/fetch.h"
#include "edge/metrics.h"

namespace lacquer::edge {

class PurgeFrontDoor;

struct EngineContext {
  cache::TieredCache& cache;
  Fetcher& fetcher;
  cache::LoopPoster& loop;  // the loop this engine's exchanges run on
  const Clock& clock;
  const conf::Config& config;
  WorkerMetrics& metrics;
  std::string_view via;  // "1.1 lacquer/<version>"
  // PURGE on the main port; null where the engine runs without one (unit tests).
  PurgeFrontDoor* purge = nullptr;
  // Sites and pools as the last reload this loop applied left them (a request keeps the view it
  // matched its site in); null where the engine runs without them (unit tests): one site, [cache].
  LoopRoutesPtr routes = nullptr;
  // Early refresh's random source (one per loop; the worker seeds it per process).
  cache::UniformDraws draws{0};
  // Scratch for heads rewritten by a site's response header rules: reused, so applying the
  // rules allocates nothing once it has grown.
  std::string head_scratch{};
};

}  // namespace lacquer::edge
