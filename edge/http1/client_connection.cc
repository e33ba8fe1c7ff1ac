#include "edge/http1/client_connection.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "edge/http1/upgrade_tunnel.h"
#include "edge/proxy/synthetic.h"
#include "edge/server/access_log.h"
#include "edge/server/socket_reader.h"
#include "edge/server/tls_handshake.h"
#include "edge/server/worker.h"
#include "http/h2_request.h"
#include "http/parser.h"
#include "http/serializer.h"

namespace lacquer::edge {
namespace {

// Copies the parsed head out of the input buffer; the views are re-pointed at the copy.
void copy_head(Request& r, std::string_view buf, const http::RequestHeadParse& p,
               const std::vector<http::Header>& scratch) {
  r.raw.assign(buf.data(), p.consumed);
  auto rebase = [&](std::string_view v) {
    return std::string_view(r.raw.data() + (v.data() - buf.data()), v.size());
  };
  r.line = p.line;
  r.line.method = rebase(p.line.method);
  r.line.target = rebase(p.line.target);
  r.headers.clear();
  for (std::size_t i = 0; i < p.header_count; ++i)
    r.headers.push_back({rebase(scratch[i].name), rebase(scratch[i].value)});
}

constexpr std::uint32_t kLingerMs = 1000;
// How long an idle keep-alive connection stays open once another process took the listeners
// over: a busy client's next request arrives well within it.
constexpr std::uint32_t kHandoverIdleGraceMs = 1000;

// The idle connections of this loop thread, oldest at the head.
struct IdleList {
  ClientConnection* head = nullptr;
  ClientConnection* tail = nullptr;
};
thread_local IdleList t_idle;

}  // namespace

void ClientConnection::enter_idle() {
  if (idle_ || closed_) return;
  idle_ = true;
  idle_prev_ = t_idle.tail;
  idle_next_ = nullptr;
  if (t_idle.tail) t_idle.tail->idle_next_ = this;
  else t_idle.head = this;
  t_idle.tail = this;
}

void ClientConnection::leave_idle() {
  if (!idle_) return;
  idle_ = false;
  if (idle_prev_) idle_prev_->idle_next_ = idle_next_;
  else t_idle.head = idle_next_;
  if (idle_next_) idle_next_->idle_prev_ = idle_prev_;
  else t_idle.tail = idle_prev_;
  idle_prev_ = idle_next_ = nullptr;
}

// The last 1/64 of the connection slots (at least one) are kept for connections that are not
// idle: once an accepted connection reaches into them, the oldest idle connection of this thread
// is closed. So an idle crowd settles just under the cap, and a client that comes to send a
// request (or the admin port, which shares the cap) still finds a free slot.
void ClientConnection::evict_oldest_idle_if_full() {
  const auto& shared = worker_.shared();
  const std::uint32_t max = worker_.config().limits.max_connections;
  const std::uint32_t reserve = std::max<std::uint32_t>(1, max / 64);
  if (shared.open_connections.load(std::memory_order_relaxed) + reserve <= max) return;
  ClientConnection* oldest = t_idle.head;
  if (oldest && oldest != this) oldest->close_now();
}

std::string ClientConnection::local_address() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(bufferevent_getfd(bev_), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  char ip[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
    return std::string(ip) + ":" + std::to_string(ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  return {};
}

namespace {

bufferevent* plain_socket(event_base* base, int fd) {
  bufferevent* bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (bev) read_without_fionread(bev);
  return bev;
}

}  // namespace

ClientConnection::ClientConnection(Worker& worker, ExchangeFactory& factory, int fd,
                                   std::string peer_ip)
    : ClientConnection(worker, factory, plain_socket(worker.base(), fd), std::move(peer_ip)) {}

ClientConnection::ClientConnection(Worker& worker, ExchangeFactory& factory, bufferevent* bev,
                                   std::string peer_ip)
    : worker_(worker), factory_(factory), bev_(bev), peer_ip_(std::move(peer_ip)), tls_(is_tls(bev)) {
  const auto& limits = worker_.config().limits;
  header_scratch_.resize(limits.max_header_count);
  bufferevent_setcb(bev_, &ClientConnection::on_read, &ClientConnection::on_write,
                    &ClientConnection::on_event, this);
  bufferevent_setwatermark(bev_, EV_WRITE, limits.max_output_buffer / 2, 0);
  // Reading stays on while a response is written (no epoll_ctl per request); pipelined requests
  // wait in the input buffer, and past this mark libevent stops reading the socket.
  bufferevent_setwatermark(bev_, EV_READ, 0, limits.max_header_bytes + limits.max_request_line + 4096);
  // A client that stops reading our response is dropped after the idle timeout.
  timeval write_tv{static_cast<time_t>(limits.idle_timeout_ms / 1000),
                   static_cast<suseconds_t>((limits.idle_timeout_ms % 1000) * 1000)};
  bufferevent_set_timeouts(bev_, nullptr, &write_tv);
  timer_ = evtimer_new(worker_.base(), &ClientConnection::on_timer, this);
  resume_ = event_new(worker_.base(), -1, 0, &ClientConnection::on_resume, this);
  linger_ = evtimer_new(worker_.base(), &ClientConnection::on_linger, this);
  flush_ = event_new(worker_.base(), -1, 0, &ClientConnection::on_flush, this);
  evbuffer_add_cb(bufferevent_get_output(bev_), &ClientConnection::on_output_added, this);
  bufferevent_enable(bev_, EV_READ);  // EV_WRITE only while a backlog exists (after_write)
  arm_timer(limits.idle_timeout_ms);
  evict_oldest_idle_if_full();
  enter_idle();
  // Bytes that came with the end of a TLS handshake will not raise another read event.
  if (evbuffer_get_length(bufferevent_get_input(bev_)) > 0) event_active(resume_, EV_TIMEOUT, 1);
}

ClientConnection::~ClientConnection() {
  leave_idle();
  exchange_.reset();  // cancels any origin fetch before the buffers go
  retired_.reset();
  tunnel_.reset();    // closes the origin end
  event_free(timer_);
  event_free(resume_);
  event_free(linger_);
  event_free(flush_);
  if (bev_) bufferevent_free(bev_);
}

bufferevent* ClientConnection::release_socket() {
  evbuffer_remove_cb(bufferevent_get_output(bev_), &ClientConnection::on_output_added, this);
  bufferevent_setcb(bev_, nullptr, nullptr, nullptr, nullptr);
  bufferevent* bev = bev_;
  bev_ = nullptr;
  return bev;
}

evbuffer* ClientConnection::output() { return bufferevent_get_output(bev_); }

namespace {

// evbuffer_add_reference cleanup: drops the reference taken for these bytes.
void release_entry(const void*, size_t, void* entry) { static_cast<const storage::Entry*>(entry)->release(); }

void add_entry_bytes(evbuffer* out, const storage::Entry& e, std::string_view bytes) {
  if (bytes.empty()) return;
  e.retain();
  evbuffer_add_reference(out, bytes.data(), bytes.size(), release_entry, const_cast<storage::Entry*>(&e));
}

}  // namespace

void ClientConnection::write_interim(std::string_view raw_heads) {
  if (request_.line.version_minor >= 1) evbuffer_add(output(), raw_heads.data(), raw_heads.size());
}

void ClientConnection::write_head(const ResponseHead& head) {
  record_.note_head(head.fields, head.extra, worker_.logs_access());
  evbuffer* out = output();
  if (head.owner) add_entry_bytes(out, *head.owner, head.fields);
  else evbuffer_add(out, head.fields.data(), head.fields.size());
  chunked_out_ = head.framing == BodyFraming::Stream && request_.line.version_minor >= 1;
  close_delimited_ = head.framing == BodyFraming::Stream && !chunked_out_;
  // The rest of the head in one piece, on the stack when it fits (a hit's tail always does).
  constexpr std::string_view kChunked = "Transfer-Encoding: chunked\r\n";
  const std::string_view connection = connection_header();
  const std::size_t n = head.extra.size() + (chunked_out_ ? kChunked.size() : 0) + connection.size() + 2;
  char stack[512];
  std::string heap;
  char* p = stack;
  if (n > sizeof stack) {
    heap.resize(n);
    p = heap.data();
  }
  char* end = std::copy(head.extra.begin(), head.extra.end(), p);
  if (chunked_out_) end = std::copy(kChunked.begin(), kChunked.end(), end);
  end = std::copy(connection.begin(), connection.end(), end);
  *end++ = '\r';
  *end++ = '\n';
  evbuffer_add(out, p, static_cast<std::size_t>(end - p));
}

void ClientConnection::write_body(std::string_view bytes) {
  if (bytes.empty()) return;
  record_.body_bytes += bytes.size();
  evbuffer* out = output();
  if (!chunked_out_) {
    evbuffer_add(out, bytes.data(), bytes.size());
    return;
  }
  std::string chunk_head;
  http::append_chunk_header(chunk_head, bytes.size());
  evbuffer_add(out, chunk_head.data(), chunk_head.size());
  evbuffer_add(out, bytes.data(), bytes.size());
  evbuffer_add(out, http::kChunkTrailer.data(), http::kChunkTrailer.size());
}

void ClientConnection::write_stored_body(const storage::Entry& owner, std::string_view bytes) {
  record_.body_bytes += bytes.size();
  add_entry_bytes(output(), owner, bytes);
}

std::size_t ClientConnection::writable_bytes() const {
  const std::size_t queued = evbuffer_get_length(bufferevent_get_output(bev_));
  const std::size_t limit = worker_.config().limits.max_output_buffer;
  return queued < limit ? limit - queued : 0;
}

std::string_view ClientConnection::connection_header() const {
  if (!keep_alive()) return "Connection: close\r\n";
  if (request_.line.version_minor == 0) return "Connection: keep-alive\r\n";
  return {};
}

bool ClientConnection::output_over_limit() const {
  return evbuffer_get_length(bufferevent_get_output(bev_)) > worker_.config().limits.max_output_buffer;
}

void ClientConnection::arm_timer(std::uint32_t ms) {
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  evtimer_add(timer_, &tv);
}

// ---- libevent callbacks: the only entry points; each may end with the connection deleted ----

void ClientConnection::on_read(bufferevent*, void* self) {
  auto* c = static_cast<ClientConnection*>(self);
  if (c->switching_) return;
  c->retired_.reset();
  if (c->state_ == State::Closing) {  // lingering close: discard what the client still sends
    evbuffer_drain(bufferevent_get_input(c->bev_), evbuffer_get_length(bufferevent_get_input(c->bev_)));
    return;
  }
  if (c->state_ == State::Tunnel) {
    c->tunnel_->on_client_input();
    return;
  }
  c->process();
}

// libevent wrote part of a backlog (EV_WRITE is only enabled while one exists).
void ClientConnection::on_write(bufferevent*, void* self) {
  auto* c = static_cast<ClientConnection*>(self);
  c->retired_.reset();
  c->after_write();
}

// Output was added: write it at the end of this loop iteration, in one writev with whatever
// else is added meanwhile (pipelined responses, head and body), without an epoll round trip.
void ClientConnection::on_output_added(evbuffer*, const evbuffer_cb_info* info, void* self) {
  auto* c = static_cast<ClientConnection*>(self);
  if (info->n_added == 0 || c->flush_pending_ || c->closed_) return;
  c->flush_pending_ = true;
  event_active(c->flush_, EV_TIMEOUT, 1);
}

void ClientConnection::on_flush(int, short, void* self) {
  auto* c = static_cast<ClientConnection*>(self);
  c->flush_pending_ = false;
  if (c->closed_ || c->switching_) return;
  evbuffer* out = c->output();
  if (c->tls_) {
    if (!tls_write_now(c->bev_)) {
      c->close_now();
      return;
    }
  } else if (evbuffer_get_length(out) > 0) {
    // A socket bufferevent freezes the start of its output so only it drains it; we are the
    // writer here, so thaw it for this one write.
    evbuffer_unfreeze(out, 1);
    int n = evbuffer_write(out, bufferevent_getfd(c->bev_));
    int err = errno;
    evbuffer_freeze(out, 1);
    if (n < 0 && err != EAGAIN && err != EINTR) {
      c->close_now();  // the client is gone (EPIPE, ECONNRESET)
      return;
    }
  }
  c->after_write();
}

void ClientConnection::after_write() {
  if (closed_) return;
  if (evbuffer_get_length(output()) > 0) {
    bufferevent_enable(bev_, EV_WRITE);  // a backlog: libevent writes it as the socket drains
  } else {
    // A disable costs an event_del even with nothing to delete, so only when on; but libevent's
    // TLS bufferevent arms its write event whenever output arrives, so that one always.
    if (tls_ || (bufferevent_get_enabled(bev_) & EV_WRITE)) bufferevent_disable(bev_, EV_WRITE);
    if (state_ == State::Closing) start_linger();
  }
  if (state_ == State::Responding && exchange_ && !output_over_limit()) exchange_->on_output_drained();
  if (state_ == State::Tunnel && !output_over_limit()) tunnel_->on_client_drained();
}

// Lingering close (RFC 9112 §9.6): stop writing, keep reading briefly so the client receives our
// response before any reset caused by its unread pipelined bytes.
void ClientConnection::start_linger() {
  if (evtimer_pending(linger_, nullptr)) return;
  send_close_notify(bev_);
  shutdown(bufferevent_getfd(bev_), SHUT_WR);
  bufferevent_enable(bev_, EV_READ);
  timeval tv{kLingerMs / 1000, (kLingerMs % 1000) * 1000};
  evtimer_add(linger_, &tv);
}

void ClientConnection::on_event(bufferevent*, short what, void* self) {
  auto* c = static_cast<ClientConnection*>(self);
  if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) && c->state_ == State::Responding) {
    c->peer_eof_ = true;  // a half-close: finish the response in flight, then close
    return;
  }
  if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) && c->state_ == State::Tunnel) {
    c->tunnel_->on_client_eof();  // passed on; the tunnel ends when the origin closes too
    return;
  }
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
    if (what & BEV_EVENT_TIMEOUT) c->worker_.metrics().timeouts.inc();
    c->close_now();
  }
}

