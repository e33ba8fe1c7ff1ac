#include "http/cache_status.h"

#include "http/serializer.h"

namespace lacquer::http {

void CacheStatus::append_field(std::string& out) const {
  out.append("Cache-Status: lacquer");
  if (hit) out.append("; hit");
  if (!fwd.empty()) out.append("; fwd=").append(fwd);
  if (fwd_status) {
    out.append("; fwd-status=");
    append_decimal(out, static_cast<std::uint64_t>(fwd_status));
  }
  if (stored) out.append("; stored");
  if (collapsed) out.append("; collapsed");
  if (has_ttl) {
    out.append("; ttl=");
    if (ttl < 0) out.push_back('-');
    append_decimal(out, static_cast<std::uint64_t>(ttl < 0 ? -ttl : ttl));
  }
  if (!detail.empty()) out.append("; detail=").append(detail);
  out.append("\r\n");
}

}  // namespace lacquer::http
