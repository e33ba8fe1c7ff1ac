// A protocol upgrade (WebSocket and the like, RFC 9110 §7.8) passed through to the origin.
//
// The request goes to the origin on a connection of its own (never pooled) with its Upgrade
// and "Connection: Upgrade". A 101 answer is relayed to the client and the two connections
// become a byte tunnel in both directions until either side closes or nothing moves for
// limits.tunnel_idle_timeout. Any other answer is relayed as the response to the request, and
// the client connection closes after it. Nothing here is cached.
//
// Threading and ownership: one worker loop. The tunnel is the client connection's exchange
// (so it counts against max_connections like any connection) and owns the origin bufferevent;
// destroying the tunnel closes the origin side. Back-pressure: past max_output_buffer on one
// side we stop reading the other.
#pragma once

#include <cstdint>
#include <string>

#include "edge/http1/exchange.h"

struct bufferevent;
struct event;
struct evbuffer;

namespace lacquer::edge {

class UpgradeTunnel final : public Exchange {
 public:
  UpgradeTunnel(ClientConnection& conn, std::string protocols);
  ~UpgradeTunnel() override;
  UpgradeTunnel(const UpgradeTunnel&) = delete;
  UpgradeTunnel& operator=(const UpgradeTunnel&) = delete;

  void start() override;
  void on_output_drained() override;
  bool on_client_input(evbuffer* in) override;
  void on_client_eof() override;
  void on_drain() override;

 private:
  enum class Stage : std::uint8_t { AwaitingHead, Tunnel, Relaying, Done };

  static void on_origin_read(bufferevent* bev, void* self);
  static void on_origin_write(bufferevent* bev, void* self);
  static void on_origin_event(bufferevent* bev, short what, void* self);
  static void on_idle(int fd, short what, void* self);

  void read_head();
  void relay_to_client();
  void relay_to_origin();
  void fail(int status, std::string_view why);
  void close_both();
  void arm_idle(std::uint32_t ms);

  ClientConnection& conn_;
  std::string protocols_;
  bufferevent* origin_ = nullptr;
  event* idle_ = nullptr;
  Stage stage_ = Stage::AwaitingHead;
  std::uint64_t relay_left_ = 0;  // Relaying with Content-Length: body bytes still to pass on
  bool relay_until_close_ = false;
  bool client_eof_ = false;
  bool origin_shut_ = false;  // the client's half-close was passed on
};

}  // namespace lacquer::edge
