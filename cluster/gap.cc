#include "cluster/gap.h"

namespace lacquer::cluster {

std::string_view to_string(Gap g) noexcept {
  switch (g) {
    case Gap::None: return "none";
    case Gap::Trimmed: return "trimmed";
    case Gap::Lost: return "lost";
  }
  return "unknown";
}

Gap find_gap(StreamId position, const StreamState& s) noexcept {
  if (!s.exists || s.last_generated < position) return Gap::Lost;
  if (s.position_present) return s.max_deleted > position ? Gap::Trimmed : Gap::None;
  if (s.entries_added <= s.length && s.max_deleted.is_zero()) return Gap::Lost;
  if (s.last_generated == position) return Gap::None;
  if (s.length > 0 && s.first_entry < position) return s.max_deleted > position ? Gap::Trimmed : Gap::None;
  return Gap::Trimmed;
}

}  // namespace lacquer::cluster
