// An HTTP/1.1 response head as the engine makes it ("HTTP/1.1 200 OK\r\nName: v\r\n...", plus
// extra field lines) turned into HTTP/2 fields (RFC 9113 §8.3.2): ":status" first, names
// lower-cased, connection-specific fields dropped (§8.2.2). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lacquer::http {

struct H2Field {
  std::string_view name;
  std::string_view value;
};

// Fills `out` with views into `storage` (cleared and reused; the inputs are copied there once and
// the names lower-cased in place), except the literal ":status" name: so `storage` alone must
// outlive the views, which lets nghttp2 take them without copying (NGHTTP2_NV_FLAG_NO_COPY_*).
// Returns false when `fields` does not start with a status line with a three-digit status. Lines
// without a colon are skipped.
bool h2_response_fields(std::string_view fields, std::string_view extra, std::string& storage,
                        std::vector<H2Field>& out);

}  // namespace lacquer::http
