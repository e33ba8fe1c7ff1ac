// Protocol upgrades (RFC 9110 §7.8, e.g. WebSocket): which requests ask for one. Pure.
#pragma once

#include <span>

#include "http/message.h"

namespace lacquer::http {

// True when the request carries an Upgrade field at all: such a request is never answered
// from the cache nor stored (a WebSocket handshake GET must reach the origin every time).
bool has_upgrade_field(std::span<const Header> headers) noexcept;

}  // namespace lacquer::http
