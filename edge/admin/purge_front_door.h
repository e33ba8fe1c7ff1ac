// PURGE on the main port: allowed by the purge ACL (client address or bearer token), then parsed
// into targets and run as a PurgeExchange; refused with 403 or 400 otherwise.
#pragma once

#include <memory>

#include "edge/proxy/client_side.h"

namespace lacquer::edge {

class Worker;

class PurgeFrontDoor {
 public:
  explicit PurgeFrontDoor(Worker& worker) : worker_(worker) {}
  std::unique_ptr<Exchange> create(ClientSide& client);

 private:
  Worker& worker_;
};

}  // namespace lacquer::edge
