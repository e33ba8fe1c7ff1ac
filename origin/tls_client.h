// TLS to the origin servers of one pool: an OpenSSL client context built once from the pool's
// config (verification on by default, against the system store or `ca_file`; an optional client
// certificate), and per connection an SSL object with SNI and host-name (or IP) verification.
// The context is immutable after construction and shared by every worker (SSL_new is safe on
// a shared SSL_CTX); each SSL object belongs to one connection on one loop.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "conf/sites.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace lacquer::origin {

class TlsClientContext {
 public:
  // Throws std::runtime_error naming what failed (an unreadable CA file, a key that does not
  // match its certificate, ...).
  explicit TlsClientContext(const conf::OriginTlsConfig& config);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  // A client SSL for `server_host`: SNI is `sni` when configured, else the host when it is a
  // name (never an IP literal); the certificate must match that name (or the IP literal).
  SSL* new_ssl(const std::string& server_host) const;

 private:
  SSL_CTX* ctx_ = nullptr;
  conf::OriginTlsConfig config_;
};

// Blocking handshake on a connected non-blocking socket, for the probes (upkeep thread only):
// returns the SSL (caller frees it) or nullptr when the handshake failed or timed out.
SSL* blocking_handshake(const TlsClientContext& tls, const std::string& server_host, int fd, std::int64_t deadline_ms);

}  // namespace lacquer::origin
