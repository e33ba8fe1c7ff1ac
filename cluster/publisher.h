// The publisher thread: appends the durable outbox to the stream in key (= purge sequence)
// order and deletes what Redis accepted; reports this node's applied position with a heartbeat;
// keeps the membership snapshot (GET /cluster) and answers "Purge-Wait: all" waiters. With
// Redis down the outbox simply grows (the purges already hold locally) and is sent when Redis
// is back.
#pragma once

#include <string>
#include <thread>

#include "cluster/context.h"

namespace lacquer::cluster {

class Publisher {
 public:
  explicit Publisher(Context& ctx) : ctx_(ctx), link_(ctx.link_options()) {}
  ~Publisher() { join(); }
  void start() { thread_ = std::thread([this] { run(); }); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run();
  bool publish_outbox();   // false if the link dropped
  bool report_position(bool heartbeat_due);
  bool refresh_snapshot();
  bool trim_by_age();
  void resolve_waiters(bool connected);

  Context& ctx_;
  RedisLink link_;
  bool logged_xadd_error_ = false;
  std::uint64_t last_heartbeat_ms_ = 0;
  std::uint64_t last_trim_ms_ = 0;
  std::thread thread_;
};

}  // namespace lacquer::cluster
