// One request/response on a client connection. The connection parses the request (head and
// body), creates an Exchange for it through an ExchangeFactory and calls start(). The exchange
// writes its response into the connection's output and calls finish() once everything is
// written (or abort() if the response cannot be completed). The connection destroys the
// exchange afterwards, never while one of its methods is on the stack.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "http/framing.h"
#include "http/message.h"

struct evbuffer;

namespace lacquer::edge {

class ClientConnection;

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

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void start() = 0;
  // The connection's output dropped below its low-water mark (flow control).
  virtual void on_output_drained() {}
  // Bytes from the client while this exchange responds. An exchange that takes the connection
  // over (an upgrade tunnel) consumes them and returns true; the others return false and the
  // bytes wait for the next request.
  virtual bool on_client_input(evbuffer* in) { (void)in; return false; }
  // The client closed its side while this exchange responds.
  virtual void on_client_eof() {}
  // The server is shutting down: an exchange that could last indefinitely ends now.
  virtual void on_drain() {}
};

class ExchangeFactory {
 public:
  virtual ~ExchangeFactory() = default;
  virtual std::unique_ptr<Exchange> create(ClientConnection& conn) = 0;
};

}  // namespace lacquer::edge
