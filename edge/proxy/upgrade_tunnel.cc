// See upgrade_tunnel.h. Stages: AwaitingHead (request sent, reading the origin's answer),
// Tunnel (after 101: bytes both ways), Relaying (any other answer: passed on, then close),
// Done (closing).
#include "edge/proxy/upgrade_tunnel.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sys/socket.h>

#include <vector>

#include "edge/http1/client_connection.h"
#include "edge/proxy/synthetic.h"
#include "edge/server/worker.h"
#include "http/framing.h"
#include "http/parser.h"
#include "http/target_authority.h"
#include "http/upgrade.h"
#include "origin/forward.h"
#include "storage/cache_key.h"

namespace lacquer::edge {

UpgradeTunnel::UpgradeTunnel(ClientConnection& conn, std::string protocols)
    : conn_(conn), protocols_(std::move(protocols)) {}

UpgradeTunnel::~UpgradeTunnel() {
  if (idle_) event_free(idle_);
  if (origin_) bufferevent_free(origin_);
}

void UpgradeTunnel::start() {
  Worker& worker = conn_.worker();
  const Request& req = conn_.request();
  worker.metrics().passes.inc();
  auto host = http::find_header(req.headers, "Host");
  const std::string local = host && !host->empty() ? std::string() : conn_.local_address();
  auto key = storage::make_cache_key(
      http::target_authority(host, worker.config().server.default_host, local), req.line.target);
  if (!key) {
    fail(400, "bad-target");
    return;
  }
  std::string head;
  origin::ForwardRequest fwd;
  fwd.method = req.line.method;
  fwd.host = key->host();
  fwd.target = key->target();
  fwd.headers = req.headers;
  fwd.client_ip = conn_.peer_ip();
  fwd.via = worker.shared().via;
  origin::append_origin_request(head, fwd);
  http::append_upgrade_fields(head, protocols_);

  origin_ = worker.origin_pool().connect_unpooled();
  if (!origin_) {
    fail(502, "origin-unreachable");
    return;
  }
  idle_ = evtimer_new(worker.base(), &UpgradeTunnel::on_idle, this);
  bufferevent_setcb(origin_, &UpgradeTunnel::on_origin_read, &UpgradeTunnel::on_origin_write,
                    &UpgradeTunnel::on_origin_event, this);
  // on_origin_write runs once the origin's output drains below half the cap (back-pressure).
  bufferevent_setwatermark(origin_, EV_WRITE, worker.config().limits.max_output_buffer / 2, 0);
  bufferevent_write(origin_, head.data(), head.size());
  bufferevent_enable(origin_, EV_READ | EV_WRITE);
  const auto& o = worker.config().origin;
  arm_idle(o.connect_timeout_ms + o.first_byte_timeout_ms);
}

void UpgradeTunnel::arm_idle(std::uint32_t ms) {
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  evtimer_add(idle_, &tv);
}

// Before the origin answered: a synthetic error; afterwards the client just sees the close.
void UpgradeTunnel::fail(int status, std::string_view why) {
  if (stage_ == Stage::Done) return;
  if (stage_ == Stage::AwaitingHead) {
    stage_ = Stage::Done;
    if (status >= 500) conn_.worker().metrics().synthetic_errors.inc();
    std::string body(why);
    body.push_back('\n');
    std::string cache_status = "lacquer; fwd=request; detail=";
    cache_status.append(why);
    respond_simple(conn_, status, "text/plain; charset=utf-8", body, cache_status);
    return;
  }
  close_both();
}

void UpgradeTunnel::close_both() {
  if (stage_ == Stage::Done) return;
  stage_ = Stage::Done;
  if (origin_) bufferevent_disable(origin_, EV_READ);
  conn_.finish(false);  // flush what the client is owed, then close; destroys us later
}

void UpgradeTunnel::on_origin_read(bufferevent*, void* self) {
  auto* t = static_cast<UpgradeTunnel*>(self);
  if (t->stage_ == Stage::AwaitingHead) t->read_head();
  else t->relay_to_client();
}

void UpgradeTunnel::on_origin_write(bufferevent*, void* self) {
  auto* t = static_cast<UpgradeTunnel*>(self);
  if (t->stage_ == Stage::Tunnel) t->relay_to_origin();
}

void UpgradeTunnel::on_origin_event(bufferevent*, short what, void* self) {
  auto* t = static_cast<UpgradeTunnel*>(self);
  if (what & BEV_EVENT_CONNECTED) return;
  if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))) return;
  if (t->stage_ == Stage::AwaitingHead) {
    t->fail(502, "origin-closed");
    return;
  }
  t->relay_to_client();  // whatever arrived with the close
  t->close_both();
}

void UpgradeTunnel::on_idle(int, short, void* self) {
  auto* t = static_cast<UpgradeTunnel*>(self);
  if (t->stage_ == Stage::AwaitingHead) {
    t->fail(504, "origin-timeout");
    return;
  }
  if (t->stage_ == Stage::Tunnel) t->conn_.worker().metrics().tunnel_idle_timeouts.inc();
  t->close_both();
}

