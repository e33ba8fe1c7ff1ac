// What a reload (SIGHUP) can change in a running process, as one immutable snapshot: the
// configuration with its live keys (conf/config_diff.h) and what is built from it. The main
// thread builds one per successful reload and posts it to every worker's loop through the
// worker's LoopInbox; the worker swaps it in between two callbacks. So the hot path reads its
// own worker's snapshot without a lock, and no request sees half of a reload.
//
// Where later live objects plug in (each built on the main thread from `config`, published in
// the same snapshot, read by the worker through Worker::live()):
//   - sites and pools (issue 14): the conf::Routing built from config ([[site]], [[pool]]),
//     replacing SharedState::routing; the worker rebuilds its per-pool OriginPools on apply when
//     the pool list changed, keeping the old ones until their fetches end;
//   - TLS certificates (issue 13): the certificate store (SSL_CTX per name), which the TLS
//     listeners' SNI callback reads from Worker::live() on the accepting worker.
#pragma once

#include <memory>

#include "conf/config.h"
#include "edge/admin/purge_acl.h"

namespace lacquer::edge {

struct LiveSettings {
  explicit LiveSettings(const conf::Config& c)
      : config(c), purge_acl(c.purge.allow_loopback, c.purge.allow_cidrs, c.purge.token) {}
  const conf::Config config;  // keys that need a restart keep the values the process started with
  const PurgeAcl purge_acl;
};

using LiveSettingsPtr = std::shared_ptr<const LiveSettings>;

}  // namespace lacquer::edge
