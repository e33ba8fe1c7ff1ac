#include "purge/entry_verdict.h"

#include <algorithm>
#include <vector>

#include "purge/scopes.h"
#include "storage/cache_key.h"

namespace lacquer::purge {
namespace {

// Beyond this many purges since an entry's check, one version read per scope costs less than
// comparing each purge with the entry's scopes.
constexpr std::uint64_t kRecentScan = 64;

}  // namespace

std::string_view url_part(std::string_view stored_key) noexcept {
  return stored_key.substr(0, stored_key.find(storage::kVariantSeparator));
}

Validity entry_verdict(const VersionTable& versions, const StoredScopes& entry) {
  const std::uint64_t last = versions.last_purge_seq();
  const std::uint64_t from = std::max(entry.checked_seq, entry.birth_seq);
  if (from >= last) return Validity::Valid;
  // Born before versions the table has since forgotten: it cannot be checked, so it is invalid.
  if (entry.birth_seq < versions.forgotten_below()) return Validity::Invalid;
  // Hashed only when a purge needs them: a storm of tag purges compares tags and nothing else.
  std::uint64_t url_key = 0;
  bool url_hashed = false;
  auto url_hash_once = [&] {
    if (!url_hashed) url_key = url_hash(entry.key);  // url_hash takes the URL part itself
    url_hashed = true;
    return url_key;
  };
  std::vector<std::uint64_t> prefixes;
  auto prefix_hashes = [&]() -> std::span<const std::uint64_t> {
    if (prefixes.empty()) {
      const std::string_view url = url_part(entry.key);
      entry_prefix_hashes(url, storage::key_path_begin(url), prefixes);
    }
    return prefixes;
  };
  // The purges since the last check, read in place while the ring still holds them all.
  if (last - from <= kRecentScan) {
    IncrementalCheck check(url_hash_once, entry.tags, prefix_hashes);
    bool complete = true;
    PurgeRecord r;
    for (std::uint64_t seq = from + 1; seq <= last && complete; ++seq) {
      complete = versions.recent_record(seq, r);
      if (complete && check.invalidated_by(r)) return Validity::Invalid;
    }
    if (complete) return check.result();
  }
  EntryScopes scopes{entry.birth_seq, url_hash_once(), entry.tags, prefix_hashes()};
  return validity(scopes, [&](Scope s, std::uint64_t k) { return versions.get(s, k); });
}

}  // namespace lacquer::purge
