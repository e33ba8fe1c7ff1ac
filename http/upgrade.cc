#include "http/upgrade.h"

namespace lacquer::http {

bool has_upgrade_field(std::span<const Header> headers) noexcept {
  for (const Header& h : headers)
    if (iequals(h.name, "Upgrade")) return true;
  return false;
}

std::optional<std::string_view> tunnel_protocols(const RequestLine& line, std::span<const Header> headers,
                                                 bool has_body) noexcept {
  if (line.version_minor < 1 || has_body) return std::nullopt;
  std::optional<std::string_view> protocols;
  bool connection_lists_upgrade = false;
  for (const Header& h : headers) {
    if (iequals(h.name, "Upgrade")) {
      if (protocols) return std::nullopt;  // twice: which one?
      protocols = h.value;
    } else if (iequals(h.name, "Connection")) {
      for_each_list_member(h.value, [&](std::string_view m) {
        connection_lists_upgrade = connection_lists_upgrade || iequals(m, "upgrade");
      });
    }
  }
  if (!protocols || protocols->empty() || !connection_lists_upgrade) return std::nullopt;
  return protocols;
}

}  // namespace lacquer::http
