// The one purge verdict for a stored entry, used by every reader of the version table: a lookup
// (cache/tiered_cache.h), the memory sweeper (purge/sweeper.h) and the disk tier's compaction
// filter. It takes what a stored record carries (birth sequence, key text, tags) and the
// sequence the entry was last found valid at, and answers Valid, Stale (soft-purged) or Invalid.
//
// Cost: nothing when no purge happened since `checked_seq`; otherwise the purges since then from
// the table's recent ring, or (when the ring has moved on) one version read per scope.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "purge/validity.h"
#include "purge/version_table.h"

namespace lacquer::purge {

struct StoredScopes {
  std::uint64_t birth_seq = 0;
  std::uint64_t checked_seq = 0;       // found valid against every purge up to this one
  std::string_view key;                // the stored key: a URL key, or a variant's (URL + Vary part)
  std::span<const std::uint64_t> tags; // surrogate-key hashes
};

Validity entry_verdict(const VersionTable& versions, const StoredScopes& entry);

// The URL part of a stored key (a variant's key is its URL's key, a separator, the secondary key).
std::string_view url_part(std::string_view stored_key) noexcept;

}  // namespace lacquer::purge
