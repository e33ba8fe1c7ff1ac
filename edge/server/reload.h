// SIGHUP: load the configuration again and apply what can change in a running process. A file
// that does not load changes nothing: its errors are logged with file:line and the failure is
// counted (lacquer_config_reload_failures_total). Keys that changed but need a restart are
// logged by name.
#pragma once

#include "edge/server/server.h"

namespace lacquer::edge {

struct SharedState;
class AccessLog;

// Main thread only.
void reload_config(const ServerHooks& hooks, SharedState& shared, AccessLog& access_log);

}  // namespace lacquer::edge
