#include "edge/server/worker.h"

#include <event2/bufferevent.h>

#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "cluster/node.h"
#include "edge/http1/client_connection.h"
#include "edge/http2/http2_connection.h"
#include "edge/admin/admin_exchange.h"
#include "edge/admin/purge_front_door.h"
#include "edge/admin/purge_service.h"
#include "edge/server/access_log.h"
#include "edge/fetch/fetch_job.h"
#include "edge/proxy/proxy_exchange.h"
#include "edge/server/tls_context.h"
#include "edge/server/tls_handshake.h"
#include "purge/scopes.h"
#include "edge/version.h"
#include "purge/purge_store.h"
#include "purge/sweeper.h"
#include "storage/disk_tier.h"
#include "storage/presence_filter.h"
#include "storage/memory_tier.h"
#include "storage/state_db.h"

namespace lacquer::edge {
namespace {

constexpr int kDrainDeadlineSeconds = 30;
constexpr int kRetiredSweepSeconds = 1;

// The [origin] keys an OriginPool copies (its address reaches it through the pool config).
bool same_connection_settings(const conf::OriginConfig& a, const conf::OriginConfig& b) {
  return a.connect_timeout_ms == b.connect_timeout_ms && a.first_byte_timeout_ms == b.first_byte_timeout_ms &&
         a.read_timeout_ms == b.read_timeout_ms && a.idle_timeout_ms == b.idle_timeout_ms &&
         a.max_idle_per_worker == b.max_idle_per_worker;
}

std::string peer_address(const sockaddr* addr) {
  char buf[INET6_ADDRSTRLEN] = "unknown";
  if (addr->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, buf, sizeof buf);
  else if (addr->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, buf, sizeof buf);
  return buf;
}

}  // namespace

SharedState::SharedState(const conf::Config& c)
    : config(c),
      tier(std::make_unique<storage::MemoryTier>(c.cache.memory_bytes,
                                                 storage::MemoryTierOptions{.admission = c.cache.memory_admission})),
      via(std::string("1.1 lacquer/") + LACQUER_VERSION) {
  live = std::make_shared<const LiveSettings>(c, nullptr, nullptr, nullptr);  // run_server sets the real one
  parse_limits.max_request_line = c.limits.max_request_line;
  parse_limits.max_field = c.limits.max_header_field;
  parse_limits.max_header_bytes = c.limits.max_header_bytes;
}

SharedState::~SharedState() = default;

struct Worker::ExtraListener {
  Worker* worker;
  TlsListener* tls;  // null: cleartext
  evconnlistener* listener;
};

Worker::Worker(int index, SharedState& shared, int listen_fd, Role role)
    : index_(index), shared_(shared), live_(shared.live), config_(live_->config) {
  // The changelist folds the add/delete pairs a request makes on its socket within one loop
  // iteration into at most one epoll_ctl.
  event_config* cfg = event_config_new();
  event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
  base_ = event_base_new_with_config(cfg);
  event_config_free(cfg);
  if (listen_fd >= 0)
    listener_ = evconnlistener_new(base_, &Worker::on_accept, this,
                                   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, listen_fd);
  drain_event_ = event_new(base_, -1, 0, &Worker::on_drain, this);
  drain_deadline_ = evtimer_new(base_, &Worker::on_drain_deadline, this);
  inbox_ = std::make_unique<LoopInbox>(base_);
  retired_sweep_ = evtimer_new(base_, &Worker::on_retired_sweep, this);
  site_counters_.reset(new SiteCounters[MetricSlots::kCapacity]);
  server_first_byte_.reset(new LatencyHistogram[MetricSlots::kCapacity]);
  if (role == Role::Admin) {
    factory_ = std::make_unique<AdminExchangeFactory>(*this);
    return;
  }
  auto invalidate = [this](std::vector<std::string> urls) {
    std::vector<PurgeTarget> targets;
    for (auto& url : urls) targets.push_back({purge::Scope::Url, purge::url_hash(url), std::move(url)});
    run_purge(*this, targets, false, [](bool, std::uint64_t) {});
  };
  fetch_context_.reset(new FetchContext{*inbox_, shared.inflight, *shared.cache, config_, shared.clock,
                                        metrics_, shared.purge_metrics, shared.via, invalidate, {}});
  fetcher_ = std::make_unique<OriginFetcher>(*fetch_context_);
  purge_door_ = std::make_unique<PurgeFrontDoor>(*this);
  engine_.reset(new EngineContext{*shared.cache, *fetcher_, *inbox_, shared.clock, config_, metrics_, shared.via,
                                  purge_door_.get(), nullptr});
  engine_->draws = cache::UniformDraws(std::random_device{}());
  factory_ = std::make_unique<ProxyExchangeFactory>(*engine_);
  apply_routes(config_.origin);
}

void Worker::apply_routes(const conf::OriginConfig& previous_origin) {
  if (!engine_ || !live_->pools) return;  // the admin worker never talks to the origin
  if (routes_ && routes_->routing == live_->routing) return;
  auto next = std::make_shared<LoopRoutes>();
  next->routing = live_->routing;
  next->pool_set = live_->pools;
  const bool same_settings = same_connection_settings(previous_origin, config_.origin);
  for (std::size_t i = 0; i < live_->pools->size(); ++i) {
    const origin::PoolState& state = live_->pools->pool(i);
    std::shared_ptr<origin::OriginPool> pool;
    if (routes_ && same_settings)
      for (const auto& p : routes_->pools)
        if (&p->state() == &state) pool = p;  // the same pool: its connections carry over
    if (!pool)
      pool = std::make_shared<origin::OriginPool>(base_, live_->pools->pool(i), config_.origin, shared_.parse_limits,
                                                  origin_counters_);
    next->pools.push_back(std::move(pool));
  }
  for (int slot : live_->site_slots) next->sites.push_back(slot >= 0 ? &site_counters_[static_cast<std::size_t>(slot)] : nullptr);
  for (const auto& row : live_->server_slots) {
    auto& out = next->server_first_byte.emplace_back();
    for (int slot : row) out.push_back(slot >= 0 ? &server_first_byte_[static_cast<std::size_t>(slot)] : nullptr);
  }
  if (routes_) {
    for (const auto& p : routes_->pools)
      if (std::find(next->pools.begin(), next->pools.end(), p) == next->pools.end()) p->retire();
    retired_routes_.push_back(std::move(routes_));
    timeval tv{kRetiredSweepSeconds, 0};
    evtimer_add(retired_sweep_, &tv);
  }
  routes_ = std::move(next);
  engine_->routes = routes_;
}

SiteCounters* Worker::counters_of_site(int site) {
  const auto& slots = live_->site_slots;
  if (site < 0 || static_cast<std::size_t>(site) >= slots.size() || slots[static_cast<std::size_t>(site)] < 0) return nullptr;
  return &site_counters_[static_cast<std::size_t>(slots[static_cast<std::size_t>(site)])];
}

void Worker::on_retired_sweep(int, short, void* self) {
  auto* w = static_cast<Worker*>(self);
  auto& retired = w->retired_routes_;
  // use_count() 1: only this list holds it, and nothing can take a new reference from here.
  retired.erase(std::remove_if(retired.begin(), retired.end(), [](const LoopRoutesPtr& r) { return r.use_count() == 1; }),
                retired.end());
  if (!retired.empty()) {
    timeval tv{kRetiredSweepSeconds, 0};
    evtimer_add(w->retired_sweep_, &tv);
  }
}

Worker::~Worker() {
  for (Connection* c : connections_) delete c;
  connections_.clear();
  factory_.reset();  // the admin factory's warm jobs hold events on base_
  // Jobs hold origin fetches: end them while the pool is still there.
  if (fetch_context_) {
    std::vector<FetchJob*> jobs(fetch_context_->running.begin(), fetch_context_->running.end());
    for (FetchJob* j : jobs) j->cancel();
  }
  // A finished fetch coalesced from another loop may still hold a view of ours: its pools must
  // not touch this loop's base after it is freed.
  if (routes_) retired_routes_.push_back(std::move(routes_));
  for (const auto& r : retired_routes_)
    for (const auto& p : r->pools) p->shutdown();
  retired_routes_.clear();
  if (engine_) engine_->routes.reset();
  event_free(retired_sweep_);
  inbox_.reset();
  if (listener_) evconnlistener_free(listener_);
  for (auto& l : extra_listeners_) evconnlistener_free(l->listener);
  event_free(drain_event_);
  event_free(drain_deadline_);
  event_base_free(base_);
}

void Worker::start() {
  thread_ = std::thread([this] { event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY); });
}