void ClientConnection::on_timer(int, short, void* self) {
  auto* c = static_cast<ClientConnection*>(self);
  c->retired_.reset();
  if (c->state_ == State::ReadingHead && !c->head_started_) {
    c->close_now();  // idle keep-alive connection
    return;
  }
  if (c->state_ == State::ReadingHead || c->state_ == State::ReadingBody) {
    c->worker_.metrics().timeouts.inc();
    if (c->state_ == State::ReadingBody && c->body_timer_is_deadline_)
      c->worker_.metrics().body_deadlines.inc();
    c->write_simple(408, "request timed out\n", true);
  }
}

void ClientConnection::on_resume(int, short, void* self) {
  auto* c = static_cast<ClientConnection*>(self);
  if (c->switching_) {
    c->worker_.switch_to_http2(c);  // deletes c
    return;
  }
  if (c->closed_) {
    c->worker_.connection_closed(c);  // deletes c
    return;
  }
  c->retired_.reset();
  c->process();
}

void ClientConnection::on_linger(int, short, void* self) {
  static_cast<ClientConnection*>(self)->close_now();
}

// ---- request processing ----

void ClientConnection::process() {
  if (processing_) return;
  processing_ = true;
  while (!closed_) {
    bool progressed = false;
    if (state_ == State::ReadingHead) progressed = step_head();
    else if (state_ == State::ReadingBody) progressed = step_body();
    if (!progressed) break;
  }
  processing_ = false;
}

