#include "edge/http2/http2_connection.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <nghttp2/nghttp2.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "edge/http2/http2_stream.h"
#include "edge/server/tls_handshake.h"
#include "edge/server/worker.h"

namespace lacquer::edge {
namespace {

constexpr std::uint32_t kMaxConcurrentStreams = 100;
// Resets a client may send or provoke beyond the streams it let complete (Rapid Reset,
// CVE-2023-44487; MadeYouReset, CVE-2025-8671).
constexpr std::uint64_t kResetAllowance = 100;
// Streams share this many times the per-stream output cap.
constexpr std::size_t kConnectionCapStreams = 4;
// Closed streams kept for the next ones (their buffers keep their capacity): a busy connection
// then opens streams without heap allocations of its own.
constexpr std::size_t kSpareStreams = 16;

// A send pass gathers its frames here before they reach the socket, so a small response goes
// out in one write with no evbuffer chain allocated and freed for it. One buffer per loop thread,
// shared by its connections: every pass leaves it empty (flush). Past kWireBytes the frames
// move on to the bufferevent's output.
constexpr std::size_t kWireBytes = 64 * 1024;
std::string& wire() {
  thread_local std::string bytes;
  return bytes;
}

Http2Connection* self_of(void* user_data) { return static_cast<Http2Connection*>(user_data); }

std::string_view view(const std::uint8_t* p, std::size_t n) { return {reinterpret_cast<const char*>(p), n}; }

int begin_headers_cb(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  return self_of(user)->on_begin_headers(frame->hd.stream_id);
}

int header_cb(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
              const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;  // trailers: ignored
  return self_of(user)->on_header(frame->hd.stream_id, view(name, namelen), view(value, valuelen));
}

int begin_frame_cb(nghttp2_session*, const nghttp2_frame_hd* hd, void* user) {
  return self_of(user)->on_begin_frame(hd->type, hd->flags, hd->length);
}

int frame_recv_cb(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  const std::uint32_t code = frame->hd.type == NGHTTP2_RST_STREAM ? frame->rst_stream.error_code : 0;
  return self_of(user)->on_frame_recv(frame->hd.type, frame->hd.flags, frame->hd.stream_id, code);
}

int data_chunk_cb(nghttp2_session*, std::uint8_t, std::int32_t stream_id, const std::uint8_t* data, std::size_t len,
                  void* user) {
  return self_of(user)->on_data(stream_id, view(data, len));
}

int frame_send_cb(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  std::uint32_t code = 0;
  if (frame->hd.type == NGHTTP2_RST_STREAM) code = frame->rst_stream.error_code;
  else if (frame->hd.type == NGHTTP2_GOAWAY) code = frame->goaway.error_code;
  return self_of(user)->on_frame_sent(frame->hd.type, frame->hd.stream_id, code);
}

int stream_close_cb(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code, void* user) {
  return self_of(user)->on_stream_close(stream_id, error_code);
}

timeval ms_to_tv(std::uint64_t ms) {
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

}  // namespace

Http2Connection::Http2Connection(Worker& worker, ExchangeFactory& factory, bufferevent* bev, std::string peer_ip)
    : worker_(worker), factory_(factory), bev_(bev), peer_ip_(std::move(peer_ip)), tls_(is_tls(bev)) {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_begin_frame_callback(cbs, begin_frame_cb);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, begin_headers_cb);
  nghttp2_session_callbacks_set_on_header_callback(cbs, header_cb);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, frame_recv_cb);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, data_chunk_cb);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, frame_send_cb);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, stream_close_cb);
  nghttp2_session_server_new(&session_, cbs, this);
  nghttp2_session_callbacks_del(cbs);

  auto* base = worker_.base();
  send_event_ = event_new(base, -1, 0, &Http2Connection::on_send_event, this);
  close_event_ = event_new(base, -1, 0, &Http2Connection::on_close_event, this);
  idle_timer_ = evtimer_new(base, &Http2Connection::on_idle_timer, this);
  settings_timer_ = evtimer_new(base, &Http2Connection::on_settings_timer, this);
  linger_timer_ = evtimer_new(base, &Http2Connection::on_linger_timer, this);
  bufferevent_setcb(bev_, nullptr, &Http2Connection::on_write, &Http2Connection::on_event, this);
  // Frames are processed as they arrive, so unread input never builds up: each read (at most
  // 64 KiB) goes to nghttp2 whole, past the bufferevent's input buffer.
  reader_.attach(bev_, &Http2Connection::on_bytes, this);
  const auto& limits = worker_.config().limits;
  bufferevent_setwatermark(bev_, EV_WRITE, limits.max_output_buffer / 2, 0);
  bufferevent_set_timeouts(bev_, nullptr, nullptr);
  worker_.metrics().h2_connections.inc();
}

