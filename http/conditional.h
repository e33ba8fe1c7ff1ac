// Conditional requests (RFC 9110 §13) answered from a stored response, and entity-tags
// (§8.8.3). Pure functions: the stored response's validators are passed in, times are seconds
// since the epoch, nothing reads a clock.
//
//   entity-tag = [ weak ] opaque-tag
//   weak       = %s"W/"
//   opaque-tag = DQUOTE *etagc DQUOTE
//   etagc      = %x21 / %x23-7E / obs-text
//   If-None-Match = "*" / #entity-tag          If-Match = "*" / #entity-tag
//
// A "*" counts only as a whole field line; inside a list it is a malformed member. The stored
// response is a representation, so "*" always matches here. Members are split on commas that
// are not inside an opaque-tag (etagc includes ',' and '\', and '\' escapes nothing).
//
// §13.2.1: preconditions are ignored when the response without them would not be 2xx or 412;
// the caller applies that rule (and only asks about GET/HEAD answered from a 2xx).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "http/message.h"

namespace lacquer::http {

struct EntityTag {
  bool weak = false;
  std::string_view opaque;  // includes the double quotes
};

// Trims OWS; nullopt unless the rest is exactly one entity-tag.
std::optional<EntityTag> parse_entity_tag(std::string_view s) noexcept;
// §8.8.3.2: strong needs both strong and the same opaque-tag; weak needs the same opaque-tag.
bool strong_match(const EntityTag& a, const EntityTag& b) noexcept;
bool weak_match(const EntityTag& a, const EntityTag& b) noexcept;

// If-None-Match (§13.1.2) against the stored ETag field value (empty: no ETag). True when the
// field matches, i.e. the condition is false and a GET/HEAD gets 304: "*", or any member
// weak-matches. Malformed members are skipped.
bool if_none_match_matches(std::string_view field_value, std::string_view stored_etag) noexcept;
// If-Match (§13.1.1): "*", or any member strong-matches the stored ETag. A weak or missing
// stored ETag matches no list.
bool if_match_matches(std::string_view field_value, std::string_view stored_etag) noexcept;

enum class Precondition : std::uint8_t {
  Proceed,
  NotModified,  // 304
  Failed,       // 412
};

// §13.2.2 evaluation for a GET/HEAD answered from a stored response:
//   1. If-Match (all lines, one list): no match -> Failed.
//   2. else If-Unmodified-Since: Last-Modified later than it -> Failed (ignored when the date is
//      invalid, the field is repeated, or there is no Last-Modified: §13.1.4).
//   3. If-None-Match (all lines, one list): a match -> NotModified.
//   4. else If-Modified-Since: modification time <= it -> NotModified, where the modification
//      time is Last-Modified, else Date (RFC 9111 §4.3.2); ignored when invalid or repeated.
// The caller passes the receive time as `date` when the stored response had no Date.
Precondition evaluate_preconditions(std::span<const Header> request_headers,
                                    std::string_view stored_etag,
                                    std::optional<std::int64_t> last_modified,
                                    std::optional<std::int64_t> date) noexcept;

// If-Range (§13.1.5): true when the Range may be honoured. An entity-tag must strong-match the
// stored ETag (a weak one on either side never does). An HTTP-date must equal Last-Modified
// exactly, and Last-Modified counts as strong only when it is at least 1 s before Date
// (§8.8.2.2). Anything else, including no Date, is false: send the whole representation.
bool if_range_allows(std::string_view value, std::string_view stored_etag,
                     std::optional<std::int64_t> last_modified,
                     std::optional<std::int64_t> date) noexcept;

}  // namespace lacquer::http
