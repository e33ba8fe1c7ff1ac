#include "purge/purge_request.h"

#include <array>

namespace lacquer::purge {

namespace {

// The name lower-cased without '-' and '_' ("Surrogate_Keys" -> "surrogatekeys").
std::string squeeze(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '-' || c == '_') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  return out;
}

bool looks_like_purge_control(std::string_view name) {
  const std::string s = squeeze(name);
  for (std::string_view word : {"purge", "surrogate", "xkey", "cachetag"})
    if (s.find(word) != std::string::npos) return true;
  return false;
}

// One flag field: absent -> false; every occurrence must parse and agree.
bool read_flag(std::span<const http::Header> headers, std::string_view name, bool& out,
               std::string& error) {
  std::optional<bool> seen;
  for (const http::Header& h : headers) {
    if (!http::iequals(h.name, name)) continue;
    const std::optional<bool> v = parse_purge_flag(h.value);
    if (!v) {
      error = std::string(h.name) + ": \"" + std::string(h.value) +
              "\" is not understood; use 1 or 0 (also true/false, yes/no, on/off)";
      return false;
    }
    if (seen && *seen != *v) {
      error = std::string(h.name) + " is given twice with different values";
      return false;
    }
    seen = v;
  }
  out = seen.value_or(false);
  return true;
}

}  // namespace

std::optional<bool> parse_purge_flag(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  for (std::string_view t : {"1", "true", "yes", "on"})
    if (http::iequals(v, t)) return true;
  for (std::string_view f : {"0", "false", "no", "off"})
    if (http::iequals(v, f)) return false;
  return std::nullopt;
}

PurgeControls read_purge_controls(std::span<const http::Header> headers) {
  PurgeControls c;
  bool has_tags = false;
  for (const http::Header& h : headers) {
    if (http::iequals(h.name, "Surrogate-Key")) {
      has_tags = true;
    } else if (!http::iequals(h.name, "Purge-All") && !http::iequals(h.name, "Soft-Purge") &&
               !http::iequals(h.name, "Purge-Prefix") &&
               !http::iequals(h.name, "Purge-Wait") && looks_like_purge_control(h.name)) {
      c.error = std::string(h.name) +
                " is not a purge control lacquer knows (Surrogate-Key, Purge-All, Purge-Prefix, Soft-Purge, "
                "Purge-Wait); "
                "refusing rather than guessing";
      return c;
    }
  }
  bool all = false, prefix = false;
  if (!read_flag(headers, "Purge-All", all, c.error)) return c;
  if (!read_flag(headers, "Purge-Prefix", prefix, c.error)) return c;
  if (!read_flag(headers, "Soft-Purge", c.soft, c.error)) return c;
  if (all && has_tags) {
    c.error = "Purge-All and Surrogate-Key are both given; send one";
    return c;
  }
  if (prefix && (all || has_tags)) {
    c.error = std::string("Purge-Prefix and ") + (all ? "Purge-All" : "Surrogate-Key") + " are both given; send one";
    return c;
  }
  c.form = all ? PurgeForm::All : has_tags ? PurgeForm::Tags : prefix ? PurgeForm::Prefix : PurgeForm::Url;
  return c;
}

}  // namespace lacquer::purge
