// Heads of responses lacquer makes itself (errors, admin answers).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lacquer::edge {

// Status line, Content-Type (text/plain unless given), Content-Length, Via, Cache-Status, the
// connection line (may be empty) and the blank line.
void append_synthetic_head(std::string& out, int status, std::size_t content_length,
                           std::string_view via, std::string_view cache_status,
                           std::string_view connection_line,
                           std::string_view content_type = "text/plain; charset=utf-8");

}  // namespace lacquer::edge

namespace lacquer::edge {
class ClientConnection;
// Writes a complete response we make ourselves and finishes the exchange.
void respond_simple(ClientConnection& conn, int status, std::string_view content_type,
                    std::string_view body, std::string_view cache_status = {});
}  // namespace lacquer::edge

#include "edge/http1/exchange.h"

namespace lacquer::edge {
// An exchange whose whole answer is known up front (refusals, small admin answers).
class FixedResponseExchange final : public Exchange {
 public:
  FixedResponseExchange(ClientConnection& conn, int status, std::string content_type, std::string body)
      : conn_(conn), status_(status), content_type_(std::move(content_type)), body_(std::move(body)) {}
  void start() override { respond_simple(conn_, status_, content_type_, body_); }

 private:
  ClientConnection& conn_;
  int status_;
  std::string content_type_;
  std::string body_;
};
}  // namespace lacquer::edge