bool ClientConnection::step_head() {
  evbuffer* in = bufferevent_get_input(bev_);
  std::size_t avail = evbuffer_get_length(in);
  if (avail == 0) return false;
  const auto& limits = worker_.shared().parse_limits;
  if (!head_started_) {
    head_started_ = true;
    record_.begin();
    leave_idle();
    arm_timer(worker_.config().limits.header_timeout_ms);  // absolute: not re-armed per byte
  }
  if (first_request_) {
    const auto preface = http::match_h2_preface(
        std::string_view(reinterpret_cast<const char*>(evbuffer_pullup(in, std::min<std::size_t>(avail, 24))),
                         std::min<std::size_t>(avail, 24)));
    if (preface == http::PrefaceMatch::Partial) return false;
    if (preface == http::PrefaceMatch::Full) {
      // HTTP/2 with prior knowledge: the worker hands the socket to an Http2Connection from the
      // loop, not from under this call.
      switching_ = true;
      event_del(timer_);
      bufferevent_disable(bev_, EV_READ | EV_WRITE);
      event_active(resume_, EV_TIMEOUT, 1);
      return false;
    }
    first_request_ = false;
  }
  std::size_t window = std::min(avail, limits.max_request_line + limits.max_header_bytes + 4);
  const char* data = reinterpret_cast<const char*>(evbuffer_pullup(in, window));
  std::string_view buf(data, window);
  auto parsed = http::parse_request_head(buf, header_scratch_, limits);
  if (parsed.status == http::ParseStatus::Incomplete) return false;
  worker_.metrics().requests_by_protocol[tls_ ? WorkerMetrics::kHttp1Tls : WorkerMetrics::kHttp1].inc();
  if (parsed.status == http::ParseStatus::Error) {
    reject(parsed.error);
    return false;
  }
  request_.clear();
  copy_head(request_, buf, parsed, header_scratch_);
  evbuffer_drain(in, parsed.consumed);
  auto framing = http::request_framing(request_.line, request_.headers);
  if (!framing.ok()) {
    reject(framing.error);
    return false;
  }
  // We are not a tunnel: CONNECT would have us splice the client to whatever host it names.
  if (request_.line.method == "CONNECT") {
    reject(http::ParseError::MethodNotImplemented);
    return false;
  }
  request_.framing = framing.framing;
  request_.client_keep_alive = http::keeps_alive(request_.line.version_minor, request_.headers);
  if (request_.framing.kind == http::BodyKind::None) {
    dispatch();
    return true;
  }
  if (request_.framing.kind == http::BodyKind::ContentLength &&
      request_.framing.length > worker_.config().limits.max_body_bytes) {
    reject(http::ParseError::BodyTooLarge);
    return false;
  }
  if (auto expect = http::find_header(request_.headers, "Expect")) {
    if (!http::iequals(*expect, "100-continue")) {
      write_simple(417, "only Expect: 100-continue is supported\n", true);
      return false;
    }
    if (request_.line.version_minor >= 1 && evbuffer_get_length(in) == 0)
      bufferevent_write(bev_, "HTTP/1.1 100 Continue\r\n\r\n", 25);
  }
  body_remaining_ = request_.framing.length;
  http::ChunkedLimits chunk_limits;
  chunk_limits.max_body_bytes = worker_.config().limits.max_body_bytes;
  chunked_ = http::ChunkedDecoder(chunk_limits);
  state_ = State::ReadingBody;
  body_deadline_ = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(worker_.config().limits.body_deadline_ms);
  arm_body_timer();
  return true;
}

