#include <event2/bufferevent.h>
#include <event2/event.h>

#include <algorithm>
#include <cstring>

#include "origin/origin_client.h"
#include "origin/origin_connection.h"

namespace lacquer::origin {

void BuffereventFree::operator()(bufferevent* bev) const noexcept { bufferevent_free(bev); }

std::string_view to_string(OriginError e) noexcept {
  switch (e) {
    case OriginError::Refused: return "refused";
    case OriginError::Reset: return "reset";
    case OriginError::Timeout: return "timeout";
    case OriginError::Malformed: return "malformed";
    case OriginError::Truncated: return "truncated";
    case OriginError::NoServer: return "no-healthy-server";
  }
  return "unknown";
}

// ---- OriginFetch ----

OriginFetch::~OriginFetch() {
  if (conn_) conn_->abandon();
  release_server();
  if (deferred_) event_free(deferred_);
}

void OriginFetch::pause() {
  paused_ = true;
  if (conn_) conn_->pause();
}

void OriginFetch::resume() {
  paused_ = false;
  if (conn_) conn_->resume();
}

void OriginFetch::release_server() {
  if (!counted_) return;
  counted_ = false;
  --pool_.servers_[static_cast<std::size_t>(server_)].outstanding;
}

void OriginFetch::start() {
  server_ = pool_.pick(key_hash_, Balancer::kNone);
  if (server_ == Balancer::kNone) {
    fail_later(OriginError::NoServer);
    return;
  }
  counted_ = true;
  ++pool_.servers_[static_cast<std::size_t>(server_)].outstanding;
  pool_.pool_.servers[static_cast<std::size_t>(server_)]->requests.fetch_add(1, std::memory_order_relaxed);
  conn_ = pool_.checkout(server_);
  conn_->begin(this);
}

void OriginFetch::fail_later(OriginError e) {
  deferred_error_ = e;
  if (!deferred_) deferred_ = evtimer_new(pool_.base_, &OriginFetch::on_deferred, this);
  timeval now{0, 0};
  evtimer_add(deferred_, &now);
}

void OriginFetch::on_deferred(int, short, void* self) {
  auto* f = static_cast<OriginFetch*>(self);
  f->pool_.counters_.bump(f->pool_.counters_.errors[static_cast<int>(f->deferred_error_)]);
  f->observer_->on_origin_error(f->deferred_error_, false);  // may destroy f
}

void OriginFetch::connection_failed_before_response(OriginError e, bool may_retry, bool connect_failed) {
  if (idempotent_ && !retried_ && connect_failed) {
    // Nothing was sent: an idempotent request goes once more, to another server. (A POST is
    // never replayed, even here: the caller decides what is idempotent.)
    const int other = pool_.pick(key_hash_, server_);
    if (other != Balancer::kNone) {
      retried_ = true;
      pool_.counters_.bump(pool_.counters_.retries);
      release_server();
      server_ = other;
      counted_ = true;
      ++pool_.servers_[static_cast<std::size_t>(server_)].outstanding;
      pool_.pool_.servers[static_cast<std::size_t>(server_)]->requests.fetch_add(1, std::memory_order_relaxed);
      conn_ = pool_.checkout(server_);
      conn_->begin(this);
      return;
    }
  }
  if (may_retry && idempotent_ && !retried_) {
    retried_ = true;
    pool_.counters_.bump(pool_.counters_.retries);
    // A fresh connection: the other idle ones may be just as stale.
    conn_ = pool_.connect_new(server_);
    conn_->begin(this);
    return;
  }
  release_server();
  observer_->on_origin_error(e, false);
}

// ---- OriginPool ----

OriginPool::OriginPool(event_base* base, PoolState& pool, const conf::OriginConfig& config,
                       const http::ParseLimits& limits, OriginCounters& counters)
    : base_(base),
      pool_(pool),
      config_(config),
      limits_(limits),
      counters_(counters),
      balancer_(pool.config.balance, pool.servers.size()),
      servers_(pool.servers.size()),
      candidates_(pool.servers.size()) {
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    candidates_[i].weight = pool.config.servers[i].weight;
    candidates_[i].id_hash = pool.servers[i]->id_hash();
  }
}