void Worker::stop_now() { event_base_loopexit(base_, nullptr); }

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::drain() { event_active(drain_event_, EV_TIMEOUT, 1); }

void Worker::publish(LiveSettingsPtr settings) {
  inbox_->post([this, settings = std::move(settings)] {
    const conf::OriginConfig previous_origin = config_.origin;
    live_ = settings;
    config_ = settings->config;
    apply_routes(previous_origin);
  });
}

void Worker::hand_over() {
  handing_over_.store(true, std::memory_order_relaxed);
  drain();
}

void Worker::add_listener(int listen_fd, TlsListener* tls) {
  auto l = std::make_unique<ExtraListener>(ExtraListener{this, tls, nullptr});
  l->listener = evconnlistener_new(base_, &Worker::on_accept_extra, l.get(),
                                   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, listen_fd);
  extra_listeners_.push_back(std::move(l));
}

bool Worker::admit(int fd) {
  if (draining_ ||
      shared_.open_connections.fetch_add(1, std::memory_order_relaxed) >= config_.limits.max_connections) {
    if (!draining_) shared_.open_connections.fetch_sub(1, std::memory_order_relaxed);
    metrics_.connections_rejected.inc();
    close(fd);
    return false;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  metrics_.connections_accepted.inc();
  metrics_.connections_open.inc();
  return true;
}

void Worker::on_accept(evconnlistener*, int fd, sockaddr* addr, int, void* self) {
  auto* w = static_cast<Worker*>(self);
  if (!w->admit(fd)) return;
  auto* conn = new ClientConnection(*w, *w->factory_, fd, peer_address(addr));
  w->connections_.insert(conn);
}

void Worker::on_accept_extra(evconnlistener*, int fd, sockaddr* addr, int, void* self) {
  auto* l = static_cast<ExtraListener*>(self);
  Worker* w = l->worker;
  if (!w->admit(fd)) return;
  Connection* conn = nullptr;
  if (l->tls) conn = new TlsHandshake(*w, fd, l->tls->certificates(), peer_address(addr));
  else conn = new ClientConnection(*w, *w->factory_, fd, peer_address(addr));
  w->connections_.insert(conn);
}

void Worker::tls_established(TlsHandshake* from) {
  const bool h2 = from->negotiated_h2();
  std::string peer = from->peer_ip();
  bufferevent* bev = from->release();
  connections_.erase(from);
  delete from;
  if (h2) {
    auto* conn = new Http2Connection(*this, *factory_, bev, std::move(peer));
    connections_.insert(conn);
    conn->start();
  } else {
    connections_.insert(new ClientConnection(*this, *factory_, bev, std::move(peer)));
  }
}

void Worker::switch_to_http2(ClientConnection* from) {
  bufferevent* bev = from->release_socket();
  std::string peer(from->peer_ip());
  connections_.erase(from);
  delete from;
  auto* conn = new Http2Connection(*this, *factory_, bev, std::move(peer));
  connections_.insert(conn);
  conn->start();
}

void Worker::connection_closed(Connection* conn) {
  connections_.erase(conn);
  delete conn;
  shared_.open_connections.fetch_sub(1, std::memory_order_relaxed);
  metrics_.connections_open.dec();
  maybe_exit();
}

void Worker::on_drain(int, short, void* self) {
  auto* w = static_cast<Worker*>(self);
  w->draining_ = true;
  if (w->listener_) {
    evconnlistener_free(w->listener_);  // closes the socket: new connections are refused
    w->listener_ = nullptr;
  }
  for (auto& l : w->extra_listeners_) evconnlistener_free(l->listener);
  w->extra_listeners_.clear();
  // drain() may close idle connections, which removes them from the set: iterate a copy.
  std::vector<Connection*> snapshot(w->connections_.begin(), w->connections_.end());
  for (Connection* c : snapshot) c->drain();
  timeval tv{kDrainDeadlineSeconds, 0};
  evtimer_add(w->drain_deadline_, &tv);
  w->maybe_exit();
}

void Worker::on_drain_deadline(int, short, void* self) {
  event_base_loopexit(static_cast<Worker*>(self)->base_, nullptr);
}

void Worker::maybe_exit() {
  if (draining_ && connections_.empty()) event_base_loopexit(base_, nullptr);
}

bool Worker::logs_access() const { return shared_.access_log && shared_.access_log->enabled(); }

}  // namespace lacquer::edge
