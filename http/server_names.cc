#include "http/server_names.h"

namespace lacquer::http {
namespace {

constexpr std::size_t kMaxName = 253;  // RFC 1035 §2.3.4, without the trailing dot

bool name_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

}  // namespace

std::optional<std::string> canonical_server_name(std::string_view name, bool wildcard) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > kMaxName) return std::nullopt;
  std::string out(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  std::size_t first = 0;
  if (wildcard && out.size() > 2 && out[0] == '*' && out[1] == '.') first = 2;
  std::size_t labels = 0, label_len = 0;
  for (std::size_t i = first; i < out.size(); ++i) {
    const char c = out[i];
    if (!name_byte(c)) return std::nullopt;
    if (c == '.') {
      if (label_len == 0 || label_len > 63) return std::nullopt;
      ++labels;
      label_len = 0;
    } else {
      ++label_len;
    }
  }
  if (label_len == 0 || label_len > 63) return std::nullopt;
  ++labels;
  // "*.com" would cover a whole top-level domain: a wildcard needs two labels after it.
  if (first == 2 && labels < 2) return std::nullopt;
  return out;
}

bool ServerNameTable::add(std::string_view name, std::size_t index) {
  auto canonical = canonical_server_name(name, true);
  if (!canonical) return false;
  if (canonical->starts_with("*.")) wildcard_.try_emplace(canonical->substr(2), index);
  else exact_.try_emplace(std::move(*canonical), index);
  return true;
}

std::optional<std::size_t> ServerNameTable::match(std::string_view server_name) const {
  auto canonical = canonical_server_name(server_name, false);
  if (!canonical) return std::nullopt;
  if (auto it = exact_.find(*canonical); it != exact_.end()) return it->second;
  const std::size_t dot = canonical->find('.');
  if (dot == std::string::npos) return std::nullopt;
  if (auto it = wildcard_.find(canonical->substr(dot + 1)); it != wildcard_.end()) return it->second;
  return std::nullopt;
}

}  // namespace lacquer::http