OriginPool::~OriginPool() { shutdown(); }

void OriginPool::shutdown() {
  for (OriginConnection* c : all_) c->destroy();
  all_.clear();
  for (auto& s : servers_) s.idle.clear();
}

void OriginPool::retire() {
  retired_ = true;
  for (auto& s : servers_) {
    std::vector<OriginConnection*> idle;
    idle.swap(s.idle);
    for (OriginConnection* c : idle) c->abandon();  // closes and forgets itself
  }
}

std::size_t OriginPool::idle_connections() const {
  std::size_t n = 0;
  for (const auto& s : servers_) n += s.idle.size();
  return n;
}

std::unique_ptr<OriginFetch> OriginPool::fetch(FetchSpec spec, FetchObserver* observer) {
  counters_.bump(counters_.fetches);
  std::unique_ptr<OriginFetch> f(new OriginFetch(*this));
  f->observer_ = observer;
  f->request_ = std::move(spec.request);
  f->idempotent_ = spec.idempotent;
  f->head_request_ = spec.head_request;
  f->key_hash_ = spec.key_hash;
  f->upgrade_ = spec.upgrade;
  f->start();
  return f;
}

int OriginPool::pick(std::uint64_t key_hash, int exclude) {
  if (servers_.size() == 1) {  // the common single origin: no balancing to do
    return exclude != 0 && pool_.servers[0]->usable(monotonic_ms()) ? 0 : Balancer::kNone;
  }
  const std::int64_t now = monotonic_ms();
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    candidates_[i].usable = pool_.servers[i]->usable(now);
    candidates_[i].outstanding = servers_[i].outstanding;
  }
  return balancer_.pick(candidates_, key_hash, exclude);
}

const SocketAddress& OriginPool::address(int server) {
  Server& s = servers_[static_cast<std::size_t>(server)];
  const ServerState& shared = *pool_.servers[static_cast<std::size_t>(server)];
  const std::uint64_t gen = shared.address_generation();
  if (gen != s.generation) {
    shared.address(s.addr);
    s.generation = gen;
  }
  return s.addr;
}

OriginConnection* OriginPool::checkout(int server) {
  Server& s = servers_[static_cast<std::size_t>(server)];
  // Connections to an address the name no longer resolves to are left to idle out.
  if (!s.idle.empty() && s.generation == pool_.servers[static_cast<std::size_t>(server)]->address_generation()) {
    OriginConnection* c = s.idle.back();  // most recently used: least likely to be closed
    s.idle.pop_back();
    counters_.bump(counters_.reuses);
    return c;
  }
  return connect_new(server);
}

OriginConnection* OriginPool::connect_new(int server) {
  auto* c = new OriginConnection(*this, server);
  all_.push_back(c);
  c->connect();
  return c;
}

void OriginPool::checkin(OriginConnection* conn) {
  Server& s = servers_[static_cast<std::size_t>(conn->server())];
  if (retired_ || s.idle.size() >= config_.max_idle_per_worker) {
    conn->abandon();
    return;
  }
  conn->park();
  s.idle.push_back(conn);
}

void OriginPool::forget(OriginConnection* conn) {
  auto& idle = servers_[static_cast<std::size_t>(conn->server())].idle;
  idle.erase(std::remove(idle.begin(), idle.end(), conn), idle.end());
  all_.erase(std::remove(all_.begin(), all_.end(), conn), all_.end());
}

void OriginPool::count_error(int server, OriginError e) {
  static_assert(ServerState::kErrorKinds == kOriginErrorKinds);
  pool_.servers[static_cast<std::size_t>(server)]->errors[static_cast<int>(e)].fetch_add(1, std::memory_order_relaxed);
}

void OriginPool::report(int server, bool ok) {
  ServerState& s = *pool_.servers[static_cast<std::size_t>(server)];
  if (ok) s.request_succeeded();
  else s.request_failed(monotonic_ms());
}

}  // namespace lacquer::origin
