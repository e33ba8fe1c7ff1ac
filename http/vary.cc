// Vary parsing and the request's secondary key (RFC 9111 §4.1).
#include "http/vary.h"

#include <algorithm>

namespace lacquer::http {

namespace {

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  return true;
}

// Fields whose values are case-insensitive tokens (RFC 9110 §12.5), so lower-casing them
// merges variants the origin cannot tell apart.
bool case_insensitive_value(std::string_view name) noexcept {
  return iequals(name, "accept") || iequals(name, "accept-charset") ||
         iequals(name, "accept-encoding") || iequals(name, "accept-language");
}

// Writes a field's values, one line after another, in normalised form straight into `out`.
// Whitespace is held back until the next character shows whether it is inner (kept as one SP)
// or next to a comma or an end (dropped).
class Normaliser {
 public:
  Normaliser(std::string& out, bool fold_case) : out_(out), fold_case_(fold_case) {}

  void line(std::string_view v) {
    if (!first_line_) put(',');  // lines combine as "a, b" (RFC 9110 §5.3)
    first_line_ = false;
    for (char c : v) put(c);
  }

 private:
  void put(char c) {
    if (quoted_) {
      out_ += c;
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        quoted_ = false;
      }
      return;
    }
    if (is_ows(c)) {
      pending_space_ = true;
      return;
    }
    if (c == ',') {
      out_ += ',';
      at_boundary_ = true;
      pending_space_ = false;
      return;
    }
    if (pending_space_ && !at_boundary_) out_ += ' ';
    pending_space_ = false;
    at_boundary_ = false;
    out_ += fold_case_ ? lower(c) : c;
    if (c == '"') quoted_ = true;
  }

  std::string& out_;
  bool fold_case_;
  bool first_line_ = true;
  bool at_boundary_ = true;  // at the start or just after a comma: whitespace is dropped
  bool pending_space_ = false;
  bool quoted_ = false;
  bool escaped_ = false;
};

}  // namespace

VarySpec parse_vary(std::span<const Header> response_headers) {
  VarySpec v;
  for (const Header& h : response_headers) {
    if (!iequals(h.name, "Vary")) continue;
    for_each_list_member(h.value, [&](std::string_view m) {
      if (m == "*") {
        v.star = true;
      } else if (is_token(m)) {
        std::string name(m);
        for (char& c : name) c = lower(c);
        v.fields.push_back(std::move(name));
      }
    });
  }
  if (v.star) {
    v.fields.clear();
    return v;
  }
  std::sort(v.fields.begin(), v.fields.end());
  v.fields.erase(std::unique(v.fields.begin(), v.fields.end()), v.fields.end());
  return v;
}

std::string serialize_vary(const VarySpec& v) {
  if (v.star) return "*";
  std::string out;
  for (const std::string& f : v.fields) {
    if (!out.empty()) out += ',';
    out += f;
  }
  return out;
}

void append_variant_key(std::string& out, std::string_view serialized_fields,
                        std::span<const Header> request_headers) {
  std::size_t pos = 0;
  while (pos <= serialized_fields.size()) {
    std::size_t comma = serialized_fields.find(',', pos);
    if (comma == std::string_view::npos) comma = serialized_fields.size();
    const std::string_view name = serialized_fields.substr(pos, comma - pos);
    pos = comma + 1;
    if (name.empty()) continue;

    out += '\x1f';
    out += name;
    Normaliser norm(out, case_insensitive_value(name));
    bool present = false;
    for (const Header& h : request_headers) {
      if (!iequals(h.name, name)) continue;
      if (!present) out += '=';
      present = true;
      norm.line(h.value);
    }
    if (!present) out += '\x1e';
  }
}

}  // namespace lacquer::http
