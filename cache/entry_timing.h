// Age and remaining freshness of a stored entry at a given moment (RFC 9111 §4.2.3, §4.2.1).
// Pure: the caller passes the time it read.
#pragma once

#include <cstdint>

#include "http/freshness.h"
#include "storage/entry.h"

namespace lacquer::cache {

struct EntryTiming {
  std::int64_t age = 0;  // current_age
  std::int64_t ttl = 0;  // lifetime - age: negative once stale
};

inline EntryTiming entry_timing(const storage::EntryMeta& m, std::int64_t now) {
  const std::int64_t age = http::current_age(m.corrected_initial_age, m.response_time, now);
  return {age, static_cast<std::int64_t>(m.lifetime_s) - age};
}

}  // namespace lacquer::cache
