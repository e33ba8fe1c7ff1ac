// An HTTP/1.1 server connection: reads and strictly parses requests (RFC 9112), reads their
// bodies (Content-Length or chunked, with Expect: 100-continue), runs one Exchange at a time
// (pipelined requests wait in the input buffer), and enforces limits and timeouts.
//
// Threading: owned by one Worker and used only on its loop thread. The connection deletes
// itself when it closes (after telling the worker).
//
// Idle connections (waiting for the first byte of a request, new or kept alive) are on a list
// per loop thread, oldest first. When an accepted connection reaches into the last 1/64 of
// limits.max_connections, the oldest idle connection of this thread is closed, so a crowd of
// idle connections cannot lock everyone else out (nginx reuses idle keep-alive connections the
// same way); connections that are busy are never evicted.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edge/proxy/client_side.h"
#include "edge/server/connection.h"
#include "edge/server/response_record.h"
#include "http/chunked.h"
#include "http/parse_error.h"

struct bufferevent;
struct evbuffer;
struct evbuffer_cb_info;
struct event;

namespace lacquer::edge {

class Worker;
class ExchangeFactory;
class UpgradeTunnel;

class ClientConnection final : public ClientSide, public Connection {
 public:
  ClientConnection(Worker& worker, ExchangeFactory& factory, int fd, std::string peer_ip);
  // Over a bufferevent that is already set up: a TLS one after its handshake (tls_handshake.h),
  // whose input may already hold the first request.
  ClientConnection(Worker& worker, ExchangeFactory& factory, bufferevent* bev, std::string peer_ip);
  ~ClientConnection() override;
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // ---- ClientSide, for the exchange in progress ----
  const Request& request() const override { return request_; }
  std::string_view peer_ip() const override { return peer_ip_; }
  void write_interim(std::string_view raw_heads) override;
  // Adds Transfer-Encoding: chunked (HTTP/1.1) or closes after the body (HTTP/1.0) for a Stream,
  // the Connection field the client needs, and the blank line.
  void write_head(const ResponseHead& head) override;
  void write_body(std::string_view bytes) override;
  void write_stored_body(const storage::Entry& owner, std::string_view bytes) override;
  std::size_t writable_bytes() const override;
  // True when the response being written may leave the connection open.
  bool keep_alive() const override { return request_.client_keep_alive && !draining_ && !close_delimited_; }
  // The address the client connected to, as an authority ("127.0.0.1:8080", "[::1]:8080");
  // "" when the socket cannot tell. A system call: for the rare request without Host.
  std::string local_address() const override;
  bool secure() const override { return tls_; }
  // The response is fully written. `keep_alive` false closes after the output drains.
  void finish(bool keep_alive) override;
  // The response cannot be completed (origin broke off mid-body): flush what is queued and
  // close, so the client sees a truncated message and never mistakes it for a complete one.
  void abort() override;
  void note_origin_head() override;
  void note_site(SiteCounters* site) override { record_.site = site; }
  // A 101 to an upgrade request: the connection becomes an UpgradeTunnel's client end.
  bool can_tunnel() const override { return request_.line.version_minor >= 1; }
  void start_tunnel(const ResponseHead& head, std::string_view protocol, origin::UpgradedConnection origin) override;

  // ---- for the worker ----
  // Graceful shutdown: finish the exchange in flight, then close; close at once if idle.
  void drain() override;
  // After it saw the HTTP/2 preface (prior knowledge, RFC 9113 §3.3): gives up the socket, its
  // unread input included, for an Http2Connection. The connection is then deleted.
  bufferevent* release_socket();

 private:
  enum class State : std::uint8_t { ReadingHead, ReadingBody, Responding, Tunnel, Closing };

  static void on_read(bufferevent* bev, void* self);
  static void on_write(bufferevent* bev, void* self);
  static void on_event(bufferevent* bev, short what, void* self);
  static void on_timer(int fd, short what, void* self);
  static void on_resume(int fd, short what, void* self);
  static void on_linger(int fd, short what, void* self);
  static void on_flush(int fd, short what, void* self);
  static void on_output_added(evbuffer* buf, const struct evbuffer_cb_info* info, void* self);
  void after_write();
  void start_linger();

  void process();
  bool step_head();  // true when progress was made and processing may continue
  bool step_body();
  void dispatch();
  evbuffer* output();
  // Connection field for the response head ("" or "Connection: close\r\n", ...).
  std::string_view connection_header() const;
  bool output_over_limit() const;
  void reject(http::ParseError error);
  void write_simple(int status, std::string_view body, bool close);
  void close_after_flush();
  void close_now();
  void arm_timer(std::uint32_t ms);
  void arm_body_timer();
  void enter_idle();
  void leave_idle();
  void evict_oldest_idle_if_full();
  void retire_exchange();
  // The access log line for the response just finished (or cut), then the record is reset.
  void log_response(bool aborted, bool with_request);

  Worker& worker_;
  ExchangeFactory& factory_;
  bufferevent* bev_ = nullptr;
  event* timer_ = nullptr;
  event* resume_ = nullptr;
  event* linger_ = nullptr;
  event* flush_ = nullptr;
  std::string peer_ip_;
  State state_ = State::ReadingHead;
  Request request_;
  std::vector<http::Header> header_scratch_;
  http::ChunkedDecoder chunked_;
  std::uint64_t body_remaining_ = 0;
  std::chrono::steady_clock::time_point body_deadline_{};  // ReadingBody: 408 at this instant
  bool body_timer_is_deadline_ = false;  // the armed timer ends at body_deadline_
  std::unique_ptr<Exchange> exchange_;
  std::unique_ptr<Exchange> retired_;  // finished, freed on the next callback
  std::unique_ptr<UpgradeTunnel> tunnel_;  // State::Tunnel (after a 101)
  ResponseRecord record_;  // what the access log reports about the response in progress
  bool chunked_out_ = false;          // the response body is being sent chunked
  bool close_delimited_ = false;      // ... or ends with the connection (HTTP/1.0 client)
  bool head_started_ = false;  // bytes of a new request have arrived (header timeout running)
  bool draining_ = false;
  bool peer_eof_ = false;
  bool flush_pending_ = false;  // the client closed its side while we were responding
  bool processing_ = false;
  bool closed_ = false;
  bool tls_ = false;           // the bufferevent is a TLS one: no direct socket writes
  bool first_request_ = true;  // only a connection's first bytes may be the HTTP/2 preface
  bool switching_ = false;     // the preface was seen: the worker takes the socket over
  // this thread's idle list (see the top of the file)
  bool idle_ = false;
  ClientConnection* idle_prev_ = nullptr;
  ClientConnection* idle_next_ = nullptr;
};

}  // namespace lacquer::edge
