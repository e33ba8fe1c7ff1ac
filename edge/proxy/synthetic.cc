#include "edge/proxy/synthetic.h"

#include "http/serializer.h"

namespace lacquer::edge {

void append_synthetic_head(std::string& out, int status, std::size_t content_length,
                           std::string_view via, std::string_view cache_status,
                           std::string_view connection_line, std::string_view content_type) {
  http::append_status_line(out, status);
  http::append_header(out, "Content-Type", content_type);
  http::append_header(out, "Content-Length", static_cast<std::uint64_t>(content_length));
  http::append_header(out, "Via", via);
  if (!cache_status.empty()) http::append_header(out, "Cache-Status", cache_status);
  out.append(connection_line);
  out.append("\r\n");
}

}  // namespace lacquer::edge

#include <event2/buffer.h>

#include "edge/http1/client_connection.h"
#include "edge/server/worker.h"

namespace lacquer::edge {

void respond_simple(ClientConnection& conn, int status, std::string_view content_type,
                    std::string_view body, std::string_view cache_status) {
  std::string head;
  append_synthetic_head(head, status, body.size(), conn.worker().shared().via, cache_status,
                        conn.connection_header(), content_type);
  evbuffer_add(conn.output(), head.data(), head.size());
  if (conn.request().line.method != "HEAD") evbuffer_add(conn.output(), body.data(), body.size());
  conn.finish(conn.keep_alive());
}

}  // namespace lacquer::edge
