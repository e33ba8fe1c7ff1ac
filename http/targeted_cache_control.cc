// RFC 9213 §2.1: map the members of a Dictionary to cache directives, checking the types the
// directives imply (§5.2.2 of RFC 9111: delta-seconds are Integers, flags are Boolean true,
// no-cache / private are true or a String of field names).
#include "http/targeted_cache_control.h"

#include <array>
#include <string>

#include "http/structured_field.h"

namespace lacquer::http {

namespace {

enum Directive : std::uint8_t {
  kMaxAge, kSMaxage, kStaleWhileRevalidate, kStaleIfError,  // Integer >= 0
  kNoStore, kMustRevalidate, kProxyRevalidate, kPublic, kImmutable, kNoTransform,
  kMustUnderstand,                                          // Boolean true
  kNoCache, kPrivate,                                       // Boolean true or String
  kCount
};
constexpr std::array<std::string_view, kCount> kNames = {
    "max-age", "s-maxage", "stale-while-revalidate", "stale-if-error",
    "no-store", "must-revalidate", "proxy-revalidate", "public", "immutable", "no-transform",
    "must-understand", "no-cache", "private"};

struct Seen {
  std::array<std::optional<SfMember>, kCount> last;  // the last value of each known key
};

bool delta(const SfMember& m, std::optional<std::uint32_t>& out) noexcept {
  if (m.type != SfType::Integer || m.integer < 0) return false;
  out = m.integer > kDeltaSecondsMax ? kDeltaSecondsMax : static_cast<std::uint32_t>(m.integer);
  return true;
}
bool flag(const SfMember& m, bool& out) noexcept {
  if (m.type != SfType::Boolean || m.integer != 1) return false;
  out = true;
  return true;
}
// no-cache / private: true (unqualified) or a String listing fields (qualified; an empty
// list counts as unqualified, as in the Cache-Control parser).
bool flag_or_fields(const SfMember& m, bool& unqualified, bool& qualified) noexcept {
  if (m.type == SfType::String) {
    (m.text.empty() ? unqualified : qualified) = true;
    return true;
  }
  return flag(m, unqualified);
}

}  // namespace

std::optional<CacheControl> parse_targeted_cache_control(std::string_view value) noexcept {
  Seen seen;
  bool any = false;
  auto visit = [&](const SfMember& m) {
    any = true;
    for (std::size_t d = 0; d < kCount; ++d)
      if (m.key == kNames[d]) seen.last[d] = m;  // keys are lower case by grammar
  };
  if (!parse_sf_dictionary(value, visit) || !any) return std::nullopt;

  CacheControl cc;
  bool ok = true;
  auto& s = seen.last;
  if (s[kMaxAge]) ok = ok && delta(*s[kMaxAge], cc.max_age);
  if (s[kSMaxage]) ok = ok && delta(*s[kSMaxage], cc.s_maxage);
  if (s[kStaleWhileRevalidate]) ok = ok && delta(*s[kStaleWhileRevalidate], cc.stale_while_revalidate);
  if (s[kStaleIfError]) ok = ok && delta(*s[kStaleIfError], cc.stale_if_error);
  if (s[kNoStore]) ok = ok && flag(*s[kNoStore], cc.no_store);
  if (s[kMustRevalidate]) ok = ok && flag(*s[kMustRevalidate], cc.must_revalidate);
  if (s[kProxyRevalidate]) ok = ok && flag(*s[kProxyRevalidate], cc.proxy_revalidate);
  if (s[kPublic]) ok = ok && flag(*s[kPublic], cc.public_);
  if (s[kImmutable]) ok = ok && flag(*s[kImmutable], cc.immutable);
  if (s[kNoTransform]) ok = ok && flag(*s[kNoTransform], cc.no_transform);
  if (s[kMustUnderstand]) ok = ok && flag(*s[kMustUnderstand], cc.must_understand);
  if (s[kNoCache]) ok = ok && flag_or_fields(*s[kNoCache], cc.no_cache, cc.no_cache_fields);
  if (s[kPrivate]) ok = ok && flag_or_fields(*s[kPrivate], cc.private_, cc.private_fields);
  if (!ok) return std::nullopt;
  return cc;
}

std::optional<CacheControl> targeted_cache_control_fields(std::span<const Header> headers,
                                                          std::string_view name) {
  const Header* first = nullptr;
  std::size_t lines = 0;
  for (const Header& h : headers) {
    if (!iequals(h.name, name)) continue;
    if (!first) first = &h;
    ++lines;
  }
  if (lines == 0) return std::nullopt;
  if (lines == 1) return parse_targeted_cache_control(first->value);
  std::string joined;  // rare: several lines of one targeted field
  bool first_line = true;
  for (const Header& h : headers) {
    if (!iequals(h.name, name)) continue;
    if (!first_line) joined += ", ";
    first_line = false;
    joined += h.value;
  }
  return parse_targeted_cache_control(joined);
}

}  // namespace lacquer::http
