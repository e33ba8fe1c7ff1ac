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
  if (s.max_deleted > position) return Gap::Trimmed;
  if (!s.position_present && s.max_deleted < position) return Gap::Lost;
  return Gap::None;
}

}  // namespace lacquer::cluster
