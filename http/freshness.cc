// RFC 9111 storage (§3) and freshness (§4.2) rules for a shared cache, RFC 5861 stale
// extensions, RFC 9213 targeted fields. Pure functions: every time is an argument.
#include "http/freshness.h"

#include <algorithm>

#include "http/date.h"
#include "http/qualified_fields.h"
#include "http/targeted_cache_control.h"

namespace lacquer::http {

std::string_view to_string(NoStoreReason r) noexcept {
  switch (r) {
    case NoStoreReason::None: return "none";
    case NoStoreReason::MethodNotCacheable: return "method";
    case NoStoreReason::StatusNotCacheable: return "status";
    case NoStoreReason::PartialContent: return "partial-content";
    case NoStoreReason::NoStoreDirective: return "no-store";
    case NoStoreReason::Private: return "private";
    case NoStoreReason::Authorization: return "authorization";
    case NoStoreReason::SetCookie: return "set-cookie";
    case NoStoreReason::Vary: return "vary";
    case NoStoreReason::VaryStar: return "vary-star";
    case NoStoreReason::NoFreshnessInformation: return "no-freshness-information";
    case NoStoreReason::RequestNoStore: return "request-no-store";
    case NoStoreReason::ZeroTtl: return "zero-ttl";
    case NoStoreReason::Incomplete: return "incomplete";
    case NoStoreReason::TooLarge: return "too-large";
  }
  return "unknown";
}

// RFC 9110 §15.1: heuristically cacheable by default.
bool heuristically_cacheable(int status) noexcept {
  switch (status) {
    case 200: case 203: case 204: case 206: case 300: case 301: case 308:
    case 404: case 405: case 410: case 414: case 501:
      return true;
    default:
      return false;
  }
}

// RFC 9110 §15: 2xx..5xx are final; 1xx are interim; there is no class above 5xx. 304 is
// final but never an entry of its own (§4.3.4 of RFC 9111: it updates one).
bool final_status(int status) noexcept { return status >= 200 && status <= 599 && status != 304; }

// Final statuses whose semantics we know (RFC 9110 §15, RFC 6585, RFC 7725). 1xx are not
// final; 304 updates a stored response and is never an entry of its own (§4.3.4).
bool understood_status(int status) noexcept {
  if (status >= 200 && status <= 206) return true;
  switch (status) {
    case 300: case 301: case 302: case 303: case 305: case 307: case 308:
    case 421: case 422: case 426: case 428: case 429: case 431: case 451:
      return true;
    default:
      break;
  }
  if (status >= 400 && status <= 417) return true;
  if (status >= 500 && status <= 505) return true;
  return false;
}

namespace {

// Age = delta-seconds (RFC 9111 §5.1); invalid values are ignored (0). A list uses its first
// member.
std::uint32_t parse_age(std::string_view v) noexcept {
  const std::size_t comma = v.find(',');
  if (comma != std::string_view::npos) v = v.substr(0, comma);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty()) return 0;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return 0;
    if (n < kDeltaSecondsMax) n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n > kDeltaSecondsMax ? kDeltaSecondsMax : static_cast<std::uint32_t>(n);
}

bool has_explicit_freshness(const ResponseFacts& r) noexcept {
  const CacheControl& cc = r.effective();
  return cc.max_age || cc.s_maxage || cc.conflicting_max_age || cc.conflicting_s_maxage ||
         (!r.targeted && r.has_expires);
}

std::uint32_t clamp_u32(std::int64_t v, std::uint32_t cap) noexcept {
  if (v <= 0) return 0;
  return v > static_cast<std::int64_t>(cap) ? cap : static_cast<std::uint32_t>(v);
}

}  // namespace

ResponseFacts response_facts(int status, std::span<const Header> headers) noexcept {
  ResponseFacts r;
  r.status = status;
  r.cache_control = parse_cache_control_fields(headers, "Cache-Control");
  // RFC 9213 §2.2: the first targeted field (in our target list order) with a valid,
  // non-empty value applies. CDN-Cache-Control is the standard one and a Structured Field
  // (§2.1: one that does not parse is ignored as a whole); Surrogate-Control is the older
  // convention, parsed like Cache-Control.
  r.targeted = targeted_cache_control_fields(headers, "CDN-Cache-Control");
  if (!r.targeted) {
    bool present = false;
    for (const Header& h : headers)
      if (iequals(h.name, "Surrogate-Control") && !h.value.empty()) present = true;
    if (present) r.targeted = parse_cache_control_fields(headers, "Surrogate-Control");
  }
  bool seen_date = false, seen_lm = false, seen_age = false;
  for (const Header& h : headers) {
    if (!seen_date && iequals(h.name, "Date")) {
      seen_date = true;
      r.date = parse_http_date(h.value);
    } else if (!r.has_expires && iequals(h.name, "Expires")) {
      // RFC 9111 §5.3: an invalid date (e.g. "0") means "already expired".
      r.has_expires = true;
      r.expires = parse_http_date(h.value).value_or(0);
    } else if (!seen_lm && iequals(h.name, "Last-Modified")) {
      seen_lm = true;
      r.last_modified = parse_http_date(h.value);
    } else if (!seen_age && iequals(h.name, "Age")) {
      seen_age = true;
      r.age = parse_age(h.value);
    } else if (iequals(h.name, "Set-Cookie")) {
      // private="Set-Cookie" / no-cache="Set-Cookie": stored without it (§5.2.2.7), so it
      // does not stop storing.
      r.has_set_cookie = r.has_set_cookie || !is_qualified_field(headers, "Set-Cookie");
    } else if (iequals(h.name, "ETag")) {
      r.has_etag = !h.value.empty();
    } else if (iequals(h.name, "Vary")) {
      for_each_list_member(h.value, [&](std::string_view m) {
        r.has_vary = true;
        if (m == "*") r.vary_star = true;
      });
    }
  }
  return r;
}

