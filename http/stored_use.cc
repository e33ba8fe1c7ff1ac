#include "http/stored_use.h"

namespace lacquer::http {

StoredUse decide_stored_use(const StoredState& s, const RequestCacheNeeds& r) noexcept {
  const CacheControl& cc = r.cache_control;
  if (r.honour_no_cache && (cc.no_cache || (!r.has_cache_control && r.pragma_no_cache)))
    return StoredUse::ClientRequiresForward;
  // §5.2.1.1 max-age and §5.2.1.3 min-fresh narrow what counts as fresh for this client.
  if (cc.max_age && s.age > static_cast<std::int64_t>(*cc.max_age)) return StoredUse::ClientRequiresForward;
  const std::int64_t remaining = static_cast<std::int64_t>(s.lifetime) - s.age;
  if (cc.min_fresh && remaining < static_cast<std::int64_t>(*cc.min_fresh))
    return StoredUse::ClientRequiresForward;
  if (s.no_cache) return StoredUse::Validate;  // §5.2.2.4: never used without validation
  const bool fresh = remaining > 0 && !s.soft_purged;
  if (fresh) return StoredUse::Fresh;
  if (s.must_revalidate) return StoredUse::Validate;  // §5.2.2.2: never served stale
  const std::int64_t stale_for = staleness(s);
  // §5.2.1.2 max-stale: the client accepts this much staleness (no value: any).
  if (cc.max_stale_any || (cc.max_stale && stale_for <= static_cast<std::int64_t>(*cc.max_stale)))
    return StoredUse::StaleAllowedByClient;
  if (s.stale_while_revalidate > 0 && stale_for <= static_cast<std::int64_t>(s.stale_while_revalidate))
    return StoredUse::StaleWhileRevalidate;
  return StoredUse::Validate;
}

}  // namespace lacquer::http
