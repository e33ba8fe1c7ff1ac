// SIGHUP: load the configuration again and apply what can change in a running process: a new
// LiveSettings snapshot (the running configuration with the loaded file's live keys) goes to
// every worker (edge/server/live_settings.h) and the access log is reconfigured. A file that does
// not load changes nothing: its errors are logged with file:line and the failure is counted
// (lacquer_config_reload_failures_total). Keys that changed but need a restart are logged by
// name.
#pragma once

#include <functional>

#include "edge/server/live_settings.h"
#include "edge/server/server.h"

namespace lacquer::edge {

struct SharedState;
class AccessLog;

// Main thread only.
// `publish` hands the new snapshot to every worker (Worker::publish).
void reload_config(const ServerHooks& hooks, SharedState& shared, AccessLog& access_log,
                   const std::function<void(const LiveSettingsPtr&)>& publish);

}  // namespace lacquer::edge
