// RFC 9111 storage and freshness rules for a shared cache, as pure functions. Nothing here
// reads a clock: every time is passed in (seconds since the epoch).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "http/cache_control.h"
#include "http/message.h"

namespace lacquer::http {

// Why a response was not stored (for logs, metrics and Cache-Status detail).
enum class NoStoreReason : std::uint8_t {
  None,
  MethodNotCacheable,     // only GET (and HEAD answered from GET) is stored
  StatusNotCacheable,     // status neither heuristically cacheable nor explicitly fresh
  PartialContent,         // 206 is never stored as a full response
  NoStoreDirective,       // Cache-Control / targeted no-store
  Private,                // private (unqualified)
  Authorization,          // request had Authorization and no public/s-maxage/must-revalidate
  SetCookie,              // Set-Cookie present and config says do not store
  Vary,                   // Vary present and secondary keys are not in use
  VaryStar,               // Vary: *
  NoFreshnessInformation, // nothing explicit and heuristics are off / not allowed
  RequestNoStore,         // request Cache-Control: no-store honoured per config
  ZeroTtl,                // computed lifetime is 0 and nothing allows storing for revalidation
  Incomplete,             // body ended early (decided by the caller, listed for reporting)
  TooLarge,               // over the admission limit (decided by the caller)
};
std::string_view to_string(NoStoreReason r) noexcept;

// Policy switches that come from config.
struct CachePolicy {
  bool store_set_cookie = false;      // store responses that carry Set-Cookie
  bool allow_vary = false;            // secondary keys implemented (false in the foundation)
  bool heuristic_freshness = false;   // 10% of (Date - Last-Modified), RFC 9111 §4.2.2
  std::uint32_t heuristic_max_s = 86400;  // cap on a heuristic lifetime
  std::uint32_t max_ttl_s = 365 * 86400;  // cap on any lifetime
  bool honour_request_no_store = false;   // client Cache-Control: no-store
};

// What the cache needs from a request to decide about storing its response.
struct RequestFacts {
  std::string_view method;       // "GET", "HEAD", ...
  bool has_authorization = false;
  CacheControl cache_control;    // request Cache-Control
};

// What the cache needs from a response. Fill with response_facts().
struct ResponseFacts {
  int status = 0;
  CacheControl cache_control;                // Cache-Control
  std::optional<CacheControl> targeted;      // CDN-Cache-Control or Surrogate-Control, if present
  std::optional<std::int64_t> date;          // Date
  std::optional<std::int64_t> expires;       // Expires; invalid Expires = epoch 0 (already stale)
  bool has_expires = false;
  std::optional<std::int64_t> last_modified; // Last-Modified
  std::uint32_t age = 0;                     // Age from the origin (0 when absent/invalid)
  bool has_set_cookie = false;
  bool has_vary = false;
  bool vary_star = false;
  bool has_etag = false;                     // ETag present (a validator, with Last-Modified)
  // The directives that govern a shared cache: the targeted field when present (RFC 9213
  // §2.2: then Cache-Control and Expires are ignored), else Cache-Control.
  const CacheControl& effective() const noexcept { return targeted ? *targeted : cache_control; }
  bool has_validator() const noexcept { return has_etag || last_modified.has_value(); }
};
// Collects the facts from response headers. Targeted fields: CDN-Cache-Control wins over
// Surrogate-Control (RFC 9213 §2.1: the most specific targeted field applies).
ResponseFacts response_facts(int status, std::span<const Header> headers) noexcept;

// §4.2.1 freshness lifetime in seconds, capped by policy.max_ttl_s; nullopt when the response
// carries no explicit freshness and heuristics do not apply. Precedence: targeted max-age >
// s-maxage > max-age > Expires - Date (Date missing: `response_time`) > heuristic.
// When a targeted field is present it replaces Cache-Control and Expires entirely (RFC 9213
// §2.2; its own s-maxage still beats its max-age). A conflicting/invalid max-age or s-maxage,
// an invalid Expires, and an unqualified no-cache all give 0 (stored, revalidated every use).
std::optional<std::uint32_t> freshness_lifetime(const ResponseFacts& r, const CachePolicy& p,
                                                std::int64_t response_time) noexcept;

// §3 / §3.5: may a shared cache store this response? Returns the first reason it may not.
// Only GET responses are stored (a HEAD is answered from a stored GET). A response whose
// lifetime is 0 is still storable (it is revalidated on use) when it has a validator or a
// stale-while-revalidate / stale-if-error allowance; with neither it is ZeroTtl (useless).
NoStoreReason storability(const RequestFacts& req, const ResponseFacts& r,
                          const CachePolicy& p, std::int64_t response_time) noexcept;

// §4.2.3 age calculation, with the times the cache recorded.
struct AgeInputs {
  std::int64_t request_time = 0;   // when the request to the origin was sent
  std::int64_t response_time = 0;  // when the response head arrived
  std::optional<std::int64_t> date;
  std::uint32_t age_value = 0;     // the origin's Age
};
// corrected_initial_age per §4.2.3.
std::int64_t corrected_initial_age(const AgeInputs& a) noexcept;
// current_age = corrected_initial_age + (now - response_time)
std::int64_t current_age(std::int64_t corrected_initial_age, std::int64_t response_time,
                         std::int64_t now) noexcept;

// Heuristically cacheable statuses (RFC 9110 §15.1): 200, 203, 204, 206, 300, 301, 308, 404,
// 405, 410, 414, 501.
bool heuristically_cacheable(int status) noexcept;
// Final statuses that can be an entry (200..599 except 304), understood or not.
bool final_status(int status) noexcept;
// Statuses this cache understands well enough to store at all (§3: "the response status code is
// final" and understood).
bool understood_status(int status) noexcept;

}  // namespace lacquer::http
