#include "edge/http1/upgrade_tunnel.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sys/socket.h>

#include "edge/metrics.h"

namespace lacquer::edge {

UpgradeTunnel::UpgradeTunnel(event_base* base, bufferevent* client, origin::UpgradedConnection origin, Limits limits,
                             WorkerMetrics& metrics, std::function<void()> ended)
    : client_(client), origin_(std::move(origin)), limits_(limits), metrics_(metrics), ended_cb_(std::move(ended)) {
  idle_ = evtimer_new(base, &UpgradeTunnel::on_idle, this);
  bufferevent* o = origin_.get();
  bufferevent_setcb(o, &UpgradeTunnel::on_origin_read, &UpgradeTunnel::on_origin_write,
                    &UpgradeTunnel::on_origin_event, this);
  // on_origin_write runs once what we queued for the origin falls below half the cap.
  bufferevent_setwatermark(o, EV_WRITE, limits_.max_output_buffer / 2, 0);
  bufferevent_set_timeouts(o, nullptr, nullptr);  // the idle timer covers both sides
  bufferevent_enable(o, EV_READ | EV_WRITE);
}

UpgradeTunnel::~UpgradeTunnel() { event_free(idle_); }

void UpgradeTunnel::start() {
  metrics_.tunnels.inc();
  touch();
  to_client();
  to_origin();
}

void UpgradeTunnel::touch() {
  const std::uint32_t ms = limits_.idle_timeout_ms;
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  evtimer_add(idle_, &tv);
}

// Origin -> client, unless the client is a whole output buffer behind (then on_client_drained).
void UpgradeTunnel::to_client() {
  if (ended_) return;
  evbuffer* in = bufferevent_get_input(origin_.get());
  evbuffer* out = bufferevent_get_output(client_);
  const std::size_t n = evbuffer_get_length(in);
  if (n > 0) {
    evbuffer_remove_buffer(in, out, n);
    metrics_.tunnel_bytes_to_client.inc(n);
    touch();
  }
  if (!origin_paused_ && evbuffer_get_length(out) > limits_.max_output_buffer) {
    origin_paused_ = true;  // until the client drains (on_client_drained)
    bufferevent_disable(origin_.get(), EV_READ);
  }
}

// Client -> origin. Past the cap the bytes wait in the client's input buffer, and the client
// connection stops reading its socket once that fills (its read high-water mark).
void UpgradeTunnel::to_origin() {
  if (ended_) return;
  evbuffer* in = bufferevent_get_input(client_);
  evbuffer* out = bufferevent_get_output(origin_.get());
  const std::size_t n = evbuffer_get_length(in);
  if (n > 0 && evbuffer_get_length(out) <= limits_.max_output_buffer) {
    evbuffer_remove_buffer(in, out, n);
    metrics_.tunnel_bytes_to_origin.inc(n);
    touch();
  }
  if (client_eof_ && !origin_shut_ && evbuffer_get_length(in) == 0 && evbuffer_get_length(out) == 0) {
    origin_shut_ = true;
    shutdown(bufferevent_getfd(origin_.get()), SHUT_WR);  // pass the half-close on
  }
}

void UpgradeTunnel::on_client_input() { to_origin(); }

void UpgradeTunnel::on_client_drained() {
  if (ended_ || !origin_paused_) return;
  origin_paused_ = false;
  bufferevent_enable(origin_.get(), EV_READ);
  to_client();
}

void UpgradeTunnel::on_client_eof() {
  client_eof_ = true;
  to_origin();
}

void UpgradeTunnel::on_origin_read(bufferevent*, void* self) { static_cast<UpgradeTunnel*>(self)->to_client(); }

void UpgradeTunnel::on_origin_write(bufferevent*, void* self) { static_cast<UpgradeTunnel*>(self)->to_origin(); }

void UpgradeTunnel::on_origin_event(bufferevent*, short what, void* self) {
  auto* t = static_cast<UpgradeTunnel*>(self);
  if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))) return;
  t->to_client();  // whatever arrived with the close
  t->end();
}

void UpgradeTunnel::on_idle(int, short, void* self) {
  auto* t = static_cast<UpgradeTunnel*>(self);
  t->metrics_.tunnel_idle_timeouts.inc();
  t->end();
}

void UpgradeTunnel::close() {
  if (ended_) return;
  ended_ = true;
  event_del(idle_);
  origin_.reset();  // closes the origin socket (libevent defers the free past a running callback)
}

void UpgradeTunnel::end() {
  if (ended_) return;
  close();
  ended_cb_();
}

}  // namespace lacquer::edge
