#include "edge/server/socket_reader.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_struct.h>
#include <event2/event.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>

namespace lacquer::edge {
namespace {

// As much as one read takes (libevent's own reads stop at 4 KiB).
constexpr std::size_t kMaxRead = 64 * 1024;

// Disables reading and reports `what` as libevent does for a failed read.
void report(bufferevent* bev, short what) {
  bufferevent_disable(bev, EV_READ);
  bufferevent_event_cb on_event = nullptr;
  void* arg = nullptr;
  bufferevent_getcb(bev, nullptr, nullptr, &on_event, &arg);
  if (on_event) on_event(bev, what, arg);
}

void read_once(evutil_socket_t fd, short events, bufferevent* bev) {
  if (events == EV_TIMEOUT) {
    report(bev, BEV_EVENT_READING | BEV_EVENT_TIMEOUT);
    return;
  }
  evbuffer* in = bufferevent_get_input(bev);
  std::size_t low = 0, high = 0;
  bufferevent_getwatermark(bev, EV_READ, &low, &high);
  std::size_t want = kMaxRead;
  if (high != 0) {
    const std::size_t held = evbuffer_get_length(in);
    if (held >= high) return;  // the input's watermark callback has suspended reading
    want = std::min(want, high - held);
  }
  thread_local char buffer[kMaxRead];
  const ssize_t n = ::recv(fd, buffer, want, 0);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) report(bev, BEV_EVENT_READING | BEV_EVENT_ERROR);
    return;
  }
  if (n == 0) {
    report(bev, BEV_EVENT_READING | BEV_EVENT_EOF);
    return;
  }
  // A socket bufferevent freezes the end of its input so only it adds there; we read for it.
  evbuffer_unfreeze(in, 0);
  evbuffer_add(in, buffer, static_cast<std::size_t>(n));
  evbuffer_freeze(in, 0);
  if (evbuffer_get_length(in) < low) return;
  bufferevent_data_cb on_read = nullptr;
  void* arg = nullptr;
  bufferevent_getcb(bev, &on_read, nullptr, nullptr, &arg);
  if (on_read) on_read(bev, arg);
}

void on_readable(evutil_socket_t fd, short events, void* arg) {
  auto* bev = static_cast<bufferevent*>(arg);
  // Held across the callbacks, which may free the bufferevent, as libevent's own handler does.
  bufferevent_incref(bev);
  read_once(fd, events, bev);
  bufferevent_decref(bev);
}

}  // namespace

void read_without_fionread(bufferevent* bev) {
  // The same event the bufferevent enables, disables and finalizes; only its handler changes.
  event* ev = &bev->ev_read;
  event_del(ev);
  event_assign(ev, bufferevent_get_base(bev), bufferevent_getfd(bev), EV_READ | EV_PERSIST | EV_FINALIZE,
               &on_readable, bev);
}

}  // namespace lacquer::edge
