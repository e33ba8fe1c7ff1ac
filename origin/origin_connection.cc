#include "origin/origin_connection.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "origin/socket_read.h"

namespace lacquer::origin {
namespace {

// Copies the parsed head out of the socket buffer and re-points the views at the copy.
void copy_head(ResponseHead& out, std::string_view buf, const http::ResponseHeadParse& p,
               const std::vector<http::Header>& scratch) {
  out.raw.assign(buf.data(), p.consumed);
  const char* old_base = buf.data();
  auto rebase = [&](std::string_view v) {
    return std::string_view(out.raw.data() + (v.data() - old_base), v.size());
  };
  out.line = p.line;
  out.line.reason = p.line.reason.empty() ? std::string_view() : rebase(p.line.reason);
  out.headers.clear();
  out.headers.reserve(p.header_count);
  for (std::size_t i = 0; i < p.header_count; ++i)
    out.headers.push_back({rebase(scratch[i].name), rebase(scratch[i].value)});
}

}  // namespace

OriginConnection::OriginConnection(OriginPool& pool, int server) : pool_(pool), server_(server) {
  if (const TlsClientContext* tls = pool_.pool_.tls.get()) {
    // HTTPS origin: the bufferevent runs the handshake after the connect and reports
    // BEV_EVENT_CONNECTED once it is done; it owns (and frees) the SSL.
    SSL* ssl = tls->new_ssl(pool_.pool_.servers[static_cast<std::size_t>(server)]->config().host);
    if (ssl) bev_ = bufferevent_openssl_socket_new(pool_.base_, -1, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    tls_ = true;
    if (bev_) bufferevent_openssl_set_allow_dirty_shutdown(bev_, 1);  // origins that close without close_notify
    else tls_setup_failed_ = true;  // never fall back to cleartext: connect() fails instead
  }
  if (!bev_) bev_ = bufferevent_socket_new(pool_.base_, -1, BEV_OPT_CLOSE_ON_FREE);
  bufferevent_setcb(bev_, &OriginConnection::on_read, nullptr, &OriginConnection::on_event, this);
  timer_ = evtimer_new(pool_.base_, &OriginConnection::on_timer, this);
  header_scratch_.resize(256);
}

OriginConnection::~OriginConnection() {
  if (timer_) event_free(timer_);
  if (bev_) bufferevent_free(bev_);
}

void OriginConnection::connect() {
  state_ = State::Connecting;
  pool_.counters_.bump(pool_.counters_.connects);
  const SocketAddress& addr = pool_.address(server_);
  if (tls_setup_failed_ || addr.length == 0 ||
      bufferevent_socket_connect(bev_, reinterpret_cast<const sockaddr*>(&addr.storage), static_cast<int>(addr.length)) != 0) {
    connect_failed_ = true;
    arm_timer(0);  // report the failure from the loop, never from inside fetch()
    return;
  }
  arm_timer(pool_.config_.connect_timeout_ms);
}

void OriginConnection::begin(OriginFetch* fetch) {
  fetch_ = fetch;
  ++uses_;
  sent_at_ = std::chrono::steady_clock::now();
  response_started_ = head_seen_ = paused_ = false;
  keep_alive_ = false;
  chunked_ = http::ChunkedDecoder();
  bufferevent_write(bev_, fetch->request_.data(), fetch->request_.size());
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  if (state_ != State::Connecting) {
    state_ = State::AwaitingHead;
    arm_timer(pool_.config_.first_byte_timeout_ms);
  }
}

void OriginConnection::abandon() {
  fetch_ = nullptr;
  close_self();
}

void OriginConnection::pause() {
  paused_ = true;
  bufferevent_disable(bev_, EV_READ);
  event_del(timer_);  // a slow client is not a slow origin
}

void OriginConnection::resume() {
  if (!paused_ || state_ == State::Closed) return;
  paused_ = false;
  bufferevent_enable(bev_, EV_READ);
  arm_timer(pool_.config_.read_timeout_ms);
  // Bytes may already be buffered: process them from the loop, not from the caller's stack.
  if (evbuffer_get_length(bufferevent_get_input(bev_)) > 0) bufferevent_trigger(bev_, EV_READ, BEV_TRIG_DEFER_CALLBACKS);
}

void OriginConnection::park() {
  state_ = State::Idle;
  fetch_ = nullptr;
  bufferevent_enable(bev_, EV_READ);  // notice the origin closing an idle connection
  arm_timer(pool_.config_.idle_timeout_ms);
}

void OriginConnection::destroy() { delete this; }

void OriginConnection::arm_timer(std::uint32_t ms) {
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  evtimer_add(timer_, &tv);
}

void OriginConnection::leave_callback() {
  if (--depth_ == 0 && dead_) {
    pool_.forget(this);
    delete this;
  }
}

void OriginConnection::close_self() {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  event_del(timer_);
  if (bev_) bufferevent_disable(bev_, EV_READ | EV_WRITE);
  dead_ = true;
  if (depth_ == 0) {
    pool_.forget(this);
    delete this;
  }
}

void OriginConnection::on_read(bufferevent*, void* self) {
  auto* c = static_cast<OriginConnection*>(self);
  c->enter_callback();
  if (c->may_have_more_queued()) read_queued(c->bev_, kReadAhead);
  c->process_input();
  c->leave_callback();
}

// libevent read its 4 KiB most (socket_read.h) and the response goes on: the socket probably
// holds more of it. (A small response is read whole by libevent, with no extra FIONREAD.)
bool OriginConnection::may_have_more_queued() const {
  constexpr std::size_t kLibeventMaxRead = 4096;
  if (tls_ || paused_ || (state_ != State::AwaitingHead && state_ != State::ReadingBody)) return false;
  const std::size_t buffered = evbuffer_get_length(bufferevent_get_input(bev_));
  if (buffered < kLibeventMaxRead) return false;
  return !(state_ == State::ReadingBody && framing_.kind == http::BodyKind::ContentLength && remaining_ <= buffered);
}

void OriginConnection::on_timer(int, short, void* self) {
  auto* c = static_cast<OriginConnection*>(self);
  c->enter_callback();
  if (c->state_ == State::Idle) {
    c->close_self();
  } else if (c->connect_failed_) {
    c->fail(OriginError::Refused);
  } else {
    c->fail(OriginError::Timeout);
  }
  c->leave_callback();
}

void OriginConnection::on_event(bufferevent*, short what, void* self) {
  auto* c = static_cast<OriginConnection*>(self);
  c->enter_callback();
  if (what & BEV_EVENT_CONNECTED) {
    int one = 1;
    setsockopt(bufferevent_getfd(c->bev_), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (c->state_ == State::Connecting) {
      c->state_ = State::AwaitingHead;
      c->arm_timer(c->pool_.config_.first_byte_timeout_ms);
    }
  } else if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
    if (c->state_ == State::AwaitingHead || c->state_ == State::ReadingBody) c->process_input();
    if (c->dead_ || c->state_ == State::Closed) {
      // handled while draining the last bytes
    } else if (c->state_ == State::Idle) {
      c->close_self();
    } else if (c->state_ == State::Connecting) {
      c->fail(OriginError::Refused);
    } else if (c->state_ == State::ReadingBody && (what & BEV_EVENT_EOF) &&
               c->framing_.kind == http::BodyKind::UntilClose) {
      c->keep_alive_ = false;
      c->finish();
    } else if (c->state_ == State::ReadingBody) {
      c->fail(OriginError::Truncated);
    } else {
      c->fail(OriginError::Reset);
    }
  }
  c->leave_callback();
}

void OriginConnection::process_input() {
  while (!dead_) {
    if (state_ == State::AwaitingHead) {
      if (!read_head()) return;
    } else if (state_ == State::ReadingBody) {
      read_body();
      return;
    } else if (state_ == State::Idle) {
      // An idle connection has nothing to say; anything it sends makes it unusable.
      if (evbuffer_get_length(bufferevent_get_input(bev_)) > 0) close_self();
      return;
    } else {
      return;
    }
  }
}

bool OriginConnection::read_head() {
  evbuffer* in = bufferevent_get_input(bev_);
  std::size_t avail = evbuffer_get_length(in);
  if (avail == 0) return false;
  response_started_ = true;
  const auto& limits = pool_.limits_;
  std::size_t window = std::min(avail, limits.max_header_bytes + limits.max_request_line + 4);
  const char* data = reinterpret_cast<const char*>(evbuffer_pullup(in, window));
  std::string_view buf(data, window);
  auto parsed = http::parse_response_head(buf, header_scratch_, limits);
  if (parsed.status == http::ParseStatus::Incomplete) return false;
  if (parsed.status == http::ParseStatus::Error) {
    fail(OriginError::Malformed);
    return false;
  }
  int status = parsed.line.status;
  if (status >= 100 && status < 200) {
    if (status == 101) {
      if (fetch_->upgrade_) hand_over_upgraded(buf, parsed);
      else fail(OriginError::Malformed);  // an upgrade we did not ask for
      return false;
    }
    // An interim response: pass it on (103 Early Hints, 102 Processing); the final one follows.
    fetch_->observer_->on_origin_interim(std::string_view(data, parsed.consumed));
    if (fetch_gone()) return false;
    evbuffer_drain(in, parsed.consumed);
    return true;
  }
  pool_.report(server_, status < 500);  // passive health: a 5xx counts as a failure
  ResponseHead& head = head_;
  copy_head(head, buf, parsed, header_scratch_);
  evbuffer_drain(in, parsed.consumed);
  std::string_view method = fetch_->head_request_ ? "HEAD" : "GET";
  auto framing = http::response_framing(status, method, head.headers);
  if (!framing.ok()) {
    fail(OriginError::Malformed);
    return false;
  }
  head.framing = framing_ = framing.framing;
  head.server = server_;
  head.first_byte_us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - sent_at_).count());
  remaining_ = framing_.kind == http::BodyKind::ContentLength ? framing_.length : 0;
  keep_alive_ = http::keeps_alive(head.line.version_minor, head.headers) && framing_.kind != http::BodyKind::UntilClose;
  state_ = State::ReadingBody;
  head_seen_ = true;
  arm_timer(pool_.config_.read_timeout_ms);
  fetch_->observer_->on_origin_head(head);
  if (fetch_gone()) return false;
  if (framing_.kind == http::BodyKind::None ||
      (framing_.kind == http::BodyKind::ContentLength && remaining_ == 0)) {
    finish();
    return false;
  }
  return true;
}

