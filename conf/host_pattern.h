// A Host name a site answers for: "example.com" (exactly that name) or "*.example.com" (any
// name ending in ".example.com", at any depth, not example.com itself). Pure; fuzzed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lacquer::conf {

struct HostPattern {
  bool wildcard = false;
  std::string name;  // lower case; for a wildcard the suffix after "*." ("example.com")
  std::string to_string() const { return wildcard ? "*." + name : name; }
  bool operator==(const HostPattern&) const = default;
};

// nullopt unless `text` is a DNS name (letters, digits, '-', '.' between non-empty labels,
// at most 253 bytes, no port) or "*." followed by one. Upper case is folded.
std::optional<HostPattern> parse_host_pattern(std::string_view text);

// The host part of a Host value (or a cache key's host) without its port, for matching:
// "Example.com:8080" -> "Example.com", "[::1]:80" -> "[::1]".
std::string_view strip_port(std::string_view host) noexcept;

}  // namespace lacquer::conf
