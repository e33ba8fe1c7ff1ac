#include "purge/entry_verdict.h"

#include <algorithm>
#include <array>
#include <vector>

#include "purge/scopes.h"
#include "storage/cache_key.h"

namespace lacquer::purge {

std::string_view url_part(std::string_view stored_key) noexcept {
  return stored_key.substr(0, stored_key.find(storage::kVariantSeparator));
}

Validity entry_verdict(const VersionTable& versions, const StoredScopes& entry) {
  const std::uint64_t last = versions.last_purge_seq();
  const std::uint64_t from = std::max(entry.checked_seq, entry.birth_seq);
  if (from >= last) return Validity::Valid;
  // Born before versions the table has since forgotten: it cannot be checked, so it is invalid.
  if (entry.birth_seq < versions.forgotten_below()) return Validity::Invalid;
  const std::string_view url = url_part(entry.key);
  std::vector<std::uint64_t> prefixes;
  auto prefix_hashes = [&]() -> std::span<const std::uint64_t> {
    if (prefixes.empty()) entry_prefix_hashes(url, storage::key_path_begin(url), prefixes);
    return prefixes;
  };
  const std::uint64_t url_key = url_hash(url);
  // The purges since the last check, while the ring still holds them all.
  std::array<PurgeRecord, 64> recent;
  if (last - from <= recent.size() && versions.recent(from, last, recent))
    return validity_from_recent(std::span(recent.data(), last - from), url_key, entry.tags, prefix_hashes);
  EntryScopes scopes{entry.birth_seq, url_key, entry.tags, prefix_hashes()};
  return validity(scopes, [&](Scope s, std::uint64_t k) { return versions.get(s, k); });
}

}  // namespace lacquer::purge
