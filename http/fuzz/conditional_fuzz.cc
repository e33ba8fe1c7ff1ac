// Entity-tags and preconditions. Input: a flag byte (bit 0: Last-Modified known, bit 1: Date
// known, bits 2-7: Date - Last-Modified in seconds, minus 8), then '\n'-separated parts: an
// entity-tag list, the stored ETag, an If-Range value, then "Name: value" request fields.
// Invariants: a parsed tag lies inside its input and is quoted; strong match implies weak
// match and both are symmetric; If-Match implies If-None-Match for the same list; every tag
// matches itself; without precondition fields the answer is Proceed, and without If-Match /
// If-Unmodified-Since it is never Failed; If-Range only allows with a strong validator.
#include <string>

#include "http/conditional.h"
#include "http/fuzz/fuzz_common.h"

using namespace lacquer::http;
using lacquer::fuzz::within;

namespace {
std::string_view next_part(std::string_view& rest) {
  const std::size_t nl = rest.find('\n');
  const std::string_view part = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return part;
}

void check_tag(std::string_view s) {
  const auto t = parse_entity_tag(s);
  if (!t) return;
  FUZZ_CHECK(within(t->opaque, s) && t->opaque.size() >= 2);
  FUZZ_CHECK(t->opaque.front() == '"' && t->opaque.back() == '"');
  FUZZ_CHECK(weak_match(*t, *t));
  FUZZ_CHECK(strong_match(*t, *t) == !t->weak);
  FUZZ_CHECK(if_none_match_matches(s, s));
  FUZZ_CHECK(if_match_matches(s, s) == !t->weak);
}
}  // namespace

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  constexpr std::int64_t kLm = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  const std::optional<std::int64_t> lm =
      (data[0] & 1) ? std::optional<std::int64_t>(kLm) : std::nullopt;
  const std::optional<std::int64_t> date =
      (data[0] & 2) ? std::optional<std::int64_t>(kLm + (data[0] >> 2) - 8) : std::nullopt;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string_view list = next_part(rest);
  const std::string_view stored = next_part(rest);
  const std::string_view if_range = next_part(rest);
  const auto request = lacquer::fuzz::split_fields(rest, 32);

  check_tag(list);
  check_tag(stored);
  check_tag(if_range);
  const auto a = parse_entity_tag(list), b = parse_entity_tag(stored);
  if (a && b) {
    FUZZ_CHECK(strong_match(*a, *b) == strong_match(*b, *a));
    FUZZ_CHECK(weak_match(*a, *b) == weak_match(*b, *a));
    if (strong_match(*a, *b)) FUZZ_CHECK(weak_match(*a, *b));
  }

  const bool inm = if_none_match_matches(list, stored);
  const bool im = if_match_matches(list, stored);
  if (im) FUZZ_CHECK(inm);
  if (!b) FUZZ_CHECK(inm == im);  // only "*" can match without a stored ETag

  const bool allows = if_range_allows(if_range, stored, lm, date);
  if (allows) {
    const auto t = parse_entity_tag(if_range);
    if (t) {
      FUZZ_CHECK(b && !b->weak && !t->weak && t->opaque == b->opaque);
    } else {
      FUZZ_CHECK(lm && date && *lm < *date);
    }
  }

  const Precondition p = evaluate_preconditions(request, stored, lm, date);
  bool any = false, may_fail = false;
  for (const Header& h : request) {
    const bool m = iequals(h.name, "If-Match"), ius = iequals(h.name, "If-Unmodified-Since");
    may_fail = may_fail || m || ius;
    any =
        any || m || ius || iequals(h.name, "If-None-Match") || iequals(h.name, "If-Modified-Since");
  }
  if (!any) FUZZ_CHECK(p == Precondition::Proceed);
  if (!may_fail) FUZZ_CHECK(p != Precondition::Failed);
  return 0;
}