// A 101 to our upgrade request: the socket is no longer HTTP. It leaves the pool for good and
// goes to the fetch's observer (a tunnel); this object closes itself without the socket.
void OriginConnection::hand_over_upgraded(std::string_view buf, const http::ResponseHeadParse& parsed) {
  ResponseHead head;
  copy_head(head, buf, parsed, header_scratch_);
  evbuffer_drain(bufferevent_get_input(bev_), parsed.consumed);
  bufferevent_setcb(bev_, nullptr, nullptr, nullptr, nullptr);
  UpgradedConnection taken(bev_);
  bev_ = nullptr;
  OriginFetch* fetch = fetch_;
  fetch_ = nullptr;
  fetch->conn_ = nullptr;
  fetch->release_server();
  close_self();  // deleted when the outermost callback returns
  fetch->observer_->on_origin_upgrade(head, std::move(taken));
}

void OriginConnection::deliver(const char* data, std::size_t len) {
  fetch_->observer_->on_origin_data(data, len);
}

bool OriginConnection::read_body() {
  if (paused_) return false;
  evbuffer* in = bufferevent_get_input(bev_);
  if (evbuffer_get_length(in) == 0) return false;
  arm_timer(pool_.config_.read_timeout_ms);
  if (framing_.kind == http::BodyKind::Chunked) {
    std::size_t len = evbuffer_get_length(in);
    const char* data = reinterpret_cast<const char*>(evbuffer_pullup(in, len));
    std::string_view rest(data, len);
    std::size_t used = 0;
    while (true) {
      auto step = chunked_.step(rest.substr(used));
      used += step.consumed;
      if (step.kind == http::ChunkStep::Kind::Data) {
        deliver(step.data.data(), step.data.size());
        if (fetch_gone()) return false;
      } else if (step.kind == http::ChunkStep::Kind::NeedMore) {
        evbuffer_drain(in, used);
        return false;
      } else if (step.kind == http::ChunkStep::Kind::Done) {
        evbuffer_drain(in, used);
        finish();
        return false;
      } else {
        fail(OriginError::Malformed);
        return false;
      }
    }
  }
  // Content-Length or until-close: hand over whole buffer segments without copying them here.
  while (evbuffer_get_length(in) > 0) {
    std::size_t want = evbuffer_get_length(in);
    if (framing_.kind == http::BodyKind::ContentLength) want = std::min<std::uint64_t>(want, remaining_);
    if (want == 0) break;
    evbuffer_iovec vec;
    int n = evbuffer_peek(in, static_cast<ev_ssize_t>(want), nullptr, &vec, 1);
    if (n < 1) break;
    std::size_t take = std::min(want, vec.iov_len);
    deliver(static_cast<const char*>(vec.iov_base), take);
    if (fetch_gone()) return false;
    evbuffer_drain(in, take);
    if (framing_.kind == http::BodyKind::ContentLength) {
      remaining_ -= take;
      if (remaining_ == 0) {
        finish();
        return false;
      }
    }
  }
  return false;
}

