// Field names qualified by `private="..."` and `no-cache="..."` in Cache-Control (RFC 9111
// §5.2.2.4, §5.2.2.7): a shared cache may store the response, but without those fields.
#pragma once

#include <span>
#include <string_view>

#include "http/message.h"

namespace lacquer::http {

// True when a Cache-Control field of `headers` names `field_name` in private="..." or
// no-cache="..." (case-insensitive; the quoted list may hold several names).
bool is_qualified_field(std::span<const Header> headers, std::string_view field_name) noexcept;

}  // namespace lacquer::http
