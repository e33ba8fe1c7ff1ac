// Cache-Control (RFC 9111 §5.2), also used for the targeted fields Surrogate-Control (Edge
// Architecture 1.0) and CDN-Cache-Control (RFC 9213), which share the directive syntax.
//
//   Cache-Control   = #cache-directive
//   cache-directive = token [ "=" ( token / quoted-string ) ]
//
// Unknown directives are ignored (§5.2.3). Delta-seconds that overflow clamp to 2^31 (§1.2.2).
// A directive given twice with different values is recorded as a conflict; the freshness code
// treats a conflicting max-age/s-maxage as "already stale" (§4.2.1 allows that choice).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "http/message.h"

namespace lacquer::http {

inline constexpr std::uint32_t kDeltaSecondsMax = 2147483648u;  // 2^31, RFC 9111 §1.2.2

struct CacheControl {
  // ---- response directives (§5.2.2) ----
  std::optional<std::uint32_t> max_age;    // max-age=N
  std::optional<std::uint32_t> s_maxage;   // s-maxage=N: shared caches only, wins over max-age
  bool no_store = false;                   // no-store: never store
  bool no_cache = false;                   // no-cache (unqualified): store, revalidate every use
  bool no_cache_fields = false;            // no-cache="f1, f2": those fields need revalidation
  bool private_ = false;                   // private (unqualified): shared caches never store
  bool private_fields = false;             // private="f1": a shared cache may store without them
  bool public_ = false;                    // public: storable even with Authorization
  bool must_revalidate = false;            // must-revalidate: never serve stale
  bool proxy_revalidate = false;           // proxy-revalidate: same, for shared caches only
  bool must_understand = false;            // must-understand (§5.2.2.3)
  bool no_transform = false;
  bool immutable = false;                  // RFC 8246
  std::optional<std::uint32_t> stale_while_revalidate;  // RFC 5861 §3
  std::optional<std::uint32_t> stale_if_error;          // RFC 5861 §4 (also a request directive)
  // ---- request directives (§5.2.1) ----
  std::optional<std::uint32_t> max_stale;  // max-stale[=N]; present without value = any staleness
  bool max_stale_any = false;              // max-stale with no value
  std::optional<std::uint32_t> min_fresh;  // min-fresh=N
  bool only_if_cached = false;             // only-if-cached
  // ---- parse notes ----
  bool conflicting_max_age = false;   // max-age given twice with different values, or invalid
  bool conflicting_s_maxage = false;  // same for s-maxage
};

// Parses one or more field values (all Cache-Control lines, in order) into `out`. Directive
// names are case-insensitive. Never fails: malformed members are ignored.
void parse_cache_control(std::string_view value, CacheControl& out) noexcept;
// Convenience: parses every field named `name` in `headers`.
CacheControl parse_cache_control_fields(std::span<const Header> headers,
                                        std::string_view name) noexcept;

}  // namespace lacquer::http
