// A lacquer node in a cluster: the one object the edge talks to. It owns the consumer and
// publisher threads (see context.h for who runs where). Every method is non-blocking except
// start-up's wait_ready().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cluster/context.h"

namespace lacquer::cluster {

class Consumer;
class Publisher;

class Node {
 public:
  Node(const conf::ClusterConfig& config, purge::VersionTable& versions, purge::PurgeStore& store,
       rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf);
  ~Node();  // stops both threads; pending waiters are dropped unanswered
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // `fn` is told of each purge applied from the stream (not this node's own), on the consumer
  // thread. Precondition: before start().
  void on_applied(std::function<void(const Event&)> fn) { ctx_->on_applied = std::move(fn); }
  // Precondition: called once, after the PurgeStore exists and before any purge.
  void start();
  // Start-up: waits until the consumer has caught up (or found Redis unreachable, in which case
  // the node serves anyway and catches up later). False on timeout.
  bool wait_ready(std::chrono::milliseconds timeout);
  bool ready();

  // The outbox record for a purge this node just accepted, to be committed in the same batch
  // as the purge. `labels` as the purge named its targets (all of `scope`); `seq` its sequence.
  purge::SideWrite outbox_write(purge::Scope scope, const std::vector<std::string>& labels, bool soft, std::string_view site,
                                std::uint64_t seq);

  // "Purged everywhere": `done` runs (on a cluster thread) once every live node has applied the
  // purge numbered `seq`, or after [cluster] wait_timeout with the names of the nodes that lag.
  void wait_everywhere(std::uint64_t seq, WaitDone done);

  std::string status_json();                // GET /cluster
  void render_metrics(std::string& out);     // Prometheus text, appended

 private:
  // Shared with the PurgeStore's callbacks, which may run after this Node is gone.
  std::shared_ptr<Context> ctx_;
  std::unique_ptr<Consumer> consumer_;
  std::unique_ptr<Publisher> publisher_;
};

}  // namespace lacquer::cluster
