#include <catch2/catch.hpp>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "edge/server/direct_reader.h"

using lacquer::edge::DirectReader;

namespace {

// A bufferevent on one end of a socket pair, read by a DirectReader; the test writes to the other
// end and runs the loop one round per step.
struct Pair {
  event_base* base = event_base_new();
  int fds[2] = {-1, -1};
  bufferevent* bev = nullptr;
  DirectReader reader;
  std::vector<std::string> reads;  // one per sink call
  short events = 0;

  Pair() {
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    evutil_make_socket_nonblocking(fds[0]);  // as accepted sockets are
  }
  ~Pair() {
    reader.detach();
    if (bev) bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
  }
  void take_over() {
    bufferevent_setcb(bev, nullptr, nullptr, &Pair::on_event, this);
    reader.attach(bev, &Pair::on_bytes, this);
  }
  static void on_bytes(std::string_view bytes, void* arg) { static_cast<Pair*>(arg)->reads.emplace_back(bytes); }
  static void on_event(bufferevent*, short what, void* arg) { static_cast<Pair*>(arg)->events = what; }
  void send(const std::string& bytes) const {
    REQUIRE(write(fds[1], bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  }
  void turn() const { event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK); }
  std::size_t buffered_input() const { return evbuffer_get_length(bufferevent_get_input(bev)); }
};

struct PlainPair : Pair {
  PlainPair() {
    bev = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    take_over();
  }
};

// A self-signed P-256 certificate, made in memory.
struct TestCertificate {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  TestCertificate() {
    REQUIRE(key != nullptr);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);
  }
  ~TestCertificate() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

// The server end is an OpenSSL bufferevent with read-ahead (as TlsHandshake makes them); the
// client end a plain non-blocking SSL the test drives by hand.
struct TlsPair : Pair {
  TestCertificate certificate;
  SSL_CTX* server_ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
  SSL* client = nullptr;
  bool connected = false;

  TlsPair() {
    REQUIRE(SSL_CTX_use_certificate(server_ctx, certificate.cert) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey(server_ctx, certificate.key) == 1);
    SSL* server = SSL_new(server_ctx);
    SSL_set_read_ahead(server, 1);
    bev = bufferevent_openssl_socket_new(base, fds[0], server, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(bev, nullptr, nullptr, &TlsPair::on_handshake, this);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    client = SSL_new(client_ctx);
    SSL_set_fd(client, fds[1]);
    SSL_set_connect_state(client);
    for (int i = 0; i < 100 && !(connected && SSL_is_init_finished(client)); ++i) {
      SSL_do_handshake(client);
      turn();
    }
    REQUIRE(connected);
    bufferevent_disable(bev, EV_READ | EV_WRITE);
    take_over();
  }
  ~TlsPair() {
    SSL_free(client);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
  }
  static void on_handshake(bufferevent*, short what, void* arg) {
    if (what & BEV_EVENT_CONNECTED) static_cast<TlsPair*>(arg)->connected = true;
  }
  void send_record(const std::string& bytes) const {
    REQUIRE(SSL_write(client, bytes.data(), static_cast<int>(bytes.size())) == static_cast<int>(bytes.size()));
  }
};

}  // namespace

TEST_CASE("DirectReader hands what arrives to the sink, past the bufferevent's input") {
  PlainPair p;
  p.reader.enable();
  p.send("PRI * HTTP/2.0\r\n");
  p.turn();
  REQUIRE(p.reads.size() == 1);
  CHECK(p.reads[0] == "PRI * HTTP/2.0\r\n");
  p.send(std::string(20000, 'x'));  // more than libevent's own 4 KiB reads, in one read
  p.turn();
  REQUIRE(p.reads.size() == 2);
  CHECK(p.reads[1].size() == 20000);
  CHECK(p.buffered_input() == 0);
}

TEST_CASE("DirectReader reads nothing while disabled, and what waited once enabled") {
  PlainPair p;
  p.send("early");
  p.turn();
  CHECK(p.reads.empty());
  p.reader.enable();
  p.turn();
  REQUIRE(p.reads.size() == 1);
  CHECK(p.reads[0] == "early");
  p.reader.disable();
  p.send("late");
  p.turn();
  CHECK(p.reads.size() == 1);
}

TEST_CASE("DirectReader reports the end of the stream to the event callback after the data") {
  PlainPair p;
  p.reader.enable();
  p.send("last");
  shutdown(p.fds[1], SHUT_WR);
  p.turn();
  REQUIRE(p.reads.size() == 1);
  CHECK(p.events == 0);
  p.turn();
  CHECK(p.events == (BEV_EVENT_READING | BEV_EVENT_EOF));
  p.turn();  // disabled: nothing more is read or reported
  CHECK(p.reads.size() == 1);
}

TEST_CASE("DirectReader decrypts every record read ahead in one readiness, then sees close_notify") {
  TlsPair p;
  p.reader.enable();
  p.send_record("HEADERS");
  p.send_record("DATA-1");
  p.send_record("DATA-2");  // three records, one read() with read-ahead
  p.turn();
  REQUIRE(p.reads.size() == 1);  // none left waiting in OpenSSL's buffer
  CHECK(p.reads[0] == "HEADERSDATA-1DATA-2");
  CHECK(p.buffered_input() == 0);
  SSL_shutdown(p.client);
  p.turn();
  CHECK(p.events == (BEV_EVENT_READING | BEV_EVENT_EOF));
}
