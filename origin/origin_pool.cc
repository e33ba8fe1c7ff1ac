#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

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
  }
  return "unknown";
}

// ---- OriginFetch ----

OriginFetch::~OriginFetch() {
  if (conn_) conn_->abandon();
}

void OriginFetch::pause() {
  paused_ = true;
  if (conn_) conn_->pause();
}

void OriginFetch::resume() {
  paused_ = false;
  if (conn_) conn_->resume();
}

void OriginFetch::start() {
  conn_ = pool_.checkout();
  conn_->begin(this);
}

void OriginFetch::connection_failed_before_response(OriginError e, bool may_retry) {
  if (may_retry && idempotent_ && !retried_) {
    retried_ = true;
    pool_.counters_.bump(pool_.counters_.retries);
    // A fresh connection: the other idle ones may be just as stale.
    conn_ = new OriginConnection(pool_);
    pool_.all_.push_back(conn_);
    conn_->connect();
    conn_->begin(this);
    return;
  }
  observer_->on_origin_error(e, false);
}

// ---- OriginPool ----

OriginPool::OriginPool(event_base* base, const conf::OriginConfig& config,
                       const http::ParseLimits& limits)
    : base_(base), config_(config), limits_(limits) {
  // Resolved once, at start-up (before the loop runs), so no lookup ever blocks the loop.
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(config.address.port);
  if (getaddrinfo(config.address.host.c_str(), port.c_str(), &hints, &res) != 0 || !res)
    throw std::runtime_error("cannot resolve origin " + config.address.to_string());
  addr_.assign(reinterpret_cast<unsigned char*>(res->ai_addr),
               reinterpret_cast<unsigned char*>(res->ai_addr) + res->ai_addrlen);
  addr_len_ = static_cast<int>(res->ai_addrlen);
  family_ = res->ai_family;
  freeaddrinfo(res);
}

OriginPool::~OriginPool() {
  for (OriginConnection* c : all_) c->destroy();
}

std::unique_ptr<OriginFetch> OriginPool::fetch(FetchSpec spec, FetchObserver* observer) {
  counters_.bump(counters_.fetches);
  std::unique_ptr<OriginFetch> f(new OriginFetch(*this));
  f->observer_ = observer;
  f->request_ = std::move(spec.request);
  f->idempotent_ = spec.idempotent;
  f->head_request_ = spec.head_request;
  f->upgrade_ = spec.upgrade;
  f->start();
  return f;
}

OriginConnection* OriginPool::checkout() {
  if (!idle_.empty()) {
    OriginConnection* c = idle_.back();  // most recently used: least likely to be closed
    idle_.pop_back();
    counters_.bump(counters_.reuses);
    return c;
  }
  auto* c = new OriginConnection(*this);
  all_.push_back(c);
  c->connect();
  return c;
}

void OriginPool::checkin(OriginConnection* conn) {
  if (idle_.size() >= config_.max_idle_per_worker) {
    conn->abandon();
    return;
  }
  conn->park();
  idle_.push_back(conn);
}

void OriginPool::forget(OriginConnection* conn) {
  idle_.erase(std::remove(idle_.begin(), idle_.end(), conn), idle_.end());
  all_.erase(std::remove(all_.begin(), all_.end(), conn), all_.end());
}

}  // namespace lacquer::origin
