#include "edge/server/reload.h"

#include <cstdio>
#include <string>

#include "conf/config_diff.h"
#include "edge/server/access_log.h"
#include "edge/server/service_notify.h"
#include "edge/server/tls_context.h"
#include "edge/server/worker.h"

namespace lacquer::edge {

namespace {

void reload(const ServerHooks& hooks, SharedState& shared, AccessLog& access_log,
            const std::function<void(const LiveSettingsPtr&)>& publish);

}  // namespace

void reload_config(const ServerHooks& hooks, SharedState& shared, AccessLog& access_log,
                   const std::function<void(const LiveSettingsPtr&)>& publish) {
  notify_service_manager("RELOADING=1");
  reload(hooks, shared, access_log, publish);
  notify_service_manager("READY=1");
}

namespace {

void reload(const ServerHooks& hooks, SharedState& shared, AccessLog& access_log,
            const std::function<void(const LiveSettingsPtr&)>& publish) {
  if (!hooks.load_again) {
    std::fprintf(stderr, "lacquer: reload failed: no configuration to reload\n");
    shared.reload_failures.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  conf::LoadOutcome outcome = hooks.load_again();
  if (!outcome.ok()) {
    for (const auto& e : outcome.errors)
      std::fprintf(stderr, "lacquer: reload failed: config error: %s\n", e.to_string().c_str());
    std::fprintf(stderr, "lacquer: reload failed, still running the previous configuration\n");
    shared.reload_failures.fetch_add(1, std::memory_order_relaxed);
    std::fflush(stderr);
    return;
  }
  std::string applied, restart;
  const LiveSettingsPtr running = shared.live;
  for (const auto& key : conf::changed_keys(running->config, outcome.config)) {
    std::string& list = conf::applies_live(key) ? applied : restart;
    list.append(list.empty() ? "" : ", ").append(key);
  }
  if (!applied.empty()) {
    // Built and checked in full before anything is published: a pool that cannot be built (a
    // plain [origin] that does not resolve, a pool's TLS files) changes nothing.
    LiveSettingsPtr next;
    try {
      next = next_live_settings(*running, outcome.config);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "lacquer: reload failed: %s\n", e.what());
      std::fprintf(stderr, "lacquer: reload failed, still running the previous configuration\n");
      shared.reload_failures.fetch_add(1, std::memory_order_relaxed);
      std::fflush(stderr);
      return;
    }
    shared.live = next;
    publish(next);
    if (next->pools != running->pools) {
      // The new set probes and re-resolves the servers that stay; the old one's thread stops
      // (its removed servers are probed no more). Fetches still running on the old pools keep
      // them alive through their snapshot.
      next->pools->start();
      running->pools->stop();
    }
  }
  access_log.configure(outcome.config.log);
  // Certificates are read again, so renewed files at the same paths serve the next handshakes.
  if (shared.tls_listeners)
    for (const auto& error : reload_certificates(*shared.tls_listeners, outcome.config))
      std::fprintf(stderr, "lacquer: reload: config error: %s (keeping the certificates in use)\n", error.c_str());
  shared.reloads.fetch_add(1, std::memory_order_relaxed);
  std::fprintf(stderr, "lacquer: configuration reloaded; applied: %s\n", applied.empty() ? "nothing changed" : applied.c_str());
  if (!restart.empty())
    std::fprintf(stderr, "lacquer: changed keys that need a restart (still running the old values): %s\n",
                 restart.c_str());
  std::fflush(stderr);
}

}  // namespace
}  // namespace lacquer::edge
