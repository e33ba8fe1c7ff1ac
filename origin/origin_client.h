// HTTP/1.1 client to one origin, used by one worker thread: a pool of keep-alive connections
// and the fetch handles that run one request each.
//
// Threading and ownership: a pool and everything it creates belong to one worker's event loop
// and are only touched on that thread. A fetch is owned by whoever started it (a request's
// transaction) through an OriginFetch handle; destroying the handle cancels the fetch (the
// connection is closed unless its response was complete). Observer callbacks run on the loop;
// an observer may destroy the handle from inside a callback.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "conf/config.h"
#include "http/framing.h"
#include "http/message.h"
#include "http/parser.h"

struct bufferevent;
struct event_base;

namespace lacquer::origin {

// An origin connection that answered 101 to an upgrade request: out of the pool for good, its
// callbacks cleared, any bytes the origin sent after the 101 still in its input buffer. Freeing
// it closes the socket.
struct BuffereventFree {
  void operator()(bufferevent* bev) const noexcept;
};
using UpgradedConnection = std::unique_ptr<bufferevent, BuffereventFree>;

enum class OriginError : std::uint8_t {
  Refused,    // connect failed
  Reset,      // connection reset or closed before a complete head
  Timeout,    // connect, first byte or body read timed out
  Malformed,  // the response head or body framing is not valid HTTP/1.1
  Truncated,  // the body ended before its framing said it would
};
std::string_view to_string(OriginError e) noexcept;

// A response head from the origin; the views point into `raw`.
struct ResponseHead {
  std::string raw;
  http::StatusLine line;
  std::vector<http::Header> headers;
  http::Framing framing;
};

class FetchObserver {
 public:
  virtual ~FetchObserver() = default;
  virtual void on_origin_head(ResponseHead& head) = 0;
  // A 1xx interim response (not 101), as received: status line, fields and the blank line.
  virtual void on_origin_interim(std::string_view raw_head) { (void)raw_head; }
  // A 101 to a fetch that asked for an upgrade (FetchSpec::upgrade): the fetch is over and the
  // connection is the observer's. The default closes it.
  virtual void on_origin_upgrade(ResponseHead& head, UpgradedConnection conn) { (void)head; (void)conn; }
  // Decoded body bytes (chunked framing already removed).
  virtual void on_origin_data(const char* data, std::size_t len) = 0;
  // The body is complete.
  virtual void on_origin_done() = 0;
  // The fetch failed; `head_seen` tells whether on_origin_head was called.
  virtual void on_origin_error(OriginError error, bool head_seen) = 0;
};

// Written by the pool's thread, read by the admin thread for /metrics.
struct OriginCounters {
  std::atomic<std::uint64_t> fetches{0};
  std::atomic<std::uint64_t> connects{0};
  std::atomic<std::uint64_t> reuses{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> errors[5] = {};  // indexed by OriginError
  void bump(std::atomic<std::uint64_t>& c) { c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
};

class OriginConnection;
class OriginPool;

// Handle to one running fetch. Destroying it cancels the fetch.
class OriginFetch {
 public:
  ~OriginFetch();
  OriginFetch(const OriginFetch&) = delete;
  OriginFetch& operator=(const OriginFetch&) = delete;
  // Flow control: stop reading the origin while the client is slow; resume when it drains.
  void pause();
  void resume();

 private:
  friend class OriginPool;
  friend class OriginConnection;
  explicit OriginFetch(OriginPool& pool) : pool_(pool) {}
  void start();
  void connection_failed_before_response(OriginError e, bool may_retry);

  OriginPool& pool_;
  OriginConnection* conn_ = nullptr;
  FetchObserver* observer_ = nullptr;
  std::string request_;  // head + body, kept for one retry on a fresh connection
  bool idempotent_ = false;
  bool head_request_ = false;
  bool upgrade_ = false;
  bool retried_ = false;
  bool paused_ = false;
};

struct FetchSpec {
  std::string request;       // serialised head followed by the body
  bool idempotent = false;   // GET/HEAD: may be retried once if a reused connection was stale
  bool head_request = false; // HEAD: the response has no body whatever its framing says
  bool upgrade = false;      // the request asks for an upgrade: a 101 hands the connection over
};

class OriginPool {
 public:
  OriginPool(event_base* base, const conf::OriginConfig& config, const http::ParseLimits& limits);
  ~OriginPool();
  OriginPool(const OriginPool&) = delete;
  OriginPool& operator=(const OriginPool&) = delete;

  // Starts a fetch. Callbacks never run before this returns.
  std::unique_ptr<OriginFetch> fetch(FetchSpec spec, FetchObserver* observer);

  const OriginCounters& counters() const { return counters_; }
  std::size_t idle_connections() const { return idle_.size(); }

 private:
  friend class OriginFetch;
  friend class OriginConnection;
  OriginConnection* checkout();               // an idle connection, or a new one
  void checkin(OriginConnection* conn);       // the response was complete and keep-alive
  void forget(OriginConnection* conn);        // the connection closed itself

  event_base* base_;
  conf::OriginConfig config_;
  http::ParseLimits limits_;
  std::vector<unsigned char> addr_;  // resolved sockaddr of the origin
  int addr_len_ = 0;
  int family_ = 0;
  std::vector<OriginConnection*> idle_;
  std::vector<OriginConnection*> all_;
  OriginCounters counters_;
};

}  // namespace lacquer::origin
