// One worker loop's view of one routing snapshot: the sites (conf/routing.h), the process-wide
// pool set they route to (origin/pool_state.h), and this loop's connections to each pool. A
// reload (SIGHUP) makes a new one; a request keeps the one it matched its site in, and a fetch
// the one it started with, so a site index, a policy pointer or a pool never dangles. An
// OriginPool whose pool did not change is shared by the old and the new view, so its keep-alive
// connections carry over.
//
// Threading: made, read and freed on its worker's loop only (the worker keeps every view it
// replaced until nothing else holds it, edge/server/worker.h).
#pragma once

#include <memory>
#include <vector>

#include "conf/routing.h"
#include "edge/latency_histogram.h"
#include "edge/metrics.h"
#include "origin/origin_client.h"
#include "origin/pool_state.h"

namespace lacquer::edge {

struct LoopRoutes {
  std::shared_ptr<const conf::Routing> routing;
  std::shared_ptr<origin::PoolSet> pool_set;               // what `pools` point into
  std::vector<std::shared_ptr<origin::OriginPool>> pools;  // by conf::Routing::pools() index
  // This loop's metrics of each site (by site index) and each server ([pool][server] index), in
  // the worker's slot arrays (edge/metric_slots.h); nullptr: not counted.
  std::vector<SiteCounters*> sites;
  std::vector<std::vector<LatencyHistogram*>> server_first_byte;
};

using LoopRoutesPtr = std::shared_ptr<const LoopRoutes>;

}  // namespace lacquer::edge
