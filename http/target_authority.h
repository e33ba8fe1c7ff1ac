// The authority of a request's target URI (RFC 9112 §3.3), for requests in origin-form.
// Pure: the connection's local address is passed in.
#pragma once

#include <optional>
#include <string_view>

namespace lacquer::http {

// The Host field value when the request has a non-empty one; otherwise (HTTP/1.0 without
// Host) the default name configured for the server, or, when none is configured, the local
// address of the connection ("127.0.0.1:8080", "[::1]:8080"). The result is then keyed and
// forwarded exactly like a Host field, so such a request shares entries with HTTP/1.1
// requests for the same authority.
std::string_view target_authority(std::optional<std::string_view> host_field,
                                  std::string_view default_name,
                                  std::string_view local_address) noexcept;

}  // namespace lacquer::http
