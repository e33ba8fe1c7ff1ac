#include "http/upgrade.h"

namespace lacquer::http {

bool has_upgrade_field(std::span<const Header> headers) noexcept {
  for (const Header& h : headers)
    if (iequals(h.name, "Upgrade")) return true;
  return false;
}

}  // namespace lacquer::http
