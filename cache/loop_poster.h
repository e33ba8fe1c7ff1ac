// Hands work to one event loop from any thread. The disk tier answers on its reader threads;
// whoever asked gets the answer on its own loop through this.
#pragma once

#include <functional>

namespace lacquer::cache {

class LoopPoster {
 public:
  virtual ~LoopPoster() = default;
  // Thread-safe. `fn` runs later on the loop's thread.
  virtual void post(std::function<void()> fn) = 0;
};

}  // namespace lacquer::cache
