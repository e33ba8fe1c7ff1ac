// Listening sockets. The main port gets one socket per worker, all bound to the same address
// with SO_REUSEPORT, so the kernel spreads connections across workers without a shared accept
// lock. Port 0 binds an ephemeral port for the first socket; the others reuse it.
#pragma once

#include <string>
#include <vector>

#include "conf/config.h"

namespace lacquer::edge {

struct BoundListeners {
  std::vector<int> fds;
  std::string address;  // "127.0.0.1:41234", with the port actually bound
};

// Throws std::runtime_error naming the address and the OS error on failure.
BoundListeners bind_listeners(const conf::Endpoint& endpoint, int count);

}  // namespace lacquer::edge
