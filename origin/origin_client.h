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
#include "origin/balancer.h"
#include "origin/pool_state.h"

struct bufferevent;
struct event_base;
struct event;

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
  NoServer,   // no server of the pool is usable (all unhealthy, ejected or unresolved)
};
inline constexpr int kOriginErrorKinds = 6;
std::string_view to_string(OriginError e) noexcept;

// A response head from the origin; the views point into `raw`.
struct ResponseHead {
  std::string raw;
  http::StatusLine line;
  std::vector<http::Header> headers;
  http::Framing framing;
  int server = -1;                 // the pool's server that answered (index into PoolState::servers)
  std::uint64_t first_byte_us = 0; // request handed to its connection (connect included) -> head parsed
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
  std::atomic<std::uint64_t> errors[kOriginErrorKinds] = {};  // indexed by OriginError
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
  // `connect_failed`: the connection never got established, so nothing of the request was sent.
  void connection_failed_before_response(OriginError e, bool may_retry, bool connect_failed);
  void fail_later(OriginError e);  // reports from the loop, never from inside fetch()
  static void on_deferred(int, short, void* self);
  void release_server();           // the request is no longer in flight on server_

  OriginPool& pool_;
  OriginConnection* conn_ = nullptr;
  int server_ = -1;                // the pool's server this fetch runs on
  bool counted_ = false;           // counted in the server's outstanding requests
  event* deferred_ = nullptr;
  OriginError deferred_error_ = OriginError::NoServer;
  FetchObserver* observer_ = nullptr;
  std::string request_;  // head + body, kept for one retry on a fresh connection
  std::uint64_t key_hash_ = 0;
  bool idempotent_ = false;
  bool head_request_ = false;
  bool upgrade_ = false;
  bool retried_ = false;
  bool paused_ = false;
};

struct FetchSpec {
  std::string request;       // serialised head followed by the body
  std::uint64_t key_hash = 0;  // consistent-hash balancing: a stable hash of the cache key
  bool idempotent = false;   // GET/HEAD: may be retried once if a reused connection was stale
  bool head_request = false; // HEAD: the response has no body whatever its framing says
  bool upgrade = false;      // the request asks for an upgrade: a 101 hands the connection over
};

// One worker's connections to the servers of one pool (PoolState): it picks a server per fetch
// (origin/balancer.h) among the usable ones, keeps idle keep-alive connections per server,
// reports connect errors and 5xx answers to the server's shared health, and retries an
// idempotent request whose connect failed once on another server.
class OriginPool {
 public:
  OriginPool(event_base* base, PoolState& pool, const conf::OriginConfig& config, const http::ParseLimits& limits,
             OriginCounters& counters);
  ~OriginPool();
  OriginPool(const OriginPool&) = delete;
  OriginPool& operator=(const OriginPool&) = delete;

  // Starts a fetch. Callbacks never run before this returns.
  std::unique_ptr<OriginFetch> fetch(FetchSpec spec, FetchObserver* observer);

  const OriginCounters& counters() const { return counters_; }
  std::size_t idle_connections() const;
  // A reload replaced this pool: its idle connections close now, and those still carrying a
  // response close when it ends, instead of waiting idle for a fetch that will never come.
  void retire();
  // The loop is going away: every connection is freed now (fetches must have ended).
  void shutdown();
  const PoolState& state() const { return pool_; }

 private:
  friend class OriginFetch;
  friend class OriginConnection;
  struct Server {
    SocketAddress addr;
    std::uint64_t generation = ~0ull;  // of addr, against ServerState::address_generation()
    std::vector<OriginConnection*> idle;
    std::uint32_t outstanding = 0;
  };
  // A usable server other than `exclude`, or Balancer::kNone.
  int pick(std::uint64_t key_hash, int exclude);
  OriginConnection* checkout(int server);          // an idle connection, or a new one
  OriginConnection* connect_new(int server);
  void checkin(OriginConnection* conn);            // the response was complete and keep-alive
  void forget(OriginConnection* conn);             // the connection closed itself
  const SocketAddress& address(int server);        // refreshed when the upkeep re-resolved it
  void report(int server, bool ok);                // passive health
  void count_error(int server, OriginError e);     // per-server errors by kind, for /metrics

  event_base* base_;
  PoolState& pool_;
  conf::OriginConfig config_;
  http::ParseLimits limits_;
  OriginCounters& counters_;
  Balancer balancer_;
  std::vector<Server> servers_;
  std::vector<Candidate> candidates_;  // scratch for pick()
  std::vector<OriginConnection*> all_;
  bool retired_ = false;
};

}  // namespace lacquer::origin
