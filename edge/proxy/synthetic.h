// Heads of responses lacquer makes itself, for a connection that writes them as bytes
// (the HTTP/1.1 connection's own refusals).
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
