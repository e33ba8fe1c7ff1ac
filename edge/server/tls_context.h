// TLS for a listener (OpenSSL 3): one SSL_CTX per certificate of its [[listen]] table, the one a
// handshake uses picked by the client's server_name (http/server_names.h: exact, wildcard, else
// the first certificate). Every context is set up alike: TLS 1.2 and 1.3 only, AEAD ECDHE suites
// for 1.2 (OpenSSL's 1.3 defaults), no renegotiation, no compression, no 0-RTT; ALPN h2 then
// http/1.1 (a client offering neither gets HTTP/1.1 without ALPN); resumption by session
// tickets (keys of the default context, so every certificate shares them) and the server
// session cache.
//
// Reload (SIGHUP, edge/server/reload.cc): reload_certificates() loads the files again and swaps
// each set atomically; a handshake in progress keeps the set it started with (TlsHandshake holds
// it), connections past the handshake no longer need it.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "conf/config.h"
#include "http/server_names.h"

struct ssl_ctx_st;
struct ssl_st;

namespace lacquer::edge {

// A certificate or key that cannot be used; the message names the config place and the file:
// "t.toml:5:18: listen[1].certificates[0]: key \"/etc/x.key\" does not match certificate ...".
struct TlsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class TlsCertificates {
 public:
  // Reads and checks every certificate/key pair of `listener`; throws TlsError.
  static std::shared_ptr<const TlsCertificates> load(const conf::ListenConfig& listener, bool ktls);
  ~TlsCertificates();
  TlsCertificates(const TlsCertificates&) = delete;
  TlsCertificates& operator=(const TlsCertificates&) = delete;

  // A server SSL for an accepted connection, on the default certificate until SNI picks one.
  ssl_st* new_ssl() const;
  std::size_t count() const { return contexts_.size(); }
  // The names taken from the certificates, for the start-up line ("a.test, *.b.test").
  const std::string& names() const { return names_text_; }

 private:
  TlsCertificates() = default;
  static int on_server_name(ssl_st* ssl, int* alert, void* self);

  std::vector<ssl_ctx_st*> contexts_;
  http::ServerNameTable names_;
  std::string names_text_;
};

// The certificate set a TLS listener hands to new connections.
class TlsListener {
 public:
  // Loads the certificates; throws TlsError.
  TlsListener(const conf::ListenConfig& config, bool ktls);
  std::shared_ptr<const TlsCertificates> certificates() const;
  const conf::Endpoint& address() const { return address_; }
  // Loads `config`'s certificates again and, when all load, puts them in place for the next
  // handshakes; otherwise throws TlsError and the current set stays.
  void reload_certificates(const conf::ListenConfig& config);

 private:
  const conf::Endpoint address_;
  const bool ktls_;
  mutable std::mutex mutex_;
  std::shared_ptr<const TlsCertificates> current_;
};

// One entry per [[listen]] table of `config`, in order: a TlsListener for a TLS one, null for
// a cleartext one. Throws TlsError for the first certificate that cannot be used.
std::vector<std::unique_ptr<TlsListener>> load_tls_listeners(const conf::Config& config);

// For a reload (SIGHUP): each TLS listener loads the certificates its table names in `fresh`
// (the table at the same position with the same address; adding or moving listeners needs a
// restart), so renewed files take effect. Returns one message per listener whose files failed;
// that listener keeps its current certificates.
std::vector<std::string> reload_certificates(const std::vector<std::unique_ptr<TlsListener>>& listeners,
                                             const conf::Config& fresh);

}  // namespace lacquer::edge
