// An HTTP/2 server connection (RFC 9113) over nghttp2: started with prior knowledge on a
// cleartext port (the HTTP/1.1 connection hands its socket over when it sees the preface). Each
// request stream is an Http2Stream running the same request engine as HTTP/1.1.
//
// Limits and defences: SETTINGS_MAX_CONCURRENT_STREAMS 100; decoded header lists count against
// limits.max_header_bytes (431 on the stream; twice that ends the connection, which bounds
// CONTINUATION floods); request bodies against limits.max_body_bytes; resets the client sends or
// provokes (Rapid Reset, MadeYouReset) are counted and past an allowance over the completed
// streams the connection gets GOAWAY ENHANCE_YOUR_CALM, as do PRIORITY, WINDOW_UPDATE, empty
// DATA, SETTINGS and PING floods (http::H2FloodGuard); nghttp2 bounds its queue of unsent
// acknowledgements (a flood from a client that never reads) and CONTINUATION frames per header
// block. Per-stream and per-connection output is capped (flow control back to the exchange).
// Timeouts: idle (no stream), SETTINGS never acknowledged, and a stall (queued output and nothing
// sent for the idle timeout, e.g. a zero window).
//
// Threading: one worker's loop thread. Deletes itself through Worker::connection_closed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "edge/proxy/client_side.h"
#include "edge/server/connection.h"
#include "edge/server/direct_reader.h"
#include "http/h2_flood_guard.h"
#include "http/h2_response.h"
#include "http/message.h"

struct bufferevent;
struct event;

namespace lacquer::edge {

class Worker;
class Http2Stream;

class Http2Connection final : public Connection {
 public:
  // Takes over `bev` (its input may already hold the preface and more).
  Http2Connection(Worker& worker, ExchangeFactory& factory, bufferevent* bev, std::string peer_ip);
  ~Http2Connection() override;
  Http2Connection(const Http2Connection&) = delete;
  Http2Connection& operator=(const Http2Connection&) = delete;

  // Sends our SETTINGS and processes the bytes already read.
  void start();
  void drain() override;

  // ---- for streams ----
  Worker& worker() { return worker_; }
  nghttp2_session* session() { return session_; }
  std::string_view peer_ip() const { return peer_ip_; }
  bool draining() const { return draining_; }
  bool secure() const { return tls_; }  // over TLS (ALPN h2), not prior knowledge
  // Output was queued or a stream changed: send at the end of this loop iteration.
  void schedule_send();
  // A finished exchange, freed on the next callback (never under its own stack frame).
  void retire(std::unique_ptr<Exchange> exchange);
  std::size_t stream_cap() const;
  std::size_t connection_cap() const;
  std::size_t buffered_total() const { return buffered_; }
  void add_buffered(std::size_t n) { buffered_ += n; }
  void sub_buffered(std::size_t n) { buffered_ -= n; }
  // Scratch space reused by every stream (one loop thread, never held across a callback): the
  // parser's header slots, and a response head's field list on its way into nghttp2, which
  // copies the list (not the bytes). Saves a few heap allocations per stream.
  struct Scratch {
    std::vector<http::Header> headers;
    std::vector<http::H2Field> fields;
    std::vector<nghttp2_nv> nv;
  };
  Scratch& scratch() { return scratch_; }

  // ---- nghttp2 callbacks (static trampolines in the .cc call these) ----
  int on_begin_headers(std::int32_t stream_id);
  int on_header(std::int32_t stream_id, std::string_view name, std::string_view value);
  int on_begin_frame(std::uint8_t type, std::uint8_t flags, std::size_t length);
  int on_frame_recv(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id, std::uint32_t error_code);
  int on_data(std::int32_t stream_id, std::string_view data);
  int on_frame_sent(std::uint8_t type, std::int32_t stream_id, std::uint32_t error_code);
  int on_stream_close(std::int32_t stream_id, std::uint32_t error_code);

 private:
  static void on_bytes(std::string_view bytes, void* self);
  static void on_write(bufferevent* bev, void* self);
  static void on_event(bufferevent* bev, short what, void* self);
  static void on_send_event(int fd, short what, void* self);
  static void on_close_event(int fd, short what, void* self);
  static void on_idle_timer(int fd, short what, void* self);
  static void on_settings_timer(int fd, short what, void* self);
  static void on_linger_timer(int fd, short what, void* self);

  void receive(std::string_view bytes);
  void receive_buffered();  // what the bufferevent read before this connection took it over
  void send();
  bool flush();  // false: the client is gone
  void count_abuse();
  void calm_down(http::H2Flood cause);  // GOAWAY ENHANCE_YOUR_CALM, then close once it is written
  void arm_idle();
  // Everything is written: stop writing, read and discard briefly so our last frames (a GOAWAY)
  // reach the client before a reset caused by its unread bytes, then close.
  void linger();
  void close_now();
  Http2Stream* stream(std::int32_t id);

  Worker& worker_;
  ExchangeFactory& factory_;
  bufferevent* bev_;
  DirectReader reader_;
  nghttp2_session* session_ = nullptr;
  std::string peer_ip_;
  std::vector<std::unique_ptr<Http2Stream>> streams_;        // open, in no order (nghttp2 maps ids)
  std::vector<std::unique_ptr<Http2Stream>> spare_streams_;  // closed, kept for reuse
  std::vector<std::unique_ptr<Exchange>> retired_;
  Scratch scratch_;
  event* send_event_ = nullptr;
  event* close_event_ = nullptr;
  event* idle_timer_ = nullptr;
  event* settings_timer_ = nullptr;
  event* linger_timer_ = nullptr;
  std::size_t buffered_ = 0;          // response bytes queued in all streams
  std::uint64_t completed_streams_ = 0;
  http::H2FloodGuard flood_guard_;
  std::uint64_t abusive_resets_ = 0;  // resets received, and errors the client provoked
  std::uint64_t sent_since_tick_ = 0; // DATA bytes handed to nghttp2 since the idle timer armed
  bool tls_ = false;
  bool send_pending_ = false;
  bool in_read_ = false;        // on_bytes is processing input; a send pass follows
  bool write_enabled_ = false;  // EV_WRITE is on (a backlog is being written by libevent)
  bool sending_ = false;
  bool draining_ = false;
  bool closing_ = false;  // GOAWAY queued: close once written
  bool lingering_ = false;
  bool closed_ = false;
};

}  // namespace lacquer::edge
