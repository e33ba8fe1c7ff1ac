// The consumer thread: reads the stream from this node's last applied position and applies
// every event in order. Each XREAD batch is applied to the version table and committed with its
// last entry's ID as the new position in one synced RocksDB batch, so a crash can neither lose
// an event nor apply one twice. Before reading, and whenever it reads a full batch (it is
// behind, the stream may have been trimmed under it), it checks for a gap (gap.h); a gap
// becomes a conservative purge of everything.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/context.h"
#include "cluster/gap.h"

namespace lacquer::cluster {

class Consumer {
 public:
  explicit Consumer(std::shared_ptr<Context> ctx) : shared_(std::move(ctx)), ctx_(*shared_), link_(ctx_.link_options()) {}
  ~Consumer() { join(); }
  void start() { thread_ = std::thread([this] { run(); }); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run();
  bool attach();      // join (first time) or check the position; false if the link dropped
  bool check_gap();   // false if the link dropped
  bool read_batch(bool block, bool& full);
  void apply_entries(const redisReply* entries);
  void recover(std::string_view reason, std::string_view detail);
  std::optional<StreamId> add_hello();
  void commit(std::vector<purge::PurgeRecord> records, StreamId position);
  void note_link_error();
  // Redis answered an error (a wrong key type, out of memory): log it once, reconnect later.
  void refused(std::string_view command, const std::string& answer);

  std::shared_ptr<Context> shared_;  // commit callbacks hold it: they may outlive this thread
  Context& ctx_;
  RedisLink link_;
  std::optional<StreamId> position_;
  bool missed_start_ = false;  // Redis was unreachable when we started without a position
  std::array<bool, kDecodeErrorKinds> logged_{};
  std::string logged_error_;
  std::string logged_refusal_;
  std::thread thread_;
};

}  // namespace lacquer::cluster
