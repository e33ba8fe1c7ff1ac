// Hands work from any thread to one event loop: other threads post closures, the loop runs them
// in order from a libevent callback. The RocksDB writer uses it to tell a worker that a purge is
// durable. Requires evthread_use_pthreads() before the loop's event_base was created.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "cache/loop_poster.h"

struct event_base;
struct event;

namespace lacquer::edge {

class LoopInbox final : public cache::LoopPoster {
 public:
  explicit LoopInbox(event_base* base);
  ~LoopInbox();
  LoopInbox(const LoopInbox&) = delete;
  LoopInbox& operator=(const LoopInbox&) = delete;

  // Thread-safe. `fn` runs later on the loop thread.
  void post(std::function<void()> fn) override;

 private:
  static void on_ready(int fd, short what, void* self);
  std::mutex mu_;
  std::vector<std::function<void()>> pending_;
  event* event_ = nullptr;
};

}  // namespace lacquer::edge
