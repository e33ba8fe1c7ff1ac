#include "conf/host_pattern.h"

namespace lacquer::conf {

namespace {

constexpr std::size_t kMaxName = 253;
constexpr std::size_t kMaxLabel = 63;

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<HostPattern> parse_host_pattern(std::string_view text) {
  HostPattern out;
  if (text.starts_with("*.")) {
    out.wildcard = true;
    text.remove_prefix(2);
  }
  if (text.empty() || text.size() > kMaxName) return std::nullopt;
  out.name.reserve(text.size());
  std::size_t label = 0;
  for (char raw : text) {
    const char c = lower(raw);
    if (c == '.') {
      if (label == 0) return std::nullopt;  // empty label: "a..b", ".a", "a."
      label = 0;
    } else if (is_label_char(c)) {
      if (++label > kMaxLabel) return std::nullopt;
    } else {
      return std::nullopt;
    }
    out.name.push_back(c);
  }
  if (label == 0) return std::nullopt;
  return out;
}

std::string_view strip_port(std::string_view host) noexcept {
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const std::size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

}  // namespace lacquer::conf
