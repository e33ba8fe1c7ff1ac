#include "edge/proxy/synthetic.h"

#include "edge/proxy/client_side.h"
#include "http/serializer.h"

namespace lacquer::edge {
namespace {

void append_fields(std::string& out, int status, std::size_t content_length, std::string_view via,
                   std::string_view cache_status, std::string_view content_type) {
  http::append_status_line(out, status);
  http::append_header(out, "Content-Type", content_type);
  http::append_header(out, "Content-Length", static_cast<std::uint64_t>(content_length));
  http::append_header(out, "Via", via);
  if (!cache_status.empty()) http::append_header(out, "Cache-Status", cache_status);
}

}  // namespace

void append_synthetic_head(std::string& out, int status, std::size_t content_length,
                           std::string_view via, std::string_view cache_status,
                           std::string_view connection_line, std::string_view content_type) {
  append_fields(out, status, content_length, via, cache_status, content_type);
  out.append(connection_line);
  out.append("\r\n");
}

void respond_simple(ClientSide& client, std::string_view via, int status, std::string_view content_type,
                    std::string_view body, std::string_view cache_status) {
  std::string fields;
  append_fields(fields, status, body.size(), via, cache_status, content_type);
  const bool head = client.request().line.method == "HEAD";
  client.write_head({.fields = fields, .framing = head ? BodyFraming::None : BodyFraming::Length});
  if (!head) client.write_body(body);
  client.finish(client.keep_alive());
}

}  // namespace lacquer::edge
