// The purges one sweep pass has to apply, indexed by scope once per pass (batch work for the
// sweeper). After a pass, the entries it found valid are checked up to that pass; the next pass
// needs only the purges since, and looking an entry's few scopes up here costs a handful of hash
// probes, where reading the ring costs one comparison (and its atomic loads) per purge for every
// entry it holds. Entries checked before `base` (never seen by the last pass) go through
// entry_verdict as usual.
//
// Threading: built and read by the sweeper thread only; it reads the table's ring once.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>

#include "purge/validity.h"
#include "purge/version_table.h"

namespace lacquer::purge {

class RecentPurges {
 public:
  // Indexes the purges numbered base+1..last. False (and nothing indexed) when the ring no
  // longer holds them all.
  bool load(const VersionTable& versions, std::uint64_t base, std::uint64_t last);
  std::uint64_t base() const { return base_; }
  // The verdict for a stored entry (its key text and tags) found valid against every purge up to
  // `from` >= base(): the same answer as entry_verdict's.
  Validity verdict(std::uint64_t from, std::string_view key, std::span<const std::uint64_t> tags) const;

 private:
  Versions of(Scope scope, std::uint64_t key) const;

  std::uint64_t base_ = 0;
  Versions global_;
  std::unordered_map<std::uint64_t, Versions> url_, tag_, prefix_;  // key -> newest purge seqs
};

}  // namespace lacquer::purge
