// Value syntax: sizes, durations, endpoints, CIDRs. Shared by the TOML file and the flags.
#include <arpa/inet.h>

#include <cstdio>
#include <limits>

#include "conf/cidr.h"
#include "conf/loader.h"
#include "conf/values.h"

namespace lacquer::conf {
namespace detail {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Leading decimal digits of `text`; moves them out of `text`. nullopt when none or overflow.
std::optional<std::uint64_t> take_digits(std::string_view& text) {
  std::size_t n = 0;
  while (n < text.size() && is_digit(text[n])) ++n;
  if (n == 0) return std::nullopt;
  auto value = parse_decimal(text.substr(0, n));
  text.remove_prefix(n);
  return value;
}

std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return std::nullopt;
  return a * b;
}

bool is_hostname(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  bool all_numeric = true;
  std::size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;  // empty label: "a..b", ".a"
      label = 0;
      continue;
    }
    bool alnum = is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z');
    if (!alnum && c != '-' && c != '_') return false;
    if (!is_digit(c)) all_numeric = false;
    if (++label > 63) return false;
  }
  if (all_numeric) {
    // Looks like an IPv4 literal: it must be one ("256.1.1.1" is not a hostname either).
    std::string copy(host);
    in_addr addr{};
    return inet_pton(AF_INET, copy.c_str(), &addr) == 1;
  }
  return true;  // a trailing dot ("example.com.") is allowed
}

bool is_ipv6(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  std::string copy(text);
  in6_addr addr{};
  return inet_pton(AF_INET6, copy.c_str(), &addr) == 1;
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (!is_digit(c)) return std::nullopt;
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<std::uint64_t> parse_duration_ms64(std::string_view text) {
  text = trim(text);
  auto number = take_digits(text);
  if (!number) return std::nullopt;
  std::uint64_t factor = 0;
  if (text.empty() || text == "s") {
    factor = 1000;
  } else if (text == "ms") {
    factor = 1;
  } else if (text == "m") {
    factor = 60ull * 1000;
  } else if (text == "h") {
    factor = 3600ull * 1000;
  } else if (text == "d") {
    factor = 86400ull * 1000;
  } else {
    return std::nullopt;
  }
  return checked_mul(*number, factor);
}

bool is_bearer_token(std::string_view t) {
  std::size_t i = 0;
  auto body = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  };
  while (i < t.size() && body(t[i])) ++i;
  if (i == 0) return false;
  while (i < t.size() && t[i] == '=') ++i;
  return i == t.size();
}

// One parser for the config check and the runtime match (conf/cidr.h).
bool is_valid_cidr(std::string_view text) { return parse_cidr(text).has_value(); }

std::string format_size(std::uint64_t bytes) {
  static constexpr struct {
    std::uint64_t unit;
    char suffix;
  } kUnits[] = {{1ull << 40, 'T'}, {1ull << 30, 'G'}, {1ull << 20, 'M'}, {1ull << 10, 'K'}};
  if (bytes != 0) {
    for (const auto& u : kUnits) {
      if (bytes % u.unit == 0) return std::to_string(bytes / u.unit) + u.suffix;
    }
  }
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

std::string format_duration_ms(std::uint64_t ms) {
  static constexpr struct {
    std::uint64_t unit;
    const char* suffix;
  } kUnits[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
  if (ms != 0) {
    for (const auto& u : kUnits) {
      if (ms % u.unit == 0) return std::to_string(ms / u.unit) + u.suffix;
    }
    return std::to_string(ms) + "ms";
  }
  return "0s";
}

std::string quote(std::string_view text) {
  constexpr std::size_t kMax = 64;
  std::string out = "\"";
  std::size_t shown = 0;
  for (char c : text) {
    if (shown++ == kMax) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace detail

std::optional<std::uint64_t> parse_size(std::string_view text) {
  text = detail::trim(text);
  auto number = detail::take_digits(text);
  if (!number) return std::nullopt;
  std::uint64_t factor = 1;
  if (!text.empty()) {
    switch (detail::lower(text.front())) {
      case 'k': factor = 1ull << 10; break;
      case 'm': factor = 1ull << 20; break;
      case 'g': factor = 1ull << 30; break;
      case 't': factor = 1ull << 40; break;
      case 'b': factor = 1; break;
      default: return std::nullopt;
    }
    std::string_view rest = text.substr(1);
    if (factor == 1) {
      if (!rest.empty()) return std::nullopt;  // "12B" only
    } else if (!rest.empty() && !detail::iequals(rest, "b") && !detail::iequals(rest, "ib")) {
      return std::nullopt;  // "64K", "64KB", "64KiB"
    }
  }
  return detail::checked_mul(*number, factor);
}

std::optional<std::uint32_t> parse_duration_ms(std::string_view text) {
  auto ms = detail::parse_duration_ms64(text);
  if (!ms || *ms > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return static_cast<std::uint32_t>(*ms);
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  text = detail::trim(text);
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    if (!detail::is_ipv6(host)) return std::nullopt;
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (!detail::is_hostname(host)) return std::nullopt;  // also rejects unbracketed IPv6
  }
  if (port_text.empty() || port_text.size() > 5) return std::nullopt;
  auto port = detail::parse_decimal(port_text);
  if (!port || *port > 65535) return std::nullopt;
  return Endpoint{std::string(host), static_cast<std::uint16_t>(*port)};
}

}  // namespace lacquer::conf
