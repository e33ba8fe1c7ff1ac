// Stored header update with a 304 or HEAD response (RFC 9111 §3.2).
#include "http/header_update.h"

namespace lacquer::http {

namespace {

// Fields a 304 must not change in the stored response: they describe the stored body, or
// belong to the connection that carried the 304.
bool kept_from_stored(std::string_view name, std::span<const Header> update) noexcept {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Content-Encoding") || iequals(name, "Content-Range") ||
         is_hop_by_hop(name) || is_named_by_connection(update, name);
}

bool has_name(std::span<const Header> hs, std::size_t end, std::string_view name) noexcept {
  for (std::size_t i = 0; i < end; ++i)
    if (iequals(hs[i].name, name)) return true;
  return false;
}

}  // namespace

std::vector<Header> merge_updated_fields(std::span<const Header> stored,
                                         std::span<const Header> update) {
  // Which update fields apply, decided once (is_named_by_connection scans the update).
  std::vector<bool> applies(update.size());
  for (std::size_t i = 0; i < update.size(); ++i)
    applies[i] = !kept_from_stored(update[i].name, update);
  const auto updated = [&](std::string_view name) {
    for (std::size_t i = 0; i < update.size(); ++i)
      if (applies[i] && iequals(update[i].name, name)) return true;
    return false;
  };

  std::vector<Header> out;
  out.reserve(stored.size() + update.size());
  for (std::size_t s = 0; s < stored.size(); ++s) {
    const std::string_view name = stored[s].name;
    if (!updated(name)) {
      out.push_back(stored[s]);
    } else if (!has_name(stored, s, name)) {  // first stored line of this name: the new lines
      for (std::size_t i = 0; i < update.size(); ++i)
        if (applies[i] && iequals(update[i].name, name)) out.push_back(update[i]);
    }
  }
  for (std::size_t i = 0; i < update.size(); ++i)
    if (applies[i] && !has_name(stored, stored.size(), update[i].name)) out.push_back(update[i]);
  return out;
}

}  // namespace lacquer::http
