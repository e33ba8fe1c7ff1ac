// Protocol upgrades (RFC 9110 §7.8, e.g. WebSocket, RFC 6455 §4): which requests ask for one,
// and which of those we pass on to the origin as a possible tunnel. Pure.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "http/message.h"

namespace lacquer::http {

// True when the request carries an Upgrade field at all: such a request is never answered
// from the cache nor stored (a WebSocket handshake GET must reach the origin every time).
bool has_upgrade_field(std::span<const Header> headers) noexcept;

// The Upgrade field value when the request is a valid upgrade request we may tunnel: HTTP/1.1,
// no request body, one non-empty Upgrade field, and "upgrade" listed in Connection (§7.8: the
// sender must list it, because Upgrade is hop-by-hop). nullopt otherwise (then the request is
// forwarded without its Upgrade, uncached).
std::optional<std::string_view> tunnel_protocols(const RequestLine& line, std::span<const Header> headers,
                                                 bool has_body) noexcept;

}  // namespace lacquer::http
