// What a worker keeps of each client connection, whatever its protocol (http1/, http2/): it can
// be asked to drain (graceful shutdown) and it is deleted by the worker once it has closed.
#pragma once

namespace lacquer::edge {

class Connection {
 public:
  virtual ~Connection() = default;
  // Graceful shutdown: finish what is in flight, then close; close at once if idle.
  virtual void drain() = 0;
};

}  // namespace lacquer::edge