void OriginConnection::finish() {
  event_del(timer_);
  OriginFetch* fetch = fetch_;
  fetch_ = nullptr;
  fetch->conn_ = nullptr;
  fetch->release_server();
  // Bytes after the end of the response mean the origin and we disagree on framing.
  bool clean = evbuffer_get_length(bufferevent_get_input(bev_)) == 0;
  if (keep_alive_ && clean && !paused_) {
    pool_.checkin(this);
  } else {
    close_self();
  }
  fetch->observer_->on_origin_done();
}

void OriginConnection::fail(OriginError e) {
  OriginFetch* fetch = fetch_;
  bool head_seen = head_seen_;
  bool retryable = !response_started_ && reused();
  const bool connect_failed = state_ == State::Connecting;
  if (connect_failed) pool_.report(server_, false);
  fetch_ = nullptr;
  close_self();
  if (!fetch) return;
  fetch->conn_ = nullptr;
  pool_.counters_.bump(pool_.counters_.errors[static_cast<int>(e)]);
  pool_.count_error(server_, e);
  if (head_seen) {
    fetch->release_server();
    fetch->observer_->on_origin_error(e, true);
  } else {
    // A reused connection that dies before any response byte was most likely closed by the
    // origin while idle (the keep-alive race): the fetch may retry once on a new connection.
    fetch->connection_failed_before_response(e, retryable && e != OriginError::Timeout, connect_failed);
  }
}

}  // namespace lacquer::origin