bool ClientConnection::step_body() {
  evbuffer* in = bufferevent_get_input(bev_);
  std::size_t avail = evbuffer_get_length(in);
  const auto max_body = worker_.config().limits.max_body_bytes;
  if (request_.framing.kind == http::BodyKind::ContentLength) {
    std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(avail, body_remaining_));
    if (take > 0) {
      std::size_t old = request_.body.size();
      request_.body.resize(old + take);
      evbuffer_remove(in, request_.body.data() + old, take);
      body_remaining_ -= take;
    }
    if (body_remaining_ == 0) {
      dispatch();
      return true;
    }
  } else {
    if (avail == 0) return false;
    const char* data = reinterpret_cast<const char*>(evbuffer_pullup(in, avail));
    std::string_view rest(data, avail);
    std::size_t used = 0;
    for (;;) {
      auto step = chunked_.step(rest.substr(used));
      used += step.consumed;
      if (step.kind == http::ChunkStep::Kind::Data) {
        if (request_.body.size() + step.data.size() > max_body) {
          reject(http::ParseError::BodyTooLarge);
          return false;
        }
        request_.body.append(step.data);
      } else if (step.kind == http::ChunkStep::Kind::Error) {
        reject(step.error);
        return false;
      } else {
        evbuffer_drain(in, used);
        if (step.kind == http::ChunkStep::Kind::Done) {
          dispatch();
          return true;
        }
        break;
      }
    }
  }
  arm_body_timer();
  return false;
}

