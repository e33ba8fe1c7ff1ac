#include "edge/server/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace lacquer::edge {
namespace {

// Mozilla's "intermediate" TLS 1.2 suites: forward secrecy and AEAD only.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// TLS 1.3 suites in our order: AES-128-GCM first (SHA-256 key schedule and the lighter AES key
// schedule make each handshake and each record cheaper than AES-256-GCM-SHA384, OpenSSL's default
// first choice), ChaCha20 for clients that put it first (no AES hardware), then AES-256.
constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384";
// ALPN, in our order of preference (wire format: length-prefixed names).
constexpr unsigned char kAlpn[] = "\x02h2\x08http/1.1";
constexpr unsigned char kSessionContext[] = "lacquer";

std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// A file we cannot open is named with the OS's reason, which OpenSSL's queue would bury.
void require_readable(const std::string& what, const std::string& path, const conf::ConfigPlace& place) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw TlsError(place.to_string() + ": cannot read " + what + " " + quoted(path) + ": " + std::strerror(errno));
  std::fclose(f);
}

EVP_PKEY* read_private_key(const std::string& path) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (!bio) return nullptr;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                void*) {
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, outlen, kAlpn, sizeof kAlpn - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // nothing in common: no ALPN, HTTP/1.1
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

SSL_CTX* new_context(bool ktls) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) throw TlsError("cannot create a TLS context: " + openssl_reason());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                               SSL_OP_PRIORITIZE_CHACHA | (ktls ? SSL_OP_ENABLE_KTLS : 0));
  SSL_CTX_set_cipher_list(ctx, kTls12Ciphers);
  SSL_CTX_set_ciphersuites(ctx, kTls13Suites);
  // One TLS 1.3 ticket per full handshake, not OpenSSL's two (as Go's crypto/tls): a client that
  // reconnects resumes with it and gets a fresh one; each ticket costs a key derivation, an
  // encryption and a record.
  SSL_CTX_set_num_tickets(ctx, 1);
  // libevent may hand SSL_write a retried buffer from another address after a partial write.
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_max_early_data(ctx, 0);  // no 0-RTT: early data can be replayed
  SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
  return ctx;
}

// The DNS names a certificate carries: its subjectAltName entries, else its subject CN.
std::vector<std::string> certificate_names(X509* cert) {
  std::vector<std::string> names;
  auto* alts = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (alts) {
    for (int i = 0; i < sk_GENERAL_NAME_num(alts); ++i) {
      const GENERAL_NAME* n = sk_GENERAL_NAME_value(alts, i);
      if (n->type != GEN_DNS) continue;
      const auto* s = n->d.dNSName;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         static_cast<std::size_t>(ASN1_STRING_length(s)));
    }
    GENERAL_NAMES_free(alts);
  }
  if (names.empty()) {
    char cn[256] = "";
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0)
      names.emplace_back(cn);
  }
  return names;
}

}  // namespace

std::shared_ptr<const TlsCertificates> TlsCertificates::load(const conf::ListenConfig& listener, bool ktls) {
  std::shared_ptr<TlsCertificates> set(new TlsCertificates());
  for (std::size_t i = 0; i < listener.certificates.size(); ++i) {
    const auto& c = listener.certificates[i];
    require_readable("certificate", c.cert, c.place);
    require_readable("key", c.key, c.place);
    SSL_CTX* ctx = new_context(ktls);
    set->contexts_.push_back(ctx);  // freed with `set` if a check below throws
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(ctx, c.cert.c_str()) != 1)
      throw TlsError(c.place.to_string() + ": certificate " + quoted(c.cert) +
                     " is not a PEM certificate chain: " + openssl_reason());
    EVP_PKEY* key = read_private_key(c.key);
    if (!key)
      throw TlsError(c.place.to_string() + ": key " + quoted(c.key) + " is not a PEM private key: " + openssl_reason());
    const bool matches = X509_check_private_key(SSL_CTX_get0_certificate(ctx), key) == 1;
    const bool used = matches && SSL_CTX_use_PrivateKey(ctx, key) == 1;
    EVP_PKEY_free(key);
    ERR_clear_error();
    if (!matches)
      throw TlsError(c.place.to_string() + ": key " + quoted(c.key) + " does not match certificate " + quoted(c.cert));
    if (!used) throw TlsError(c.place.to_string() + ": key " + quoted(c.key) + " cannot be used: " + openssl_reason());
    for (const auto& name : certificate_names(SSL_CTX_get0_certificate(ctx))) {
      if (!set->names_.add(name, i)) continue;
      if (!set->names_text_.empty()) set->names_text_ += ", ";
      set->names_text_ += name;
    }
    SSL_CTX_set_tlsext_servername_callback(ctx, &TlsCertificates::on_server_name);
    SSL_CTX_set_tlsext_servername_arg(ctx, set.get());
  }
  if (set->contexts_.empty()) throw TlsError(listener.place.to_string() + ": a TLS listener needs a certificate");
  return set;
}

TlsCertificates::~TlsCertificates() {
  for (SSL_CTX* ctx : contexts_) SSL_CTX_free(ctx);
}

SSL* TlsCertificates::new_ssl() const { return SSL_new(contexts_.front()); }

int TlsCertificates::on_server_name(SSL* ssl, int*, void* self) {
  const auto* set = static_cast<const TlsCertificates*>(self);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  const std::size_t index = set->names_.select(name ? name : "");
  // Switching the context switches the certificate; tickets stay with the first context.
  if (index != 0) SSL_set_SSL_CTX(ssl, set->contexts_[index]);
  return SSL_TLSEXT_ERR_OK;
}

TlsListener::TlsListener(const conf::ListenConfig& config, bool ktls)
    : address_(config.address), ktls_(ktls), current_(TlsCertificates::load(config, ktls)) {}

std::shared_ptr<const TlsCertificates> TlsListener::certificates() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void TlsListener::reload_certificates(const conf::ListenConfig& config) {
  auto fresh = TlsCertificates::load(config, ktls_);
  std::lock_guard lock(mutex_);
  current_ = std::move(fresh);
}

std::vector<std::unique_ptr<TlsListener>> load_tls_listeners(const conf::Config& config) {
  std::vector<std::unique_ptr<TlsListener>> out;
  for (const auto& l : config.listeners) out.push_back(l.tls ? std::make_unique<TlsListener>(l, false) : nullptr);
  return out;
}

std::vector<std::string> reload_certificates(const std::vector<std::unique_ptr<TlsListener>>& listeners,
                                             const conf::Config& fresh) {
  std::vector<std::string> errors;
  for (std::size_t i = 0; i < listeners.size() && i < fresh.listeners.size(); ++i) {
    const auto& table = fresh.listeners[i];
    if (!listeners[i] || !table.tls || table.address.to_string() != listeners[i]->address().to_string()) continue;
    try {
      listeners[i]->reload_certificates(table);
    } catch (const TlsError& e) {
      errors.emplace_back(e.what());
    }
  }
  return errors;
}

}  // namespace lacquer::edge