Http2Connection::~Http2Connection() {
  retired_.clear();
  streams_.clear();  // drops unfinished exchanges (cancelling origin fetches)
  spare_streams_.clear();
  nghttp2_session_del(session_);
  event_free(send_event_);
  event_free(close_event_);
  event_free(idle_timer_);
  event_free(settings_timer_);
  event_free(linger_timer_);
  reader_.detach();
  bufferevent_free(bev_);
}

void Http2Connection::start() {
  const auto& limits = worker_.config().limits;
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<std::uint32_t>(limits.max_header_bytes)},
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      // RFC 9113 §5.3.2 deprecates RFC 7540's dependency tree; with it off nghttp2 neither
      // builds the tree nor keeps closed streams for it, and schedules streams round-robin.
      {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, sizeof settings / sizeof settings[0]);
  timeval tv = ms_to_tv(limits.header_timeout_ms);
  evtimer_add(settings_timer_, &tv);
  arm_idle();
  bufferevent_disable(bev_, EV_WRITE);  // on only while a backlog exists (flush)
  reader_.enable();
  receive_buffered();
  send();
}

std::size_t Http2Connection::stream_cap() const { return worker_.config().limits.max_output_buffer; }
std::size_t Http2Connection::connection_cap() const { return stream_cap() * kConnectionCapStreams; }

Http2Stream* Http2Connection::stream(std::int32_t id) {
  return static_cast<Http2Stream*>(nghttp2_session_get_stream_user_data(session_, id));
}

void Http2Connection::retire(std::unique_ptr<Exchange> exchange) {
  if (exchange) retired_.push_back(std::move(exchange));
}

void Http2Connection::schedule_send() {
  // Under on_bytes the pass that follows the input sends it: no extra loop round.
  if (send_pending_ || closed_ || in_read_) return;
  send_pending_ = true;
  event_active(send_event_, EV_TIMEOUT, 1);
}

void Http2Connection::arm_idle() {
  sent_since_tick_ = 0;
  timeval tv = ms_to_tv(worker_.config().limits.idle_timeout_ms);
  evtimer_add(idle_timer_, &tv);
}

// ---- nghttp2 callbacks ----

int Http2Connection::on_begin_headers(std::int32_t stream_id) {
  if (draining_) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  std::unique_ptr<Http2Stream> s;
  if (spare_streams_.empty()) {
    s = std::make_unique<Http2Stream>(*this);
  } else {
    s = std::move(spare_streams_.back());
    spare_streams_.pop_back();
  }
  s->open(stream_id, worker_.config().limits.max_header_bytes);
  nghttp2_session_set_stream_user_data(session_, stream_id, s.get());
  streams_.push_back(std::move(s));
  flood_guard_.on_stream_opened();
  worker_.metrics().h2_streams.inc();
  return 0;
}

int Http2Connection::on_begin_frame(std::uint8_t type, std::uint8_t flags, std::size_t length) {
  const auto flood = flood_guard_.on_frame(type, flags, length);
  if (flood != http::H2Flood::None) calm_down(flood);
  return 0;
}

