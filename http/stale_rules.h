// When may a stale response stand in for a failed origin? RFC 5861 §4 (stale-if-error) and
// RFC 9111 §4.2.4 (never for must-revalidate / proxy-revalidate; a no-cache response is never
// used without validation). Pure: the caller passes the entry's age.
#pragma once

#include <cstdint>

namespace lacquer::http {

struct StaleOnErrorInput {
  std::int64_t age = 0;                // current age of the stored response
  std::uint32_t lifetime = 0;          // its freshness lifetime
  std::uint32_t stale_if_error = 0;    // seconds it may be served stale on error (or the grace)
  bool must_revalidate = false;
  bool no_cache = false;
};

inline bool may_serve_stale_on_error(const StaleOnErrorInput& s) noexcept {
  if (s.must_revalidate || s.no_cache) return false;
  const std::int64_t stale_for = s.age - static_cast<std::int64_t>(s.lifetime);
  return stale_for <= static_cast<std::int64_t>(s.stale_if_error);
}

// An origin status that counts as an error for stale-if-error (RFC 5861 §4: 500, 502, 503, 504).
inline bool is_origin_error_status(int status) noexcept { return status >= 500 && status <= 599; }

}  // namespace lacquer::http
