// The purge validity predicate: is a stored entry still valid, only stale (soft-purged), or
// invalid (hard-purged)? Pure: the versions come from a lookup the caller passes in, so the
// rule is unit-tested without threads. Cost is O(tags + path depth), and only paid after a
// purge (see the fast path in version_table.h).
#pragma once

#include <cstdint>
#include <span>
#include <utility>

#include "purge/version_table.h"

namespace lacquer::purge {

enum class Validity : std::uint8_t { Valid, Stale, Invalid };

struct EntryScopes {
  std::uint64_t birth = 0;                 // sequence when the origin request was sent
  std::uint64_t url = 0;                   // primary (URL) hash
  std::span<const std::uint64_t> tags;     // surrogate-key hashes
  std::span<const std::uint64_t> prefixes; // path-prefix hashes
};

// versions_of(Scope, key) -> Versions.
template <class VersionsOf>
Validity validity(const EntryScopes& e, VersionsOf&& versions_of) {
  bool stale = false;
  auto check = [&](Scope scope, std::uint64_t key) {
    Versions v = versions_of(scope, key);
    if (v.hard > e.birth) return true;
    if (v.soft > e.birth) stale = true;
    return false;
  };
  if (check(Scope::Global, 0) || check(Scope::Url, e.url)) return Validity::Invalid;
  for (std::uint64_t t : e.tags)
    if (check(Scope::Tag, t)) return Validity::Invalid;
  for (std::uint64_t p : e.prefixes)
    if (check(Scope::Prefix, p)) return Validity::Invalid;
  return stale ? Validity::Stale : Validity::Valid;
}

// The incremental form: the same verdict for an entry already found valid up to some sequence,
// from only the purges after it (the table's recent ring), taken one at a time so they need not
// be copied. Each is at or above the entry's birth by construction, so a purge that names one of
// the entry's scopes applies. `url()` and `prefixes()` are called only when a URL or prefix purge
// is among them (hashing the URL and its path prefixes costs more than the rest).
template <class Url, class Prefixes>
class IncrementalCheck {
 public:
  IncrementalCheck(Url url, std::span<const std::uint64_t> tags, Prefixes prefixes)
      : url_(std::move(url)), tags_(tags), prefixes_(std::move(prefixes)) {}
  // One purge after the entry's check; true when it hard-purges the entry (the verdict is final).
  bool invalidated_by(const PurgeRecord& r) {
    bool applies = false;
    switch (r.scope) {
      case Scope::Global: applies = true; break;
      case Scope::Url: applies = r.key == url_(); break;
      case Scope::Tag:
        for (std::uint64_t t : tags_) applies = applies || t == r.key;
        break;
      case Scope::Prefix:
        for (std::uint64_t p : prefixes_()) applies = applies || p == r.key;
        break;
    }
    if (!applies) return false;
    if (!r.soft) return true;
    stale_ = true;
    return false;
  }
  // The verdict after every purge was taken (none invalidated the entry).
  Validity result() const { return stale_ ? Validity::Stale : Validity::Valid; }

 private:
  Url url_;
  std::span<const std::uint64_t> tags_;
  Prefixes prefixes_;
  bool stale_ = false;
};

template <class Prefixes>
Validity validity_from_recent(std::span<const PurgeRecord> recent, std::uint64_t url,
                              std::span<const std::uint64_t> tags, Prefixes&& prefixes) {
  IncrementalCheck check([url] { return url; }, tags, [&]() -> std::span<const std::uint64_t> { return prefixes(); });
  for (const PurgeRecord& r : recent)
    if (check.invalidated_by(r)) return Validity::Invalid;
  return check.result();
}

}  // namespace lacquer::purge