int Http2Connection::on_header(std::int32_t stream_id, std::string_view name, std::string_view value) {
  Http2Stream* s = stream(stream_id);
  if (!s) return 0;
  const auto error = s->fields().add(name, value);
  if (error == http::H2FieldError::None) return 0;
  if (error == http::H2FieldError::TooLarge) {
    // Keep decoding (HPACK state must stay in step) but not forever: twice the limit ends the
    // connection, which bounds HPACK bombs and CONTINUATION floods.
    if (s->fields().bytes() > 2 * worker_.config().limits.max_header_bytes) calm_down(http::H2Flood::HeaderList);
    return 0;
  }
  // A malformed request (RFC 9113 §8.1.1): a stream error; it never reaches the engine.
  worker_.metrics().bad_requests.inc();
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_PROTOCOL_ERROR);
  return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

int Http2Connection::on_frame_recv(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id,
                                   std::uint32_t error_code) {
  switch (type) {
    case NGHTTP2_SETTINGS:
      if (flags & NGHTTP2_FLAG_ACK) evtimer_del(settings_timer_);
      return 0;
    case NGHTTP2_RST_STREAM:
      worker_.metrics().h2_resets_received[http::h2_error_index(error_code)].inc();
      count_abuse();
      return 0;
    case NGHTTP2_HEADERS: {
      Http2Stream* s = stream(stream_id);
      if (!s || s->answered()) return 0;
      const auto error = s->fields().finish();
      if (error == http::H2FieldError::TooLarge) {
        s->refuse(431, http::describe(error));
      } else if (error != http::H2FieldError::None) {
        worker_.metrics().bad_requests.inc();
        nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_PROTOCOL_ERROR);
        return 0;
      }
      if (flags & NGHTTP2_FLAG_END_STREAM) s->dispatch(factory_);
      arm_idle();
      return 0;
    }
    case NGHTTP2_DATA: {
      Http2Stream* s = stream(stream_id);
      if (s && (flags & NGHTTP2_FLAG_END_STREAM)) s->dispatch(factory_);
      return 0;
    }
    default:
      return 0;
  }
}

int Http2Connection::on_data(std::int32_t stream_id, std::string_view data) {
  Http2Stream* s = stream(stream_id);
  if (!s || s->answered()) return 0;
  if (!s->add_body(data, worker_.config().limits.max_body_bytes)) s->refuse(413, "request body too large");
  return 0;
}

int Http2Connection::on_frame_sent(std::uint8_t type, std::int32_t, std::uint32_t error_code) {
  if (type == NGHTTP2_RST_STREAM) {
    worker_.metrics().h2_resets_sent[http::h2_error_index(error_code)].inc();
    // Resets the client provoked (malformed frames, flow-control errors): MadeYouReset.
    if (error_code != NGHTTP2_NO_ERROR && error_code != NGHTTP2_INTERNAL_ERROR && error_code != NGHTTP2_CANCEL)
      count_abuse();
  } else if (type == NGHTTP2_GOAWAY) {
    worker_.metrics().h2_goaways_sent.inc();
  } else if (type == NGHTTP2_DATA) {
    flood_guard_.on_data_sent();
  }
  return 0;
}

int Http2Connection::on_stream_close(std::int32_t stream_id, std::uint32_t error_code) {
  if (error_code == NGHTTP2_NO_ERROR) ++completed_streams_;
  Http2Stream* s = stream(stream_id);
  if (!s) return 0;
  nghttp2_session_set_stream_user_data(session_, stream_id, nullptr);
  const auto it = std::find_if(streams_.begin(), streams_.end(), [s](const auto& p) { return p.get() == s; });
  if (it == streams_.end()) return 0;
  std::unique_ptr<Http2Stream> closed = std::move(*it);
  *it = std::move(streams_.back());
  streams_.pop_back();
  closed->close();  // drops an unfinished exchange (cancelling its origin fetch) and queued output
  if (spare_streams_.size() < kSpareStreams) spare_streams_.push_back(std::move(closed));
  return 0;
}

void Http2Connection::count_abuse() {
  if (++abusive_resets_ > kResetAllowance + completed_streams_) calm_down(http::H2Flood::Resets);
}

void Http2Connection::calm_down(http::H2Flood cause) {
  if (closing_) return;
  closing_ = true;
  worker_.metrics().h2_flood(cause).inc();
  nghttp2_session_terminate_session(session_, NGHTTP2_ENHANCE_YOUR_CALM);
  schedule_send();
}

