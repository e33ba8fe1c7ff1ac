// An accepted connection on a TLS listener until its handshake is done: a libevent OpenSSL
// bufferevent over the socket, a deadline (limits.header_timeout), and then, by the protocol
// ALPN chose, a hand-over of the bufferevent to an Http2Connection (h2) or a ClientConnection
// (http/1.1 or no ALPN), which read and write through it like through a plain socket one.
// A failed or timed-out handshake just closes (and is counted).
//
// Threading: one worker's loop thread. Deleted through Worker::connection_closed or replaced
// through Worker::tls_established.
#pragma once

#include <cstddef>

#include <memory>
#include <string>

#include "edge/server/connection.h"

struct bufferevent;
struct event;

namespace lacquer::edge {

class Worker;
class TlsCertificates;

class TlsHandshake final : public Connection {
 public:
  TlsHandshake(Worker& worker, int fd, std::shared_ptr<const TlsCertificates> certificates, std::string peer_ip);
  ~TlsHandshake() override;
  TlsHandshake(const TlsHandshake&) = delete;
  TlsHandshake& operator=(const TlsHandshake&) = delete;

  void drain() override;  // a handshake in progress is not worth finishing at shutdown
  // After Worker::tls_established: gives up the bufferevent (with any bytes already decrypted).
  bufferevent* release();
  const std::string& peer_ip() const { return peer_ip_; }
  bool negotiated_h2() const { return h2_; }

 private:
  static void on_event(bufferevent* bev, short what, void* self);
  static void on_deadline(int fd, short what, void* self);
  static void on_done(int fd, short what, void* self);
  void finish(bool ok);

  Worker& worker_;
  std::shared_ptr<const TlsCertificates> certificates_;  // the SNI callback reads them
  bufferevent* bev_ = nullptr;
  event* deadline_ = nullptr;
  event* done_ = nullptr;
  std::string peer_ip_;
  bool ok_ = false;
  bool h2_ = false;
  bool finished_ = false;
};

// For connections that may run over TLS (edge/http1, edge/http2): whether `bev` is a TLS one,
// and a close_notify alert written straight to the socket before a half-close, so the client
// can tell our end of the stream from a truncation.
bool is_tls(bufferevent* bev);
// SSL_get_error reads the thread's error queue, so it must be empty before an SSL call; it
// nearly always is, and ERR_clear_error (which walks all its slots) costs ~800 instructions.
void clear_stale_tls_errors();
void send_close_notify(bufferevent* bev);
// Encrypts and writes the bufferevent's queued output now, the way a plain connection writes
// its socket at the end of a loop iteration, instead of waiting a loop round for writability.
// Each SSL_write takes up to one record (16 KiB) from one contiguous piece, so a small response
// (head, per-response fields, body: several evbuffer chains) is one record and one send().
// Whatever the socket does not take stays queued for the bufferevent to write (SSL_write is then
// retried with the same bytes first, as OpenSSL requires). False when the connection failed.
bool tls_write_now(bufferevent* bev);
// The same for bytes not yet queued, written from where they are when the output is empty (no
// copy into the bufferevent). Returns how many were taken, or -1 when the connection failed; the
// caller queues the rest, whose first record OpenSSL then expects again at the retry.
std::ptrdiff_t tls_write_direct(bufferevent* bev, const char* data, std::size_t size);

}  // namespace lacquer::edge
