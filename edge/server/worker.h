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
#include "edge/server/live_settings.h"
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
class TlsHandshake;
class TlsListener;

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
  std::atomic<std::uint32_t> open_connections{0};
  std::string via;  // "1.1 lacquer/<version>"
  RecentPurges recent_purges;  // for the dashboard
  // Cache warming's way in: the main listener as bound ("127.0.0.1:8080"), else the first
  // cleartext [[listen]] table, else the first TLS one (then warm_tls).
  std::string warm_address;
  bool warm_tls = false;
  std::int64_t started_at = 0;
  SystemClock clock;
  // Every worker, for /metrics; filled before any thread starts, read-only afterwards.
  std::vector<const class Worker*> workers;
  const class Worker* admin_worker = nullptr;  // its purges count per site too
  class AccessLog* access_log = nullptr;  // set before the workers start; outlives them
  // One per [[listen]] table (null for cleartext ones); set before the workers start.
  const std::vector<std::unique_ptr<TlsListener>>* tls_listeners = nullptr;
  std::atomic<std::uint64_t> reloads{0}, reload_failures{0};
  // The snapshot the last reload published (main thread only); every worker starts with it.
  // Its config's restart-only keys keep their start-up values: a reload compares against it
  // to name what needs a restart. Sites and origin pools are in it (edge/server/live_settings.h):
  // read them through Worker::live() on a loop, never from here.
  LiveSettingsPtr live;
};

class PurgeFrontDoor;

class Worker {
 public:
  enum class Role : std::uint8_t { Proxy, Admin };  // the admin worker never talks to the origin
  // `listen_fd` is a bound, listening socket the worker takes over (-1: none, when only
  // add_listener() gives it sockets).
  Worker(int index, SharedState& shared, int listen_fd, Role role);
  ~Worker();
  // Before start(): one more listening socket (a [[listen]] table, or a takeover bringing more
  // sockets than workers); with `tls`, its connections handshake first (the listener outlives
  // the worker).
  void add_listener(int listen_fd, TlsListener* tls = nullptr);
  void start();
  // Thread-safe: stop accepting, let in-flight responses finish, then end the loop.
  void drain();
  // Thread-safe: drain() for a takeover. Another process now accepts on the same sockets, so an
  // idle keep-alive connection is not cut at once (its client may be sending the next request
  // right now) but gets a short grace in which its next request is answered with
  // Connection: close.
  void hand_over();
  bool handing_over() const { return handing_over_.load(std::memory_order_relaxed); }
  // Thread-safe: end the loop now; in-flight responses are cut (SIGQUIT).
  void stop_now();
  void join();

  // ---- used on the worker's own thread ----
  event_base* base() { return base_; }
  SharedState& shared() { return shared_; }
  // This worker's current configuration: the live keys as the last reload it applied left them.
  const conf::Config& config() const { return config_; }
  const LiveSettings& live() const { return *live_; }
  const LiveSettingsPtr& live_ptr() const { return live_; }
  // Thread-safe: this worker applies `settings` on its loop, between two callbacks.
  void publish(LiveSettingsPtr settings);
  WorkerMetrics& metrics() { return metrics_; }
  const WorkerMetrics& metrics() const { return metrics_; }
  // Request duration and time to the origin's head, as the access log measures them.
  LatencyHistogram& request_seconds() { return request_seconds_; }
  // Whether responses are written to the access log now (a reload may switch it).
  bool logs_access() const;
  const LatencyHistogram& request_seconds() const { return request_seconds_; }
  LatencyHistogram& origin_first_byte_seconds() { return origin_first_byte_seconds_; }
  const LatencyHistogram& origin_first_byte_seconds() const { return origin_first_byte_seconds_; }
  // Per site (conf::Routing's site index) and per origin server ([pool][server]) on this loop.
  // By slot (edge/metric_slots.h: LiveSettings::site_slots, server_slots say which).
  SiteCounters& site_counters(int slot) { return site_counters_[static_cast<std::size_t>(slot)]; }
  const SiteCounters& site_counters(int slot) const { return site_counters_[static_cast<std::size_t>(slot)]; }
  LatencyHistogram& server_first_byte(int slot) { return server_first_byte_[static_cast<std::size_t>(slot)]; }
  const LatencyHistogram& server_first_byte(int slot) const { return server_first_byte_[static_cast<std::size_t>(slot)]; }
  // This loop's counters of `site` (an index into live().routing); nullptr when it has no slot.
  SiteCounters* counters_of_site(int site);
  LoopInbox& inbox() { return *inbox_; }
  const origin::OriginCounters* origin_counters_if_any() const { return routes_ ? &origin_counters_ : nullptr; }
  void connection_closed(Connection* conn);
  // A cleartext connection that started with the HTTP/2 preface: its socket moves to an
  // Http2Connection and `from` is deleted.
  void switch_to_http2(ClientConnection* from);
  // A TLS handshake finished: its bufferevent moves to the connection ALPN chose, and `from`
  // is deleted.
  void tls_established(TlsHandshake* from);
  int index() const { return index_; }

 private:
  struct ExtraListener;
  static void on_accept(evconnlistener* l, int fd, sockaddr* addr, int len, void* self);
  static void on_accept_extra(evconnlistener* l, int fd, sockaddr* addr, int len, void* self);
  // The connection cap and the socket options every accepted connection gets; false: closed.
  bool admit(int fd);
  static void on_drain(int fd, short what, void* self);
  static void on_drain_deadline(int fd, short what, void* self);
  void maybe_exit();
  // live_ changed (or the worker starts): this loop's view of its sites and pools follows it.
  // A pool that did not change keeps its OriginPool (and keep-alive connections); the others
  // are retired: idle connections close now, busy ones when their response ends.
  void apply_routes(const conf::OriginConfig& previous_origin);
  static void on_retired_sweep(int fd, short what, void* self);

  int index_;
  SharedState& shared_;
  LiveSettingsPtr live_;
  // A copy of live_->config at a fixed address: the engine's contexts hold a reference to it.
  // Assigned on this worker's thread only.
  conf::Config config_;
  event_base* base_ = nullptr;
  evconnlistener* listener_ = nullptr;
  std::vector<std::unique_ptr<ExtraListener>> extra_listeners_;
  std::atomic<bool> handing_over_{false};
  event* drain_event_ = nullptr;
  event* drain_deadline_ = nullptr;
  WorkerMetrics metrics_;
  LatencyHistogram request_seconds_;
  LatencyHistogram origin_first_byte_seconds_;
  // Per site and per origin server on this loop, by slot (edge/metric_slots.h; live_ says which).
  std::unique_ptr<SiteCounters[]> site_counters_;
  std::unique_ptr<LatencyHistogram[]> server_first_byte_;
  origin::OriginCounters origin_counters_;  // all of this loop's pools together
  LoopRoutesPtr routes_;                    // proxy workers: sites and pools as live_ says
  // Views a reload replaced, kept until no request or fetch holds them, so they are always
  // freed here, on this loop (a fetch coalesced from another loop may hold one for a while).
  std::vector<LoopRoutesPtr> retired_routes_;
  event* retired_sweep_ = nullptr;
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
