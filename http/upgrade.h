// Protocol upgrades (RFC 9110 §7.8, e.g. WebSocket, RFC 6455 §4): which requests ask for one,
// and the fields we send the origin to ask for it in turn. Pure.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "http/message.h"

namespace lacquer::http {

// True when the request carries an Upgrade field at all: such a request is never answered
// from the cache nor stored, whether or not it becomes a tunnel (a WebSocket handshake GET
// must reach the origin every time).
bool has_upgrade_field(std::span<const Header> headers) noexcept;

// The Upgrade field value when the request is a valid upgrade request we tunnel: HTTP/1.1,
// no request body, a non-empty Upgrade field, and "upgrade" listed in Connection (§7.8: the
// sender must list it, because Upgrade is hop-by-hop). nullopt otherwise (then the request is
// forwarded without Upgrade, uncached).
std::optional<std::string_view> tunnel_protocols(const RequestLine& line,
                                                 std::span<const Header> headers,
                                                 bool has_body) noexcept;

// `head` is a request head ending in the blank line; inserts "Connection: Upgrade" and
// "Upgrade: <protocols>" before it.
void append_upgrade_fields(std::string& head, std::string_view protocols);

}  // namespace lacquer::http