// ---- I/O ----

void Http2Connection::receive(std::string_view bytes) {
  if (closed_ || closing_) return;  // GOAWAY is queued: what else the client says changes nothing
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  // nghttp2 takes all of it (no callback of ours pauses it), or fails: a bad preface, too many
  // acknowledgements it could not send, or a fatal protocol error it answered with GOAWAY.
  const auto n = nghttp2_session_mem_recv(session_, data, bytes.size());
  if (n == NGHTTP2_ERR_FLOODED) worker_.metrics().h2_flood(http::H2Flood::AckQueue).inc();
  if (n < 0) closing_ = true;
}

void Http2Connection::receive_buffered() {
  evbuffer* in = bufferevent_get_input(bev_);
  const std::size_t len = evbuffer_get_length(in);
  if (len == 0) return;
  const auto* data = evbuffer_pullup(in, static_cast<ssize_t>(len));
  receive({reinterpret_cast<const char*>(data), len});
  evbuffer_drain(in, len);
}

void Http2Connection::send() {
  if (closed_ || sending_ || lingering_) return;
  sending_ = true;
  evbuffer* out = bufferevent_get_output(bev_);
  std::string& w = wire();
  w.clear();
  const std::size_t cap = stream_cap();
  for (bool more = true; more;) {
    while (evbuffer_get_length(out) + w.size() < cap) {
      const std::uint8_t* data = nullptr;
      const auto n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) {
        w.clear();
        sending_ = false;
        close_now();
        return;
      }
      if (n == 0) {
        more = false;
        break;
      }
      if (w.size() + static_cast<std::size_t>(n) > kWireBytes && !w.empty()) {
        evbuffer_add(out, w.data(), w.size());
        w.clear();
      }
      w.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
      sent_since_tick_ += static_cast<std::uint64_t>(n);
    }
    if (!flush()) {
      sending_ = false;
      close_now();
      return;
    }
    if (evbuffer_get_length(out) > 0) break;  // a backlog: libevent writes it as the socket drains
  }
  sending_ = false;
  // Exchanges whose output went out may write more (their writes schedule another pass).
  for (std::size_t i = 0; i < streams_.size(); ++i) streams_[i]->notify_if_drained();
  const bool done = closing_ || (draining_ && streams_.empty()) ||
                    (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_));
  if (done && evbuffer_get_length(out) == 0 && !nghttp2_session_want_write(session_)) linger();
}

// Frames are written as soon as a pass queues them, in one write (plain) or one TLS record per
// 16 KiB (tls_handshake.h), as an HTTP/1.1 connection does at the end of a loop iteration: no
// epoll round trip and no EV_WRITE switched on and off per response. EV_WRITE stays on only while
// a backlog remains. Never called under the bufferevent's own write callback (on_write defers).
// Empties wire(): with nothing queued ahead its bytes go straight to the socket (or to SSL_write),
// and whatever is not written joins the bufferevent's output.
bool Http2Connection::flush() {
  evbuffer* out = bufferevent_get_output(bev_);
  std::string& w = wire();
  bool wrote = false;
  if (!w.empty()) {
    std::size_t written = 0;
    if (evbuffer_get_length(out) == 0) {
      wrote = true;
      const ssize_t n = tls_ ? tls_write_direct(bev_, w.data(), w.size())
                             : ::send(bufferevent_getfd(bev_), w.data(), w.size(), MSG_NOSIGNAL);
      if (n < 0 && (tls_ || (errno != EAGAIN && errno != EINTR))) {
        w.clear();
        return false;  // the client is gone
      }
      if (n > 0) written = static_cast<std::size_t>(n);
    }
    if (written < w.size()) evbuffer_add(out, w.data() + written, w.size() - written);
    w.clear();
  }
  if (!wrote && evbuffer_get_length(out) > 0) {
    if (tls_) {
      if (!tls_write_now(bev_)) return false;
    } else {
      // A socket bufferevent freezes the start of its output so only it drains it; we are the
      // writer here, so thaw it for this one write.
      evbuffer_unfreeze(out, 1);
      const int n = evbuffer_write(out, bufferevent_getfd(bev_));
      const int err = errno;
      evbuffer_freeze(out, 1);
      if (n < 0 && err != EAGAIN && err != EINTR) return false;  // the client is gone
    }
  }
  // Switched only on a change: each call costs an event_del or event_add in libevent. The TLS
  // bufferevent arms its write event itself whenever output arrives, so an idle one is always
  // switched off.
  const bool backlog = evbuffer_get_length(out) > 0;
  if (backlog != write_enabled_ || (tls_ && !backlog)) {
    write_enabled_ = backlog;
    if (backlog) bufferevent_enable(bev_, EV_WRITE);
    else bufferevent_disable(bev_, EV_WRITE);
  }
  return true;
}

