// May a stored response answer this request, and how? RFC 9111 §4 (constructing responses from
// caches), §4.2.4 (serving stale), §5.2.1 (request directives) and RFC 5861 (stale-while-
// revalidate), as one pure function. The caller supplies the times it measured.
#pragma once

#include <cstdint>

#include "http/cache_control.h"

namespace lacquer::http {

// What the cache knows about one stored response at the moment of the request.
struct StoredState {
  std::int64_t age = 0;                // current_age, §4.2.3
  std::uint32_t lifetime = 0;          // freshness lifetime, §4.2.1
  std::uint32_t stale_while_revalidate = 0;
  bool must_revalidate = false;        // must-revalidate / proxy-revalidate: never stale
  bool no_cache = false;               // no-cache: validate on every use
  bool soft_purged = false;            // a soft purge covers it: stale whatever its age
};

// What the request asks for. `honour_no_cache` is the config switch for client no-cache /
// no-store / Pragma: no-cache (CDN default: ignored).
struct RequestCacheNeeds {
  CacheControl cache_control;
  bool pragma_no_cache = false;        // Pragma: no-cache, used only without Cache-Control (§5.4)
  bool has_cache_control = false;
  bool honour_no_cache = false;
};

enum class StoredUse : std::uint8_t {
  Fresh,                 // serve it
  StaleAllowedByClient,  // stale, but within the client's max-stale: serve it
  StaleWhileRevalidate,  // serve it, refresh in the background (RFC 5861 §3)
  Validate,              // forward (conditionally when it has validators): it is stale
  ClientRequiresForward, // forward: the client's directives rule the stored response out
};

StoredUse decide_stored_use(const StoredState& s, const RequestCacheNeeds& r) noexcept;

// Seconds the response has been stale (0 while fresh).
inline std::int64_t staleness(const StoredState& s) noexcept {
  return s.age > static_cast<std::int64_t>(s.lifetime) ? s.age - s.lifetime : 0;
}

}  // namespace lacquer::http
