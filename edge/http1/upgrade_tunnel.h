// The bytes of a switched protocol (RFC 9110 §7.8, e.g. WebSocket) between an HTTP/1.1 client
// connection and the origin connection that answered 101: relayed both ways until either side
// closes or nothing moves for limits.tunnel_idle_timeout. Nothing here is parsed or cached.
//
// Ownership and threading: one worker loop. The ClientConnection owns the tunnel (it stays a
// client connection, counted against max_connections and closed on a graceful stop) and keeps
// its own socket and flush machinery; it forwards its socket events here. The tunnel owns the
// origin connection; destroying it closes that socket. Back-pressure: past max_output_buffer
// queued towards one side, the tunnel stops reading the other.
//
// A client's half-close is passed on (shutdown once its bytes reached the origin); the tunnel
// ends when the origin closes, errs, or the idle timer fires, and then tells its owner, which
// flushes what the client is owed and closes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "origin/origin_client.h"

struct bufferevent;
struct event;
struct event_base;

namespace lacquer::edge {

struct WorkerMetrics;

class UpgradeTunnel {
 public:
  struct Limits {
    std::uint32_t idle_timeout_ms = 300000;
    std::size_t max_output_buffer = 4u << 20;
  };
  // `client` is the client connection's socket (not owned); `ended` runs once, when the tunnel
  // is over (the owner then flushes and closes the client side; it may destroy the tunnel later,
  // never from inside `ended`).
  UpgradeTunnel(event_base* base, bufferevent* client, origin::UpgradedConnection origin, Limits limits,
                WorkerMetrics& metrics, std::function<void()> ended);
  ~UpgradeTunnel();
  UpgradeTunnel(const UpgradeTunnel&) = delete;
  UpgradeTunnel& operator=(const UpgradeTunnel&) = delete;

  // Relays what both sides already sent (bytes that came with the 101 or after the request).
  void start();
  // The client connection's events, forwarded by its owner.
  void on_client_input();
  void on_client_drained();  // its output fell below max_output_buffer
  void on_client_eof();      // the client closed its sending side
  // Ends the tunnel now (graceful stop, the client gone): the origin is closed.
  void close();
  bool ended() const { return ended_; }

 private:
  static void on_origin_read(bufferevent* bev, void* self);
  static void on_origin_write(bufferevent* bev, void* self);
  static void on_origin_event(bufferevent* bev, short what, void* self);
  static void on_idle(int fd, short what, void* self);

  void to_client();
  void to_origin();
  void end();
  void touch();  // a byte moved: the idle timer starts again

  bufferevent* client_;
  origin::UpgradedConnection origin_;
  Limits limits_;
  WorkerMetrics& metrics_;
  std::function<void()> ended_cb_;
  event* idle_ = nullptr;
  bool origin_paused_ = false;  // not reading the origin: the client is a whole buffer behind
  bool client_eof_ = false;
  bool origin_shut_ = false;  // the client's half-close was passed on
  bool ended_ = false;
};

}  // namespace lacquer::edge
