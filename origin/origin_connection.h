// One keep-alive connection to the origin and the HTTP/1.1 client state machine that runs a
// single request on it at a time. Internal to origin/; used through OriginPool and OriginFetch.
//
// Lifetime: created and destroyed by the pool, on the pool's thread. A connection may be asked
// to close from inside one of its own libevent callbacks (an observer destroying its fetch);
// it then only marks itself dead and is deleted when the outermost callback returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "http/chunked.h"
#include "origin/origin_client.h"

struct bufferevent;
struct event;

namespace lacquer::origin {

class OriginConnection {
 public:
  OriginConnection(OriginPool& pool, int server);
  ~OriginConnection();
  OriginConnection(const OriginConnection&) = delete;
  OriginConnection& operator=(const OriginConnection&) = delete;

  // Starts connecting; failures are reported asynchronously through the fetch.
  void connect();
  // Sends the fetch's request on this connection.
  void begin(OriginFetch* fetch);
  // The fetch went away before its response completed: the connection cannot be reused.
  void abandon();
  void pause();
  void resume();
  // Called by the pool when parked as idle, and when the pool shuts down.
  void park();
  void destroy();

  bool reused() const { return uses_ > 1; }
  int server() const { return server_; }  // the pool's server index

 private:
  enum class State : std::uint8_t { Connecting, AwaitingHead, ReadingBody, Idle, Closed };

  static void on_read(bufferevent* bev, void* self);
  bool may_have_more_queued() const;
  static void on_event(bufferevent* bev, short what, void* self);
  static void on_timer(int fd, short what, void* self);
  void enter_callback() { ++depth_; }
  void leave_callback();  // may delete this

  void process_input();
  bool read_head();     // false when the connection must stop processing
  bool read_body();
  void hand_over_upgraded(std::string_view buf, const http::ResponseHeadParse& parsed);
  void deliver(const char* data, std::size_t len);
  void finish();
  void fail(OriginError e);
  void close_self();
  void arm_timer(std::uint32_t ms);
  bool fetch_gone() const { return fetch_ == nullptr || dead_; }

  OriginPool& pool_;
  int server_;
  bufferevent* bev_ = nullptr;
  event* timer_ = nullptr;
  OriginFetch* fetch_ = nullptr;
  State state_ = State::Connecting;
  http::Framing framing_;
  http::ChunkedDecoder chunked_;
  std::uint64_t remaining_ = 0;
  std::vector<http::Header> header_scratch_;
  // The response head given to the observer, reused from one response to the next on this
  // connection so its buffers are allocated once, not per fetch.
  ResponseHead head_;
  std::uint32_t uses_ = 0;
  std::chrono::steady_clock::time_point sent_at_{};  // begin(): the request handed over
  int depth_ = 0;
  bool dead_ = false;
  bool keep_alive_ = false;
  bool response_started_ = false;
  bool head_seen_ = false;
  bool paused_ = false;
  bool connect_failed_ = false;
  bool tls_setup_failed_ = false;
  bool tls_ = false;  // an OpenSSL bufferevent: it does its own reading
  // Read from the socket per readiness event beyond libevent's 4 KiB (socket_read.h). A slow
  // client's output may grow by this much before the fetch is paused.
  static constexpr std::size_t kReadAhead = 64 * 1024;
};

}  // namespace lacquer::origin
