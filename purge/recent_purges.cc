#include "purge/recent_purges.h"

#include <algorithm>
#include <vector>

#include "purge/entry_verdict.h"
#include "purge/scopes.h"
#include "storage/cache_key.h"

namespace lacquer::purge {

bool RecentPurges::load(const VersionTable& versions, std::uint64_t base, std::uint64_t last) {
  base_ = base;
  global_ = {};
  url_.clear();
  tag_.clear();
  prefix_.clear();
  if (last < base || last - base > VersionTable::kRecent) return false;
  PurgeRecord r;
  for (std::uint64_t seq = base + 1; seq <= last; ++seq) {
    if (!versions.recent_record(seq, r)) {
      url_.clear();
      tag_.clear();
      prefix_.clear();
      global_ = {};
      return false;
    }
    Versions* v = &global_;
    if (r.scope == Scope::Url) v = &url_[r.key];
    else if (r.scope == Scope::Tag) v = &tag_[r.key];
    else if (r.scope == Scope::Prefix) v = &prefix_[r.key];
    std::uint64_t& slot = r.soft ? v->soft : v->hard;
    slot = std::max(slot, r.seq);
  }
  return true;
}

Versions RecentPurges::of(Scope scope, std::uint64_t key) const {
  const std::unordered_map<std::uint64_t, Versions>* map = nullptr;
  switch (scope) {
    case Scope::Global: return global_;
    case Scope::Url: map = &url_; break;
    case Scope::Tag: map = &tag_; break;
    case Scope::Prefix: map = &prefix_; break;
  }
  if (map->empty()) return {};
  auto it = map->find(key);
  return it == map->end() ? Versions{} : it->second;
}

// Every purge indexed here is above base; one above `from` applies to an entry valid up to
// `from` when it names one of its scopes: exactly validity() with `from` in place of the birth.
// The URL and its prefixes are hashed only when some purge of that kind is indexed.
Validity RecentPurges::verdict(std::uint64_t from, std::string_view key, std::span<const std::uint64_t> tags) const {
  std::vector<std::uint64_t> prefixes;
  if (!prefix_.empty()) {
    const std::string_view url = url_part(key);
    entry_prefix_hashes(url, storage::key_path_begin(url), prefixes);
  }
  const EntryScopes scopes{from, url_.empty() ? 0 : url_hash(key), tags, prefixes};
  return validity(scopes, [this](Scope s, std::uint64_t k) { return of(s, k); });
}

}  // namespace lacquer::purge
