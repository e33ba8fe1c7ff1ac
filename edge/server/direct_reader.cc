#include "edge/server/direct_reader.h"

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>

#include "edge/server/tls_handshake.h"

namespace lacquer::edge {
namespace {

// The most one readiness takes before the sink runs (libevent's own reads stop at 4 KiB).
constexpr std::size_t kMaxRead = 64 * 1024;

char* read_buffer() {
  thread_local char buffer[kMaxRead];
  return buffer;
}

}  // namespace

void DirectReader::attach(bufferevent* bev, Sink sink, void* arg) {
  detach();
  bev_ = bev;
  sink_ = sink;
  arg_ = arg;
  ssl_ = bufferevent_openssl_get_ssl(bev);
  bufferevent_disable(bev, EV_READ);
  ev_ = event_new(bufferevent_get_base(bev), bufferevent_getfd(bev), EV_READ | EV_PERSIST, &DirectReader::on_readable,
                  this);
}

void DirectReader::enable() {
  if (!ev_) return;
  event_add(ev_, nullptr);
  // Read ahead with the last bytes read: no socket readiness will announce it.
  if (ssl_ && SSL_has_pending(ssl_)) event_active(ev_, EV_READ, 1);
}

void DirectReader::disable() {
  if (ev_) event_del(ev_);
}

void DirectReader::detach() {
  if (ev_) event_free(ev_);
  ev_ = nullptr;
  bev_ = nullptr;
  ssl_ = nullptr;
}

void DirectReader::on_readable(int fd, short, void* self) {
  auto* r = static_cast<DirectReader*>(self);
  if (r->ssl_) r->read_tls();
  else r->read_plain(fd);
}

void DirectReader::read_plain(int fd) {
  char* buffer = read_buffer();
  const ssize_t n = ::recv(fd, buffer, kMaxRead, 0);
  if (n > 0) return sink_({buffer, static_cast<std::size_t>(n)}, arg_);
  if (n == 0) return end(BEV_EVENT_READING | BEV_EVENT_EOF);
  if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) end(BEV_EVENT_READING | BEV_EVENT_ERROR);
}

// Read-ahead (TlsHandshake) has OpenSSL take all the socket holds in one read(); every record
// it holds is decrypted here, so none waits unannounced in its buffer.
void DirectReader::read_tls() {
  SSL* ssl = ssl_;
  char* buffer = read_buffer();
  std::size_t got = 0;
  short ended = 0;
  clear_stale_tls_errors();
  while (got < kMaxRead) {
    const int n = SSL_read(ssl, buffer + got, static_cast<int>(kMaxRead - got));
    if (n > 0) {
      got += static_cast<std::size_t>(n);
      if (!SSL_has_pending(ssl)) break;  // the socket is asked again only when it is readable
      continue;
    }
    const int err = SSL_get_error(ssl, n);
    if (err == SSL_ERROR_WANT_READ) break;
    // close_notify, or a peer gone without one (as allow_dirty_shutdown makes libevent say),
    // is the end of the stream; anything else (including a read that would need to write, which
    // TLS 1.3 without renegotiation never asks for) is an error.
    const bool eof = err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0);
    ended = BEV_EVENT_READING | (eof ? BEV_EVENT_EOF : BEV_EVENT_ERROR);
    ERR_clear_error();
    break;
  }
  // A full buffer with records left: the rest on the next loop round, after other connections.
  const bool more = ended == 0 && got == kMaxRead && SSL_has_pending(ssl);
  if (got > 0) sink_({buffer, got}, arg_);
  if (ended != 0) end(ended);
  else if (more && event_pending(ev_, EV_READ, nullptr)) event_active(ev_, EV_READ, 1);
}

void DirectReader::end(short what) {
  disable();
  bufferevent_event_cb on_event = nullptr;
  void* arg = nullptr;
  bufferevent_getcb(bev_, nullptr, nullptr, &on_event, &arg);
  if (on_event) on_event(bev_, what, arg);
}

}  // namespace lacquer::edge
