// A worker thread: one libevent loop with its own listening socket (SO_REUSEPORT spreads
// connections across workers), its client connections, and its own origin connection pool.
// Nothing a worker owns is touched by another thread, except its metrics (atomics, read by the
// admin thread) and drain(), which only activates an event on the worker's loop.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "cache/tiered_cache.h"
#include "conf/config.h"
#include "edge/clock.h"
#include "edge/fetch/fetch_context.h"
#include "edge/fetch/inflight.h"
#include "edge/fetch/origin_fetcher.h"
#include "edge/proxy/client_side.h"
#include "edge/proxy/engine_context.h"
#include "edge/server/loop_inbox.h"
#include "edge/admin/purge_acl.h"
#include "edge/admin/purge_service.h"
#include "edge/admin/recent_purges.h"
#include "edge/latency_histogram.h"
#include "edge/metrics.h"
#include "http/parser.h"
#include "origin/origin_client.h"
#include "purge/version_table.h"

struct event_base;
struct event;
struct evconnlistener;
struct sockaddr;

namespace lacquer::storage {
class MemoryTier;
class DiskTier;
class PresenceFilter;
class StateDb;
}  // namespace lacquer::storage
namespace lacquer::purge {
class PurgeStore;
class Sweeper;
}  // namespace lacquer::purge
namespace lacquer::cluster {
class Node;
}  // namespace lacquer::cluster

namespace lacquer::edge {

class ClientConnection;
class Connection;

// What all workers share: read-only config, the tiers and the cache facade over them, the purge
// version table and its store, coalescing, and the connection cap.
struct SharedState {
  explicit SharedState(const conf::Config& c);
  ~SharedState();
  const conf::Config& config;
  http::ParseLimits parse_limits;
  std::unique_ptr<storage::MemoryTier> tier;
  std::unique_ptr<storage::StateDb> state_db;
  std::unique_ptr<storage::DiskTier> disk;
  std::unique_ptr<storage::PresenceFilter> disk_filter;  // set with `disk`; destroyed before it
  purge::VersionTable versions;
  std::unique_ptr<cache::TieredCache> cache;  // over tier, disk and versions
  std::unique_ptr<purge::PurgeStore> purge_store;
  std::unique_ptr<cluster::Node> cluster;  // with [cluster]; declared after purge_store: stops first
  std::unique_ptr<purge::Sweeper> sweeper;  // declared after tier and versions: stops first
  InflightTable inflight;  // request coalescing across workers
  purge::PurgeMetrics purge_metrics;
  PurgeAcl purge_acl;
  std::atomic<std::uint32_t> open_connections{0};
  std::string via;  // "1.1 lacquer/<version>"
  RecentPurges recent_purges;  // for the dashboard
  std::string listen_address;  // the main listener as bound ("127.0.0.1:8080"): cache warming's way in
  std::int64_t started_at = 0;
  SystemClock clock;
  // Every worker, for /metrics; filled before any thread starts, read-only afterwards.
  std::vector<const class Worker*> workers;
  class AccessLog* access_log = nullptr;  // set before the workers start; outlives them
  std::atomic<std::uint64_t> reloads{0}, reload_failures{0};
  // The configuration as the last reload left it (main thread only): only its live keys are
  // in effect; the others are compared against to name what needs a restart.
  conf::Config live_config;
};

class PurgeFrontDoor;

class Worker {
 public:
  enum class Role : std::uint8_t { Proxy, Admin };  // the admin worker never talks to the origin
  // `listen_fd` is a bound, listening socket the worker takes over.
  Worker(int index, SharedState& shared, int listen_fd, Role role);
  ~Worker();

  void start();
  // Thread-safe: stop accepting, let in-flight responses finish, then end the loop.
  void drain();
  // Thread-safe: end the loop now; in-flight responses are cut (SIGQUIT).
  void stop_now();
  void join();

  // ---- used on the worker's own thread ----
  event_base* base() { return base_; }
  SharedState& shared() { return shared_; }
  const conf::Config& config() const { return shared_.config; }
  WorkerMetrics& metrics() { return metrics_; }
  const WorkerMetrics& metrics() const { return metrics_; }
  // Request duration and time to the origin's head, as the access log measures them.
  LatencyHistogram& request_seconds() { return request_seconds_; }
  const LatencyHistogram& request_seconds() const { return request_seconds_; }
  LatencyHistogram& origin_first_byte_seconds() { return origin_first_byte_seconds_; }
  const LatencyHistogram& origin_first_byte_seconds() const { return origin_first_byte_seconds_; }
  LoopInbox& inbox() { return *inbox_; }
  const origin::OriginPool* origin_pool_if_any() const { return pool_.get(); }
  void connection_closed(Connection* conn);
  // A cleartext connection that started with the HTTP/2 preface: its socket moves to an
  // Http2Connection and `from` is deleted.
  void switch_to_http2(ClientConnection* from);
  int index() const { return index_; }

 private:
  static void on_accept(evconnlistener* l, int fd, sockaddr* addr, int len, void* self);
  static void on_drain(int fd, short what, void* self);
  static void on_drain_deadline(int fd, short what, void* self);
  void maybe_exit();

  int index_;
  SharedState& shared_;
  event_base* base_ = nullptr;
  evconnlistener* listener_ = nullptr;
  event* drain_event_ = nullptr;
  event* drain_deadline_ = nullptr;
  WorkerMetrics metrics_;
  LatencyHistogram request_seconds_;
  LatencyHistogram origin_first_byte_seconds_;
  std::unique_ptr<origin::OriginPool> pool_;
  std::unique_ptr<LoopInbox> inbox_;
  // The request engine's dependencies (proxy workers only), then the exchange factory.
  std::unique_ptr<FetchContext> fetch_context_;
  std::unique_ptr<OriginFetcher> fetcher_;
  std::unique_ptr<PurgeFrontDoor> purge_door_;
  std::unique_ptr<EngineContext> engine_;
  std::unique_ptr<ExchangeFactory> factory_;
  std::unordered_set<Connection*> connections_;
  std::thread thread_;
  bool draining_ = false;
};

}  // namespace lacquer::edge
