// The process: binds the listeners, starts the workers and the admin thread, prints the ready
// line, and handles the signals (edge/server/signals.h) until a stop signal.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "conf/config.h"
#include "conf/loader.h"

namespace lacquer::edge {

struct ServerHooks {
  // Loads the configuration again (SIGHUP): the same file and flags as at start. Unset: reload
  // is refused.
  std::function<conf::LoadOutcome()> load_again;
  // --takeover: take the listeners and the state directory over from the running process.
  bool takeover = false;
  // The command line as started (argv[0] first): SIGUSR2 starts it again with --takeover.
  std::vector<std::string> argv;
};

// Runs until a stop signal; returns the process exit code.
int run_server(const conf::Config& config, const ServerHooks& hooks = {});

}  // namespace lacquer::edge