std::optional<std::uint32_t> freshness_lifetime(const ResponseFacts& r, const CachePolicy& p,
                                                std::int64_t response_time) noexcept {
  const CacheControl& cc = r.effective();
  const std::uint32_t cap = p.max_ttl_s;
  // §5.2.2.4: no-cache means "revalidate on every use": lifetime 0.
  if (cc.no_cache) return 0;
  // §4.2.1: s-maxage (shared caches) beats max-age; a conflicting or invalid value is stale.
  if (cc.conflicting_s_maxage) return 0;
  if (cc.s_maxage) return std::min(*cc.s_maxage, cap);
  if (cc.conflicting_max_age) return 0;
  if (cc.max_age) return std::min(*cc.max_age, cap);
  // Expires - Date (§4.2.1); Expires is ignored when a targeted field applies (RFC 9213 §2.2).
  const std::int64_t base = r.date.value_or(response_time);
  if (!r.targeted && r.has_expires) return clamp_u32(r.expires.value_or(0) - base, cap);
  // §4.2.2 heuristic: only without explicit expiration, for heuristically cacheable statuses
  // or responses marked explicitly cacheable (public), and only with Last-Modified.
  if (p.heuristic_freshness && (heuristically_cacheable(r.status) || cc.public_) &&
      r.last_modified) {
    const std::int64_t since = base - *r.last_modified;
    return clamp_u32(since / 10, std::min(p.heuristic_max_s, cap));
  }
  return std::nullopt;
}

NoStoreReason storability(const RequestFacts& req, const ResponseFacts& r,
                          const CachePolicy& p, std::int64_t response_time) noexcept {
  const CacheControl& cc = r.effective();
  // §3: the request method is understood and cacheable. We store GET only.
  if (req.method != "GET") return NoStoreReason::MethodNotCacheable;
  // §5.2.1.5: request no-store, honoured only when configured (CDN default: ignore).
  if (p.honour_request_no_store && req.cache_control.no_store) return NoStoreReason::RequestNoStore;
  // RFC 9110 §15.3.7 / design: a 206 is never stored as a full response.
  if (r.status == 206) return NoStoreReason::PartialContent;
  // §3: the status is final (304 only ever updates a stored response, §4.3.4). A status we do
  // not know is storable like any other when it carries explicit freshness (checked below);
  // understanding it is required only with must-understand (§5.2.2.3), which then overrides
  // no-store.
  if (!final_status(r.status)) return NoStoreReason::StatusNotCacheable;
  if (cc.must_understand && !understood_status(r.status)) return NoStoreReason::StatusNotCacheable;
  if (cc.no_store && !cc.must_understand) return NoStoreReason::NoStoreDirective;
  // §5.2.2.7: unqualified private forbids shared caches.
  if (cc.private_) return NoStoreReason::Private;
  // §3.5: a request with Authorization needs public, s-maxage or must-revalidate.
  if (req.has_authorization &&
      !(cc.public_ || cc.s_maxage || cc.conflicting_s_maxage || cc.must_revalidate))
    return NoStoreReason::Authorization;
  if (r.has_set_cookie && !p.store_set_cookie) return NoStoreReason::SetCookie;
  // §4.1: Vary: * never matches; any other Vary needs secondary keys.
  if (r.vary_star) return NoStoreReason::VaryStar;
  if (r.has_vary && !p.allow_vary) return NoStoreReason::Vary;
  // §3: explicit freshness, public, or a heuristically cacheable status.
  const bool explicit_fresh = has_explicit_freshness(r) || cc.no_cache;
  if (!explicit_fresh && !cc.public_ && !heuristically_cacheable(r.status))
    return NoStoreReason::StatusNotCacheable;
  const std::optional<std::uint32_t> lifetime = freshness_lifetime(r, p, response_time);
  if (!lifetime) return NoStoreReason::NoFreshnessInformation;
  // A zero lifetime is still worth storing when it can be revalidated cheaply (a validator)
  // or served stale (RFC 5861); otherwise the entry could never be used: ZeroTtl.
  if (*lifetime == 0 && !r.has_validator() && !cc.stale_while_revalidate &&
      !cc.stale_if_error)
    return NoStoreReason::ZeroTtl;
  return NoStoreReason::None;
}

// §4.2.3:
//   apparent_age = max(0, response_time - date_value)
//   response_delay = response_time - request_time
//   corrected_age_value = age_value + response_delay
//   corrected_initial_age = max(apparent_age, corrected_age_value)
// A missing Date counts as response_time (RFC 9110 §6.6.1), i.e. apparent_age 0. A negative
// response delay (clock step) counts as 0.
std::int64_t corrected_initial_age(const AgeInputs& a) noexcept {
  const std::int64_t apparent = a.date ? std::max<std::int64_t>(0, a.response_time - *a.date) : 0;
  const std::int64_t delay = std::max<std::int64_t>(0, a.response_time - a.request_time);
  const std::int64_t corrected = static_cast<std::int64_t>(a.age_value) + delay;
  return std::max(apparent, corrected);
}

std::int64_t current_age(std::int64_t corrected_initial_age, std::int64_t response_time,
                         std::int64_t now) noexcept {
  // §4.2.3: resident_time = now - response_time (never negative).
  return corrected_initial_age + std::max<std::int64_t>(0, now - response_time);
}

}  // namespace lacquer::http
