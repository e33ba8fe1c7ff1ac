// The process: binds the listeners, starts the workers and the admin thread, prints the ready
// line, and on SIGTERM/SIGINT drains everything and returns.
#pragma once

#include "conf/config.h"

namespace lacquer::edge {

// Runs until a stop signal; returns the process exit code.
int run_server(const conf::Config& config);

}  // namespace lacquer::edge
