#include "http/qualified_fields.h"

namespace lacquer::http {
namespace {

bool names_field(std::string_view list, std::string_view field) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (iequals(name, field)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Scans one Cache-Control value for `directive="list"` members naming `field`.
bool value_names_field(std::string_view v, std::string_view field) {
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) ++i;
    std::size_t name_begin = i;
    while (i < v.size() && v[i] != '=' && v[i] != ',') ++i;
    std::string_view name = v.substr(name_begin, i - name_begin);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (i >= v.size() || v[i] == ',') continue;
    ++i;  // '='
    if (i < v.size() && v[i] == '"') {
      std::size_t close = v.find('"', i + 1);
      if (close == std::string_view::npos) return false;  // unterminated: ignore the rest
      std::string_view list = v.substr(i + 1, close - i - 1);
      if ((iequals(name, "private") || iequals(name, "no-cache")) && names_field(list, field)) return true;
      i = close + 1;
    } else {
      std::size_t end = v.find(',', i);
      std::string_view token = v.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
      if ((iequals(name, "private") || iequals(name, "no-cache")) && iequals(token, field)) return true;
      i = end == std::string_view::npos ? v.size() : end;
    }
  }
  return false;
}

}  // namespace

bool is_qualified_field(std::span<const Header> headers, std::string_view field_name) noexcept {
  for (const auto& h : headers)
    if (iequals(h.name, "Cache-Control") && value_names_field(h.value, field_name)) return true;
  return false;
}

}  // namespace lacquer::http
