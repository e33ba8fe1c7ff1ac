// Message model helpers: field-name comparison, lookup, hop-by-hop classification.
#include "http/message.h"

namespace lacquer::http {

namespace {
constexpr unsigned char lower(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + 32) : c;
}

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//                          "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
struct TcharTable {
  bool t[256] = {};
  constexpr TcharTable() {
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (char c : {'!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~'})
      t[static_cast<unsigned char>(c)] = true;
  }
};
constexpr TcharTable kTchar{};
}  // namespace

bool is_tchar(unsigned char c) noexcept { return kTchar.t[c]; }

// RFC 9110 §5.1: field names are case-insensitive (ASCII only).
bool iequals_bytes(const char* a, const char* b, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    if (lower(static_cast<unsigned char>(a[i])) != lower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::optional<std::string_view> find_header(std::span<const Header> headers,
                                            std::string_view name) noexcept {
  for (const Header& h : headers)
    if (iequals(h.name, name)) return h.value;
  return std::nullopt;
}

std::size_t count_headers(std::span<const Header> headers, std::string_view name) noexcept {
  std::size_t n = 0;
  for (const Header& h : headers)
    if (iequals(h.name, name)) ++n;
  return n;
}

// RFC 9110 §7.6.1 lists Connection, Proxy-Connection, Keep-Alive, TE, Transfer-Encoding,
// Upgrade; RFC 9110 §11.7 adds the Proxy-Authenticate / Proxy-Authorization pair; Trailer per
// RFC 2616 §13.5.1 (still treated as hop-by-hop by every proxy).
bool is_hop_by_hop(std::string_view name) noexcept {
  static constexpr std::string_view kHop[] = {
      "Connection",       "Keep-Alive",         "Proxy-Connection",    "TE", "Trailer",
      "Transfer-Encoding", "Upgrade",           "Proxy-Authenticate", "Proxy-Authorization"};
  for (std::string_view h : kHop)
    if (iequals(name, h)) return true;
  return false;
}

bool is_named_by_connection(std::span<const Header> headers, std::string_view name) noexcept {
  bool found = false;
  for (const Header& h : headers) {
    if (!iequals(h.name, "Connection")) continue;
    for_each_list_member(h.value, [&](std::string_view m) {
      if (iequals(m, name)) found = true;
    });
    if (found) return true;
  }
  return false;
}

bool keeps_alive(int version_minor, std::span<const Header> headers) noexcept {
  bool close = false, keep_alive = false;
  for (const auto& h : headers) {
    if (!iequals(h.name, "Connection")) continue;
    for_each_list_member(h.value, [&](std::string_view t) {
      if (iequals(t, "close")) close = true;
      if (iequals(t, "keep-alive")) keep_alive = true;
    });
  }
  if (close) return false;
  return version_minor >= 1 || keep_alive;
}

}  // namespace lacquer::http
