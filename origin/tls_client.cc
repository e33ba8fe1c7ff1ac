#include "origin/tls_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include "origin/pool_state.h"

namespace lacquer::origin {

namespace {

std::string openssl_error(const std::string& what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "unknown error";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return what + ": " + buf;
}

}  // namespace

TlsClientContext::TlsClientContext(const conf::OriginTlsConfig& config) : config_(config) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_) throw std::runtime_error(openssl_error("TLS to origin: cannot make a context"));
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  if (config.verify) {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    const bool loaded = config.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_) == 1
                                               : SSL_CTX_load_verify_locations(ctx_, config.ca_file.c_str(), nullptr) == 1;
    if (!loaded) {
      SSL_CTX_free(ctx_);
      throw std::runtime_error(openssl_error("TLS to origin: cannot load CA certificates " + config.ca_file));
    }
  }
  if (!config.client_cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx_, config.client_cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx_, config.client_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx_) != 1) {
      SSL_CTX_free(ctx_);
      throw std::runtime_error(openssl_error("TLS to origin: client certificate " + config.client_cert));
    }
  }
}

TlsClientContext::~TlsClientContext() { SSL_CTX_free(ctx_); }

SSL* TlsClientContext::new_ssl(const std::string& server_host) const {
  SSL* ssl = SSL_new(ctx_);
  if (!ssl) return nullptr;
  const std::string& name = config_.sni.empty() ? server_host : config_.sni;
  const bool ip = is_ip_literal(name);
  if (!ip) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (config_.verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (ip) X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    else SSL_set1_host(ssl, name.c_str());
  }
  return ssl;
}

SSL* blocking_handshake(const TlsClientContext& tls, const std::string& server_host, int fd, std::int64_t deadline_ms) {
  SSL* ssl = tls.new_ssl(server_host);
  if (!ssl) return nullptr;
  SSL_set_fd(ssl, fd);
  for (;;) {
    const int rc = SSL_connect(ssl);
    if (rc == 1) return ssl;
    const int err = SSL_get_error(ssl, rc);
    const std::int64_t left = deadline_ms - monotonic_ms();
    if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) || left <= 0) break;
    pollfd p{fd, static_cast<short>(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
  }
  ERR_clear_error();
  SSL_free(ssl);
  return nullptr;
}

}  // namespace lacquer::origin