// The next pause allowed: body_timeout, but never past the total body deadline, so a body
// trickled one byte per body_timeout still ends (slow-body attacks).
void ClientConnection::arm_body_timer() {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      body_deadline_ - std::chrono::steady_clock::now());
  const std::uint32_t pause = worker_.config().limits.body_timeout_ms;
  body_timer_is_deadline_ = left.count() <= static_cast<std::int64_t>(pause);
  arm_timer(left.count() <= 0 ? 0 : static_cast<std::uint32_t>(std::min<std::int64_t>(pause, left.count())));
}

void ClientConnection::dispatch() {
  state_ = State::Responding;
  event_del(timer_);
  exchange_ = factory_.create(*this);
  exchange_->start();
}

void ClientConnection::retire_exchange() { retired_ = std::move(exchange_); }

void ClientConnection::note_origin_head() { record_.note_origin_head(); }

void ClientConnection::log_response(bool aborted, bool with_request) {
  record_.done(worker_, peer_ip_, with_request ? &request_ : nullptr,
               request_.line.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1", "http/1.1", aborted);
}

void ClientConnection::finish(bool keep_alive) {
  log_response(false, true);
  if (chunked_out_) evbuffer_add(output(), http::kLastChunk.data(), http::kLastChunk.size());
  keep_alive = keep_alive && !close_delimited_;
  chunked_out_ = close_delimited_ = false;
  retire_exchange();
  if (closed_) return;
  if (!keep_alive || draining_) {
    close_after_flush();
    return;
  }
  if (peer_eof_) {  // the client half-closed after its request: answer, then close
    close_after_flush();
    return;
  }
  state_ = State::ReadingHead;
  head_started_ = false;
  enter_idle();  // until the next request's first byte
  if (evbuffer_get_length(bufferevent_get_input(bev_)) > 0) {
    if (!processing_) event_active(resume_, EV_TIMEOUT, 1);
  } else {
    arm_timer(worker_.config().limits.idle_timeout_ms);
  }
}

void ClientConnection::abort() {
  log_response(true, true);
  chunked_out_ = close_delimited_ = false;
  retire_exchange();
  if (closed_) return;
  // Send what is already queued, then close: the client sees a body shorter than its
  // Content-Length, or a chunked body without its last chunk, and knows it is incomplete.
  close_after_flush();
}

void ClientConnection::drain() {
  draining_ = true;
  if (state_ == State::Tunnel) {  // a tunnel could last forever: it ends now
    tunnel_->close();
    close_after_flush();
    return;
  }
  if (state_ != State::ReadingHead || head_started_) return;  // closes after this response
  // A takeover: the client of an idle keep-alive connection may be sending its next request at
  // this moment; closing would fail it. Its next request is answered (Connection: close) if it
  // comes within the grace; the idle timer closes the connection otherwise.
  if (worker_.handing_over()) {
    arm_timer(std::min<std::uint32_t>(kHandoverIdleGraceMs, worker_.config().limits.idle_timeout_ms));
    return;
  }
  close_now();
}

void ClientConnection::start_tunnel(const ResponseHead& head, std::string_view protocol,
                                    origin::UpgradedConnection origin) {
  record_.note_head(head.fields, head.extra, worker_.logs_access());
  evbuffer* out = output();
  evbuffer_add(out, head.fields.data(), head.fields.size());
  evbuffer_add(out, head.extra.data(), head.extra.size());
  std::string upgrade = "Connection: Upgrade\r\nUpgrade: ";
  upgrade.append(protocol).append("\r\n\r\n");
  evbuffer_add(out, upgrade.data(), upgrade.size());
  log_response(false, true);
  retire_exchange();
  if (closed_) return;
  if (draining_) {
    close_after_flush();
    return;
  }
  state_ = State::Tunnel;
  const auto& limits = worker_.config().limits;
  tunnel_ = std::make_unique<UpgradeTunnel>(
      worker_.base(), bev_, std::move(origin),
      UpgradeTunnel::Limits{.idle_timeout_ms = limits.tunnel_idle_timeout_ms, .max_output_buffer = limits.max_output_buffer},
      worker_.metrics(), [this] { close_after_flush(); });
  tunnel_->start();
  if (peer_eof_) tunnel_->on_client_eof();
}

void ClientConnection::reject(http::ParseError error) {
  worker_.metrics().bad_requests.inc();
  std::string body(http::describe(error));
  body.push_back('\n');
  write_simple(http::status_for(error), body, true);
}

void ClientConnection::write_simple(int status, std::string_view body, bool close) {
  std::string head;
  append_synthetic_head(head, status, body.size(), worker_.shared().via, "lacquer; detail=rejected",
                        close ? "Connection: close\r\n" : connection_header());
  bufferevent_write(bev_, head.data(), head.size());
  bufferevent_write(bev_, body.data(), body.size());
  record_.status = status;
  record_.cache_status = "lacquer; detail=rejected";
  record_.body_bytes = body.size();
  log_response(false, false);
  if (close) close_after_flush();
}

void ClientConnection::close_after_flush() {
  leave_idle();
  state_ = State::Closing;
  event_del(timer_);
  bufferevent_disable(bev_, EV_READ);
  // Nothing pipelined behind this response will run.
  evbuffer* in = bufferevent_get_input(bev_);
  evbuffer_drain(in, evbuffer_get_length(in));
  if (evbuffer_get_length(output()) == 0) start_linger();
}

void ClientConnection::close_now() {
  if (closed_) return;
  closed_ = true;
  leave_idle();
  if (tunnel_) tunnel_->close();
  bufferevent_disable(bev_, EV_READ | EV_WRITE);
  event_del(timer_);
  event_del(linger_);
  // Deleted from the loop, never from under a caller's stack frame.
  event_active(resume_, EV_TIMEOUT, 1);
}

}  // namespace lacquer::edge