// The origin's answer head, parsed strictly; 101 opens the tunnel.
void UpgradeTunnel::read_head() {
  evbuffer* in = bufferevent_get_input(origin_);
  const http::ParseLimits& limits = conn_.worker().shared().parse_limits;
  const std::size_t avail = evbuffer_get_length(in);
  const std::size_t window = std::min(avail, limits.max_header_bytes + limits.max_request_line + 4);
  std::string_view buf(reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ev_ssize_t>(window))), window);
  std::vector<http::Header> headers(conn_.worker().config().limits.max_header_count);
  auto parsed = http::parse_response_head(buf, headers, limits);
  if (parsed.status == http::ParseStatus::Incomplete) return;
  if (parsed.status == http::ParseStatus::Error) {
    fail(502, "origin-malformed");
    return;
  }
  const int status = parsed.line.status;
  if (status >= 100 && status < 200 && status != 101) {  // interim: pass on, keep waiting
    evbuffer_remove_buffer(in, conn_.output(), parsed.consumed);
    read_head();
    return;
  }
  const std::span<const http::Header> fields(headers.data(), parsed.header_count);
  if (status == 101) {
    stage_ = Stage::Tunnel;
    conn_.worker().metrics().tunnels.inc();
  } else {
    auto framing = http::response_framing(status, conn_.request().line.method, fields);
    stage_ = Stage::Relaying;
    relay_left_ = framing.framing.kind == http::BodyKind::ContentLength ? framing.framing.length : 0;
    relay_until_close_ = !framing.ok() || framing.framing.kind == http::BodyKind::Chunked ||
                         framing.framing.kind == http::BodyKind::UntilClose;
  }
  // The head as the origin sent it: for a 101 its Connection / Upgrade fields are the point.
  evbuffer_remove_buffer(in, conn_.output(), parsed.consumed);
  if (stage_ == Stage::Relaying && !relay_until_close_ && relay_left_ == 0) {
    close_both();
    return;
  }
  arm_idle(conn_.worker().config().limits.tunnel_idle_timeout_ms);
  relay_to_client();
  if (stage_ == Stage::Tunnel) relay_to_origin();  // bytes the client sent after its request
}

void UpgradeTunnel::relay_to_client() {
  if (!origin_ || (stage_ != Stage::Tunnel && stage_ != Stage::Relaying)) return;
  evbuffer* in = bufferevent_get_input(origin_);
  std::size_t n = evbuffer_get_length(in);
  if (stage_ == Stage::Relaying && !relay_until_close_) n = std::min<std::uint64_t>(n, relay_left_);
  if (n > 0) {
    evbuffer_remove_buffer(in, conn_.output(), n);
    conn_.worker().metrics().tunnel_bytes_to_client.inc(n);
    arm_idle(conn_.worker().config().limits.tunnel_idle_timeout_ms);
  }
  if (stage_ == Stage::Relaying && !relay_until_close_) {
    relay_left_ -= n;
    if (relay_left_ == 0) {
      close_both();
      return;
    }
  }
  if (conn_.output_over_limit()) bufferevent_disable(origin_, EV_READ);  // until the client drains
}

void UpgradeTunnel::on_output_drained() {
  if (origin_ && (stage_ == Stage::Tunnel || stage_ == Stage::Relaying)) {
    bufferevent_enable(origin_, EV_READ);
    relay_to_client();
  }
}

void UpgradeTunnel::relay_to_origin() {
  if (stage_ != Stage::Tunnel) return;
  evbuffer* from = conn_.input();
  const std::size_t n = evbuffer_get_length(from);
  evbuffer* out = bufferevent_get_output(origin_);
  // Past the cap the bytes wait in the client's input buffer, and the connection stops
  // reading the client once that fills (its read high-water mark).
  if (n > 0 && evbuffer_get_length(out) <= conn_.worker().config().limits.max_output_buffer) {
    evbuffer_remove_buffer(from, out, n);
    conn_.worker().metrics().tunnel_bytes_to_origin.inc(n);
    arm_idle(conn_.worker().config().limits.tunnel_idle_timeout_ms);
  }
  if (client_eof_ && !origin_shut_ && evbuffer_get_length(from) == 0 && evbuffer_get_length(out) == 0) {
    origin_shut_ = true;
    shutdown(bufferevent_getfd(origin_), SHUT_WR);  // pass the half-close on
  }
}

bool UpgradeTunnel::on_client_input(evbuffer*) {
  relay_to_origin();  // before the 101 the bytes wait in the input buffer
  return true;
}

void UpgradeTunnel::on_client_eof() {
  client_eof_ = true;
  if (stage_ == Stage::Tunnel) relay_to_origin();
  else if (stage_ == Stage::AwaitingHead) fail(502, "client-closed");
}

void UpgradeTunnel::on_drain() { close_both(); }

}  // namespace lacquer::edge
