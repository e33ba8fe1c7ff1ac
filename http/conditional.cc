// Entity-tags and preconditions (RFC 9110 §8.8.3, §13) for requests answered from the cache.
#include "http/conditional.h"

#include "http/date.h"

namespace lacquer::http {

namespace {

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// etagc = %x21 / %x23-7E / obs-text: visible characters except DQUOTE.
bool is_etagc(char ch) noexcept {
  const auto c = static_cast<unsigned char>(ch);
  return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

// Reads an entity-tag at s[i...]; on success returns its end and fills `tag`, else 0.
std::size_t scan_entity_tag(std::string_view s, std::size_t i, EntityTag& tag) noexcept {
  bool weak = false;
  if (s.substr(i, 2) == "W/") {  // %s"W/": case-sensitive
    weak = true;
    i += 2;
  }
  if (i >= s.size() || s[i] != '"') return 0;
  std::size_t k = i + 1;
  while (k < s.size() && is_etagc(s[k])) ++k;
  if (k >= s.size() || s[k] != '"') return 0;
  tag = {weak, s.substr(i, k + 1 - i)};
  return k + 1;
}

// Calls fn(tag) for each well-formed member of a #entity-tag list until fn returns true;
// returns whether it did. A malformed member is skipped up to the next comma.
template <class Fn>
bool any_entity_tag(std::string_view v, Fn&& fn) noexcept {
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (is_ows(v[i]) || v[i] == ',')) ++i;  // OWS and empty members
    if (i == v.size()) break;
    const std::size_t start = i;
    EntityTag tag;
    std::size_t end = scan_entity_tag(v, i, tag);
    if (end != 0) {
      while (end < v.size() && is_ows(v[end])) ++end;
      if (end == v.size() || v[end] == ',') {
        if (fn(tag)) return true;
        i = end;
        continue;
      }
    }
    const std::size_t comma = v.find(',', start);
    i = comma == std::string_view::npos ? v.size() : comma;
  }
  return false;
}

bool is_star(std::string_view field_value) noexcept { return trim_ows(field_value) == "*"; }

// One valid HTTP-date in exactly one field line, else nullopt (§13.1.3, §13.1.4: a list or an
// invalid date is ignored).
std::optional<std::int64_t> single_date(std::span<const Header> hs,
                                        std::string_view name) noexcept {
  std::optional<std::string_view> v;
  for (const Header& h : hs) {
    if (!iequals(h.name, name)) continue;
    if (v) return std::nullopt;
    v = h.value;
  }
  if (!v) return std::nullopt;
  return parse_http_date(trim_ows(*v));
}

}  // namespace

std::optional<EntityTag> parse_entity_tag(std::string_view s) noexcept {
  s = trim_ows(s);
  EntityTag tag;
  const std::size_t end = scan_entity_tag(s, 0, tag);
  if (end == 0 || end != s.size()) return std::nullopt;
  return tag;
}

bool strong_match(const EntityTag& a, const EntityTag& b) noexcept {
  return !a.weak && !b.weak && a.opaque == b.opaque;
}

bool weak_match(const EntityTag& a, const EntityTag& b) noexcept { return a.opaque == b.opaque; }

bool if_none_match_matches(std::string_view field_value, std::string_view stored_etag) noexcept {
  if (is_star(field_value)) return true;
  const auto stored = parse_entity_tag(stored_etag);
  if (!stored) return false;
  return any_entity_tag(field_value, [&](const EntityTag& t) { return weak_match(t, *stored); });
}

bool if_match_matches(std::string_view field_value, std::string_view stored_etag) noexcept {
  if (is_star(field_value)) return true;
  const auto stored = parse_entity_tag(stored_etag);
  if (!stored || stored->weak) return false;
  return any_entity_tag(field_value, [&](const EntityTag& t) { return strong_match(t, *stored); });
}

Precondition evaluate_preconditions(std::span<const Header> request_headers,
                                    std::string_view stored_etag,
                                    std::optional<std::int64_t> last_modified,
                                    std::optional<std::int64_t> date) noexcept {
  // Several field lines form one list (RFC 9110 §5.3), so a match on any line is a match.
  bool has_if_match = false, if_match = false;
  bool has_inm = false, inm = false;
  for (const Header& h : request_headers) {
    if (iequals(h.name, "If-Match")) {
      has_if_match = true;
      if_match = if_match || if_match_matches(h.value, stored_etag);
    } else if (iequals(h.name, "If-None-Match")) {
      has_inm = true;
      inm = inm || if_none_match_matches(h.value, stored_etag);
    }
  }

  if (has_if_match) {  // step 1
    if (!if_match) return Precondition::Failed;
  } else if (last_modified) {  // step 2
    const auto ius = single_date(request_headers, "If-Unmodified-Since");
    if (ius && *last_modified > *ius) return Precondition::Failed;
  }

  if (has_inm) return inm ? Precondition::NotModified : Precondition::Proceed;  // step 3
  // Step 4: a cache without Last-Modified uses the stored Date (RFC 9111 §4.3.2).
  const std::optional<std::int64_t> modified = last_modified ? last_modified : date;
  if (modified) {
    const auto ims = single_date(request_headers, "If-Modified-Since");
    if (ims && *modified <= *ims) return Precondition::NotModified;
  }
  return Precondition::Proceed;
}

bool if_range_allows(std::string_view value, std::string_view stored_etag,
                     std::optional<std::int64_t> last_modified,
                     std::optional<std::int64_t> date) noexcept {
  value = trim_ows(value);
  if (value.starts_with("W/") || value.starts_with('"')) {
    const auto tag = parse_entity_tag(value);
    const auto stored = parse_entity_tag(stored_etag);
    return tag && stored && strong_match(*tag, *stored);
  }
  const auto t = parse_http_date(value);
  if (!t || !last_modified || !date || *t != *last_modified) return false;
  return *last_modified < *date;  // at least one second older than Date: strong
}

}  // namespace lacquer::http
