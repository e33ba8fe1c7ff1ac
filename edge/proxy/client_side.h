// The contract between a client protocol and the exchanges that answer its requests. An HTTP/1.1
// connection (http1/) implements ClientSide for the request it is serving; an HTTP/2 stream will
// implement the same. Exchanges (the proxy engine, PURGE, admin answers) see nothing else of the
// client: they read the request and write a head, body bytes and an end.
//
// Lifetime: the connection creates the exchange for a parsed request (ExchangeFactory), calls
// start(), and destroys it after finish() or abort(), never while one of its methods is on the
// stack.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edge/fetch/fetch.h"
#include "edge/metrics.h"
#include "http/framing.h"
#include "http/message.h"
#include "storage/entry.h"

namespace lacquer::edge {

// A parsed request, owning its bytes; the views point into `raw`.
struct Request {
  std::string raw;
  http::RequestLine line;
  std::vector<http::Header> headers;
  http::Framing framing;
  std::string body;
  bool client_keep_alive = true;  // what the client asked for (version + Connection field)
  void clear() {
    raw.clear();
    headers.clear();
    body.clear();
    framing = {};
  }
};

enum class BodyFraming : std::uint8_t {
  None,    // no body follows (HEAD, 304, 204); the head may still carry a Content-Length
  Length,  // exactly the Content-Length among the head's fields follows
  Stream,  // the length is not known up front: the connection frames it
};

// A response head as exchanges make it. `fields` is a status line and fields, each line ending in
// CRLF ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"), without the blank line and without
// any connection-level field; the client side adds those its protocol needs.
struct ResponseHead {
  std::string_view fields{};
  const storage::Entry* owner = nullptr;  // set: `fields` are stored bytes, sent by reference
  std::string_view extra{};               // fields made for this response (Age, Cache-Status...)
  BodyFraming framing = BodyFraming::Length;
};

class ClientSide : public BodySink {
 public:
  virtual const Request& request() const = 0;
  virtual std::string_view peer_ip() const = 0;
  // The local address the client reached, as an authority ("127.0.0.1:8080"): the authority of
  // a request without Host (RFC 9112 §3.3). "" where the protocol always carries one.
  virtual std::string local_address() const { return {}; }
  // The request came over TLS: "https" is the scheme sent to the origin (X-Forwarded-Proto).
  virtual bool secure() const { return false; }
  // Interim (1xx) responses as the origin sent them; a client that cannot take them drops them.
  virtual void write_interim(std::string_view raw_heads) = 0;
  virtual void write_head(const ResponseHead& head) = 0;
  // Body bytes: BodySink::write_body copies; this one sends a stored entry's bytes by reference.
  virtual void write_stored_body(const storage::Entry& owner, std::string_view bytes) = 0;
  // How many more body bytes may be queued before the exchange should wait for
  // Exchange::on_output_drained() (flow control; 0 when the client is behind).
  virtual std::size_t writable_bytes() const = 0;
  // Whether the response may leave the connection open for another request.
  virtual bool keep_alive() const = 0;
  // The response is complete; `keep_alive` false closes the connection after it.
  virtual void finish(bool keep_alive) = 0;
  // The response cannot be completed (the origin broke off mid-body): the client must see it cut,
  // never mistake it for complete.
  virtual void abort() = 0;
  // The origin's response head is here (for the access log's time to first origin byte); only
  // the first call counts.
  virtual void note_origin_head() {}
  // The site the request was routed to: its counters take the response's body bytes.
  virtual void note_site(SiteCounters* site) { (void)site; }
  // Protocol upgrades (RFC 9110 §7.8): whether this client can take a 101 and carry the switched
  // protocol's bytes to and from the origin. Only an HTTP/1.1 connection can; an HTTP/2 stream
  // cannot (RFC 9113 §8.6 forbids 101 there; extended CONNECT, RFC 8441, is not offered).
  virtual bool can_tunnel() const { return false; }
  // Only when can_tunnel(): writes the 101 `head` (with `protocol` as its Upgrade) and turns the
  // connection into a byte tunnel to `origin`. The response is over: the exchange is done, as
  // after finish().
  virtual void start_tunnel(const ResponseHead& head, std::string_view protocol, origin::UpgradedConnection origin) {
    (void)head, (void)protocol, (void)origin;
  }
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void start() = 0;
  // The client took queued output; more may be written (see ClientSide::writable_bytes).
  virtual void on_output_drained() {}
};

class ExchangeFactory {
 public:
  virtual ~ExchangeFactory() = default;
  virtual std::unique_ptr<Exchange> create(ClientSide& client) = 0;
};

// A complete response we make ourselves (errors, refusals, admin answers): a head with
// Content-Type, Content-Length, Via and (when given) Cache-Status, then the body (not for HEAD).
// `extra_fields` ("Allow: GET, HEAD\r\n") go after those.
void respond_simple(ClientSide& client, std::string_view via, int status, std::string_view content_type,
                    std::string_view body, std::string_view cache_status = {}, std::string_view extra_fields = {});

// An exchange whose whole answer is known up front (refusals, small admin answers).
class FixedResponseExchange final : public Exchange {
 public:
  FixedResponseExchange(ClientSide& client, std::string_view via, int status, std::string content_type,
                        std::string body, std::string_view extra_fields = {})
      : client_(client), via_(via), status_(status), content_type_(std::move(content_type)), body_(std::move(body)),
        extra_fields_(extra_fields) {}
  void start() override { respond_simple(client_, via_, status_, content_type_, body_, {}, extra_fields_); }

 private:
  ClientSide& client_;
  std::string_view via_;
  int status_;
  std::string content_type_;
  std::string body_;
  std::string_view extra_fields_;  // static text
};

}  // namespace lacquer::edge
