#include "edge/server/tls_handshake.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstddef>
#include <cstring>

#include "edge/server/tls_context.h"
#include "edge/server/worker.h"

namespace lacquer::edge {
namespace {

// Read-ahead (set on every TLS connection, see TlsHandshake's constructor) lets OpenSSL read
// whatever the socket holds in one read() instead of a 5-byte record header and then the rest:
// one system call per request saved. The price: records behind the one libevent asked for can
// wait in OpenSSL's buffer, where no socket readiness will announce them (libevent only looks
// at SSL_pending, the bytes of a record already decrypted). So whenever the plaintext input
// changes (libevent added a record, the connection consumed some) and OpenSSL still holds
// bytes, the bufferevent's read event is made active: the loop runs libevent's usual read path
// on them, exactly as for a readable socket. A partial record costs at most one read() that
// finds nothing (EAGAIN); reading disabled (a connection closing) is left alone.
void kick_buffered_records(bufferevent* bev) {
  SSL* ssl = bufferevent_openssl_get_ssl(bev);
  if (ssl && SSL_has_pending(ssl) && (bufferevent_get_enabled(bev) & EV_READ)) event_active(&bev->ev_read, EV_READ, 1);
}

void on_input_changed(evbuffer*, const evbuffer_cb_info*, void* bev) {
  kick_buffered_records(static_cast<bufferevent*>(bev));
}

// The most one TLS record carries; each SSL_write is given at most this much.
constexpr std::size_t kRecord = 16384;

// One SSL_write of at most a record: the bytes taken (> 0), 0 when the socket will not take
// them now (OpenSSL then expects the same bytes again), or -1 when the connection failed.
int write_record(SSL* ssl, const void* data, std::size_t size) {
  clear_stale_tls_errors();
  const int n = SSL_write(ssl, data, static_cast<int>(size));
  if (n > 0) return n;
  const int err = SSL_get_error(ssl, n);
  if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) return 0;
  ERR_clear_error();
  return -1;
}

}  // namespace

TlsHandshake::TlsHandshake(Worker& worker, int fd, std::shared_ptr<const TlsCertificates> certificates,
                           std::string peer_ip)
    : worker_(worker), certificates_(std::move(certificates)), peer_ip_(std::move(peer_ip)) {
  SSL* ssl = certificates_->new_ssl();
  SSL_set_read_ahead(ssl, 1);  // see kick_buffered_records
  bev_ = bufferevent_openssl_socket_new(worker_.base(), fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                        BEV_OPT_CLOSE_ON_FREE);
  // A peer that closes without close_notify is an EOF, as on a plain socket (HTTP frames its
  // messages itself, so a truncation is seen there).
  bufferevent_openssl_set_allow_dirty_shutdown(bev_, 1);
  bufferevent_setcb(bev_, nullptr, nullptr, &TlsHandshake::on_event, this);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  deadline_ = evtimer_new(worker_.base(), &TlsHandshake::on_deadline, this);
  done_ = event_new(worker_.base(), -1, 0, &TlsHandshake::on_done, this);
  const std::uint32_t ms = worker_.config().limits.header_timeout_ms;
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  evtimer_add(deadline_, &tv);
}

TlsHandshake::~TlsHandshake() {
  event_free(deadline_);
  event_free(done_);
  if (bev_) bufferevent_free(bev_);
}

bufferevent* TlsHandshake::release() {
  bufferevent_setcb(bev_, nullptr, nullptr, nullptr, nullptr);
  bufferevent* bev = bev_;
  bev_ = nullptr;
  evbuffer_add_cb(bufferevent_get_input(bev), &on_input_changed, bev);
  // The client's first request may have come with its Finished message and be read ahead
  // already; the read event runs from the loop, once the new owner has enabled reading.
  if (SSL_has_pending(bufferevent_openssl_get_ssl(bev))) event_active(&bev->ev_read, EV_READ, 1);
  return bev;
}

