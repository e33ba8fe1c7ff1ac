// Message model shared by the parsers, the server side (edge) and the client side (origin).
// Everything here is a view: names and values point into a buffer the caller owns and keeps
// alive for as long as the views are used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace lacquer::http {

struct Header {
  std::string_view name;
  std::string_view value;  // leading and trailing whitespace already trimmed
};

struct RequestLine {
  std::string_view method;
  std::string_view target;
  int version_minor = 1;  // HTTP/1.<minor>; only 1.0 and 1.1 are accepted
};

struct StatusLine {
  int version_minor = 1;
  int status = 0;
  std::string_view reason;
};

// ASCII case-insensitive comparison of `n` bytes at `a` and `b`.
bool iequals_bytes(const char* a, const char* b, std::size_t n) noexcept;

// ASCII case-insensitive comparison, the only comparison field names need (RFC 9110 §5.1).
// The length test is inline: most comparisons in a field scan fail on it, and a miss scans the
// fields a few hundred times (hop-by-hop, Connection-named, unkeyed rewriters, framing...).
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && iequals_bytes(a.data(), b.data(), a.size());
}

// First field with this name, or nullopt.
std::optional<std::string_view> find_header(std::span<const Header> headers,
                                            std::string_view name) noexcept;
std::size_t count_headers(std::span<const Header> headers, std::string_view name) noexcept;

// Calls fn(member) for every non-empty member of a comma-separated list (RFC 9110 §5.6.1),
// trimmed of optional whitespace. Commas inside quoted strings do not split.
template <class Fn>
void for_each_list_member(std::string_view value, Fn&& fn);

// True for the fixed hop-by-hop fields (Connection, Keep-Alive, Proxy-Connection, TE, Trailer,
// Transfer-Encoding, Upgrade, Proxy-Authenticate, Proxy-Authorization).
bool is_hop_by_hop(std::string_view name) noexcept;
// True when `name` is listed in any Connection field of `headers` (RFC 9110 §7.6.1).
bool is_named_by_connection(std::span<const Header> headers, std::string_view name) noexcept;

// Whether a connection stays open after this message (RFC 9112 §9.3): "close" in a Connection
// field ends it; otherwise HTTP/1.1 persists and HTTP/1.0 only with "keep-alive".
bool keeps_alive(int version_minor, std::span<const Header> headers) noexcept;

// RFC 9110 §5.6.2 token characters.
bool is_tchar(unsigned char c) noexcept;

}  // namespace lacquer::http

#include "http/list_member.inl"
