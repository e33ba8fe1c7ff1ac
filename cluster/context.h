// State shared by the cluster's two threads (publisher, consumer) and the callers of Node.
//
// Threads: the consumer thread reads the stream and applies events; the publisher thread
// appends the outbox, reports this node's position, keeps the membership snapshot and answers
// "purged everywhere" waiters; the PurgeStore writer thread runs the durable callbacks. Worker
// loops only call Node's non-blocking methods. Everything below `mu` is guarded by it; no lock
// is held across Redis or RocksDB I/O.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cluster/event.h"
#include "cluster/membership.h"
#include "cluster/records.h"
#include "cluster/redis_link.h"
#include "conf/config.h"
#include "purge/purge_store.h"
#include "purge/version_table.h"

namespace lacquer::cluster {

struct ClusterMetrics {
  std::atomic<std::uint64_t> published{0};        // outbox entries appended to the stream
  std::atomic<std::uint64_t> publish_errors{0};   // XADD answered with an error
  std::atomic<std::uint64_t> applied{0};          // events from other nodes or publishers applied
  std::atomic<std::uint64_t> skipped_own{0};      // this node's own events (applied when accepted)
  std::atomic<std::uint64_t> skipped_hello{0};
  std::array<std::atomic<std::uint64_t>, kDecodeErrorKinds> skipped_bad{};  // by DecodeError
  std::atomic<std::uint64_t> gap_purges{0};
  std::atomic<std::uint64_t> outbox_depth{0};
  std::atomic<std::uint64_t> lag_ms{0};
  std::atomic<bool> publisher_connected{false};
  std::atomic<bool> consumer_connected{false};
  std::atomic<std::uint64_t> connect_failures{0};
  std::atomic<std::uint64_t> waits_everywhere{0};
  std::atomic<std::uint64_t> waits_timed_out{0};
};

using WaitDone = std::function<void(bool everywhere, std::vector<std::string> lagging)>;

struct Context {
  Context(const conf::ClusterConfig& c, purge::VersionTable& v, purge::PurgeStore& s, RecordStore r)
      : config(c), versions(v), store(s), records(r), nodes_key(c.stream + ":nodes") {}

  const conf::ClusterConfig& config;
  purge::VersionTable& versions;
  purge::PurgeStore& store;
  RecordStore records;
  const std::string nodes_key;
  ClusterMetrics metrics;

  LinkOptions link_options() const {
    return {config.redis.host, config.redis.port, config.username, config.password, config.connect_timeout_ms};
  }
  static std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch()).count());
  }

  std::mutex mu;
  std::condition_variable wake;  // the publisher waits on it; stop wakes both threads
  bool stopping = false;
  bool outbox_dirty = true;
  StreamId durable_position;  // the newest position committed with what it applied
  bool position_dirty = true;
  bool ready = false;  // caught up once, or Redis unreachable at start (serve anyway)
  std::condition_variable ready_cv;
  // Membership snapshot, refreshed by the publisher.
  std::vector<NodeState> nodes;
  StreamId last_entry;
  std::uint64_t snapshot_ms = 0;
  // Purge-Wait: all
  struct Waiter {
    std::uint64_t seq;
    std::uint64_t deadline_ms;
    WaitDone done;
  };
  std::vector<Waiter> waiters;
  std::map<std::uint64_t, StreamId> published;  // purge seq -> stream id (recent ones)
  // Told of each purge applied from the stream (another node's or a publisher's, and the
  // conservative purge after a gap) on the consumer thread; set before start().
  std::function<void(const Event&)> on_applied;

  bool is_stopping() {
    std::lock_guard lock(mu);
    return stopping;
  }
  // Sleeps up to `ms`, less if stopped. Returns false when stopping.
  bool pause(std::uint32_t ms) {
    std::unique_lock lock(mu);
    wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
    return !stopping;
  }
  void set_ready() {
    {
      std::lock_guard lock(mu);
      ready = true;
    }
    ready_cv.notify_all();
  }
  void advance_durable(StreamId id) {
    {
      std::lock_guard lock(mu);
      if (durable_position < id) {
        durable_position = id;
        position_dirty = true;
      }
    }
    wake.notify_all();
  }
};

}  // namespace lacquer::cluster