void TlsHandshake::drain() { finish(false); }

void TlsHandshake::on_event(bufferevent* bev, short what, void* self) {
  auto* h = static_cast<TlsHandshake*>(self);
  if (what & BEV_EVENT_CONNECTED) {
    SSL* ssl = bufferevent_openssl_get_ssl(bev);
    const unsigned char* proto = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl, &proto, &len);
    h->h2_ = len == 2 && std::memcmp(proto, "h2", 2) == 0;
    auto& m = h->worker_.metrics();
    m.tls_handshakes.inc();
    if (SSL_session_reused(ssl)) m.tls_resumptions.inc();
    h->finish(true);
    return;
  }
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
    h->worker_.metrics().tls_handshake_failures.inc();
    h->finish(false);
  }
}

void TlsHandshake::on_deadline(int, short, void* self) {
  auto* h = static_cast<TlsHandshake*>(self);
  h->worker_.metrics().tls_handshake_failures.inc();
  h->worker_.metrics().timeouts.inc();
  h->finish(false);
}

// The outcome is acted on from the loop, never under a libevent callback of our bufferevent.
void TlsHandshake::finish(bool ok) {
  if (finished_) return;
  finished_ = true;
  ok_ = ok;
  evtimer_del(deadline_);
  bufferevent_disable(bev_, EV_READ | EV_WRITE);
  event_active(done_, EV_TIMEOUT, 1);
}

void TlsHandshake::on_done(int, short, void* self) {
  auto* h = static_cast<TlsHandshake*>(self);
  if (h->ok_) h->worker_.tls_established(h);  // replaces h
  else h->worker_.connection_closed(h);       // deletes h
}

bool is_tls(bufferevent* bev) { return bev && bufferevent_openssl_get_ssl(bev) != nullptr; }

void clear_stale_tls_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

bool tls_write_now(bufferevent* bev) {
  thread_local unsigned char scratch[kRecord];
  SSL* ssl = bufferevent_openssl_get_ssl(bev);
  evbuffer* out = bufferevent_get_output(bev);
  for (std::size_t left = evbuffer_get_length(out); left > 0; left = evbuffer_get_length(out)) {
    const std::size_t take = left < kRecord ? left : kRecord;
    // One record from one contiguous piece: the first chain when it holds it all, else a copy
    // (cheaper than pulling the chains up into a new one).
    evbuffer_iovec first{};
    const unsigned char* p = scratch;
    if (evbuffer_peek(out, -1, nullptr, &first, 1) >= 1 && first.iov_len >= take)
      p = static_cast<const unsigned char*>(first.iov_base);
    else
      evbuffer_copyout(out, scratch, take);
    const int n = write_record(ssl, p, take);
    if (n < 0) return false;
    if (n == 0) {
      // libevent's writer retries from the front of the buffer, one chain per SSL_write:
      // OpenSSL needs at least these `take` bytes again, so they must be one chain.
      evbuffer_pullup(out, static_cast<ssize_t>(take));
      return true;
    }
    evbuffer_drain(out, static_cast<std::size_t>(n));
  }
  return true;
}

std::ptrdiff_t tls_write_direct(bufferevent* bev, const char* data, std::size_t size) {
  SSL* ssl = bufferevent_openssl_get_ssl(bev);
  std::size_t taken = 0;
  while (taken < size) {
    const std::size_t take = size - taken < kRecord ? size - taken : kRecord;
    const int n = write_record(ssl, data + taken, take);
    if (n < 0) return -1;
    if (n == 0) break;
    taken += static_cast<std::size_t>(n);
  }
  return static_cast<std::ptrdiff_t>(taken);
}

void send_close_notify(bufferevent* bev) {
  if (SSL* ssl = bev ? bufferevent_openssl_get_ssl(bev) : nullptr) SSL_shutdown(ssl);
}

}  // namespace lacquer::edge
