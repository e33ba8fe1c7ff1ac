// What a refusal to store means beyond this response, and what a revalidation may overwrite.
// Pure companions to storability() in http/freshness.h.
#pragma once

#include "http/freshness.h"

namespace lacquer::http {

// Refusals caused by the request that led the fetch (its Authorization, its no-store) or by the
// size of this one body, not by what the origin said about the resource: other requests could
// well have stored the response, so they leave no hit-for-miss marker behind.
inline bool is_request_driven(NoStoreReason r) noexcept {
  return r == NoStoreReason::Authorization || r == NoStoreReason::RequestNoStore || r == NoStoreReason::TooLarge;
}

// A revalidation answered with a server error: the stale copy is kept (for stale-if-error, RFC
// 5861 §4) rather than replaced by the error.
inline NoStoreReason revalidation_refusal(NoStoreReason r, int status) noexcept {
  if (r == NoStoreReason::None && status >= 500) return NoStoreReason::StatusNotCacheable;
  return r;
}

}  // namespace lacquer::http
