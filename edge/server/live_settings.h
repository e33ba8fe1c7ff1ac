// What a reload (SIGHUP) can change in a running process, as one immutable snapshot: the
// configuration with its live keys (conf/config_diff.h) and what is built from it. The main
// thread builds one per successful reload and posts it to every worker's loop through the
// worker's LoopInbox; the worker swaps it in between two callbacks. So the hot path reads its
// own worker's snapshot without a lock, and no request sees half of a reload.
//
// Sites and pools are part of it: `routing` (conf/routing.h, built from config: sites, host
// matchers, per-site cache policies) and `pools` (origin/pool_state.h: the servers with their
// addresses and health). A reload that changes no pool keeps the same PoolSet; one that does
// builds a new set that carries over what stays (same pool, same server: health and counters).
// Each worker turns the snapshot into its own LoopRoutes (edge/fetch/loop_routes.h) on apply.
//
// TLS certificates are not in it: the TLS listeners' stores are reloaded in place
// (edge/server/tls_context.h).
#pragma once

#include <memory>
#include <vector>

#include "conf/config.h"
#include "conf/routing.h"
#include "edge/admin/purge_acl.h"
#include "edge/metric_slots.h"
#include "origin/pool_state.h"

namespace lacquer::edge {

struct LiveSettings {
  LiveSettings(const conf::Config& c, std::shared_ptr<const conf::Routing> r, std::shared_ptr<origin::PoolSet> p,
               std::shared_ptr<MetricSlots> slots);
  const conf::Config config;  // keys that need a restart keep the values the process started with
  const PurgeAcl purge_acl;
  const std::shared_ptr<const conf::Routing> routing;  // built from `config`
  const std::shared_ptr<origin::PoolSet> pools;        // routing->pools(), by the same index
  // Where each site's and each origin server's per-worker metrics live (edge/metric_slots.h):
  // site_slots[site index], server_slots[pool index][server index]; -1: not counted.
  const std::shared_ptr<MetricSlots> slot_registry;  // main thread only, shared by all snapshots
  const std::vector<int> site_slots;
  const std::vector<std::vector<int>> server_slots;
};

using LiveSettingsPtr = std::shared_ptr<const LiveSettings>;

// The snapshot at start-up: routing and pools built from `config` (its pool set not started).
// Throws std::runtime_error when the pools cannot be built (a plain --origin that does not
// resolve, a pool's TLS files).
LiveSettingsPtr first_live_settings(const conf::Config& config);

// The snapshot a reload publishes: `running`'s config with the live keys of `loaded`
// (conf/config_diff.h), the routing built from it, and its pool set: the running one when no
// pool changed, else a new one (not started) that carries over the pools and servers that stay
// (origin/pool_state.h). Main thread, off the loops: it may resolve names. Throws as above, and
// then nothing has changed.
LiveSettingsPtr next_live_settings(const LiveSettings& running, const conf::Config& loaded);

}  // namespace lacquer::edge