void Http2Connection::linger() {
  if (lingering_ || closed_) return;
  lingering_ = true;
  evtimer_del(idle_timer_);
  evtimer_del(settings_timer_);
  send_close_notify(bev_);
  shutdown(bufferevent_getfd(bev_), SHUT_WR);
  write_enabled_ = false;
  bufferevent_disable(bev_, EV_WRITE);
  reader_.enable();
  timeval tv{1, 0};
  evtimer_add(linger_timer_, &tv);
}

void Http2Connection::on_linger_timer(int, short, void* self) { static_cast<Http2Connection*>(self)->close_now(); }

void Http2Connection::on_bytes(std::string_view bytes, void* self) {
  auto* c = static_cast<Http2Connection*>(self);
  c->retired_.clear();
  if (c->lingering_) return;  // read only to be discarded until the client closes
  c->in_read_ = true;
  c->receive(bytes);
  c->in_read_ = false;
  c->send();
  c->retired_.clear();  // exchanges that finished while the input was processed
}

// libevent wrote part of a backlog: refill from the loop, not under its write.
void Http2Connection::on_write(bufferevent*, void* self) { static_cast<Http2Connection*>(self)->schedule_send(); }

void Http2Connection::on_event(bufferevent*, short what, void* self) {
  auto* c = static_cast<Http2Connection*>(self);
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) c->close_now();
}

void Http2Connection::on_send_event(int, short, void* self) {
  auto* c = static_cast<Http2Connection*>(self);
  c->send_pending_ = false;
  c->retired_.clear();
  c->send();
}

void Http2Connection::on_idle_timer(int, short, void* self) {
  auto* c = static_cast<Http2Connection*>(self);
  c->retired_.clear();
  bool stalled = false;
  for (const auto& s : c->streams_) stalled = stalled || s->buffered() > 0;
  if (c->streams_.empty() || (stalled && c->sent_since_tick_ == 0)) {
    // Idle, or output queued and none of it taken for a whole period (a zero window, a reader
    // that stopped): say goodbye and close.
    c->worker_.metrics().timeouts.inc();
    c->closing_ = true;
    nghttp2_session_terminate_session(c->session_, NGHTTP2_NO_ERROR);
    c->send();
    return;
  }
  c->arm_idle();
}

void Http2Connection::on_settings_timer(int, short, void* self) {
  auto* c = static_cast<Http2Connection*>(self);
  c->worker_.metrics().timeouts.inc();
  c->closing_ = true;
  nghttp2_session_terminate_session(c->session_, NGHTTP2_SETTINGS_TIMEOUT);
  c->send();
}

void Http2Connection::drain() {
  if (draining_ || closed_) return;
  draining_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
  schedule_send();
}

void Http2Connection::close_now() {
  if (closed_) return;
  closed_ = true;
  bufferevent_disable(bev_, EV_READ | EV_WRITE);
  reader_.disable();
  evtimer_del(idle_timer_);
  evtimer_del(settings_timer_);
  evtimer_del(linger_timer_);
  event_active(close_event_, EV_TIMEOUT, 1);  // deleted from the loop, not under a caller
}

void Http2Connection::on_close_event(int, short, void* self) {
  auto* c = static_cast<Http2Connection*>(self);
  c->worker_.connection_closed(c);  // deletes c
}

}  // namespace lacquer::edge
