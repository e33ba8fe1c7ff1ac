// Reading fields back out of a stored head ("HTTP/1.1 200 OK\r\nName: value\r\n...", see
// storage/entry.h). Only conditional requests, ranges and revalidation need this, never a
// plain hit.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace lacquer::http {

// The header fields of a stored head (views into `head`); the status line is skipped.
std::vector<Header> stored_fields(std::string_view head);
// The first field called `name` (case-insensitive), if any.
std::optional<std::string_view> stored_field(std::string_view head, std::string_view name);

// What conditional requests are judged against (RFC 9110 §13): ETag ("" when none),
// Last-Modified and Date.
struct StoredValidators {
  std::string_view etag;
  std::optional<std::int64_t> last_modified;
  std::optional<std::int64_t> date;
};
StoredValidators stored_validators(std::string_view head);

}  // namespace lacquer::http
