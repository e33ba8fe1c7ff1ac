// Targeted cache fields that are Structured Fields (RFC 9213 §2.1): CDN-Cache-Control.
// Surrogate-Control predates Structured Fields ("max-age=60+30" is not one) and keeps the
// Cache-Control parser.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "http/cache_control.h"
#include "http/message.h"

namespace lacquer::http {

// The directives of one targeted field value. nullopt when the value is not an RFC 8941
// Dictionary, is empty, or a directive we implement has a value of the wrong type (max-age
// not a non-negative Integer, no-store not Boolean true, private neither true nor a String,
// ...): RFC 9213 §2.1 says such a field is ignored as if absent. Parameters are ignored, and
// so are directives we do not know, whatever their type. A key given twice keeps its last
// value (RFC 8941 §4.2.2).
std::optional<CacheControl> parse_targeted_cache_control(std::string_view value) noexcept;

// The same over every field line named `name` (lines are joined with ", " as RFC 8941 §4.2
// says); nullopt when there is none or the combined value is ignored as above.
std::optional<CacheControl> targeted_cache_control_fields(std::span<const Header> headers,
                                                          std::string_view name);

}  // namespace lacquer::http
