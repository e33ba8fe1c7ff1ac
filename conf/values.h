// Internal to conf/: value syntax helpers shared by the TOML loader and the flag handling.
// Not part of the public contract (see loader.h for the public parse_* functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lacquer::conf::detail {

// Strips ASCII blanks (space, tab, CR, LF) from both ends.
std::string_view trim(std::string_view text);

// Duration in milliseconds without the uint32 cap: "250ms", "10s", "2m", "1h", "365d", or bare
// digits meaning seconds. nullopt on bad syntax or uint64 overflow.
std::optional<std::uint64_t> parse_duration_ms64(std::string_view text);

// "10.0.0.0/8", "fd00::/8": an IPv4 or IPv6 literal, "/", and a prefix length in range.
bool is_valid_cidr(std::string_view text);

// RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool is_bearer_token(std::string_view text);

// Non-negative decimal integer without sign or blanks; nullopt on overflow or bad syntax.
std::optional<std::uint64_t> parse_decimal(std::string_view text);

// 256M -> "256M", 4294967295 -> "4294967295 bytes"; used in messages and usage text.
std::string format_size(std::uint64_t bytes);
// 15000 -> "15s", 250 -> "250ms", 86400000 -> "1d"; used in messages.
std::string format_duration_ms(std::uint64_t ms);

// "text" with quotes, backslashes and control bytes escaped, cut after 64 bytes ("...").
std::string quote(std::string_view text);

}  // namespace lacquer::conf::detail
