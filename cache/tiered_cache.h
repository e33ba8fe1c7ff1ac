// The tiered cache as the request engine sees it: one object over the memory tier, the RocksDB
// tier, its presence filter and the purge versions.
//
//   lookup:  memory ─▶ (presence filter) ─▶ disk, read on a reader thread ─▶ promote to memory;
//            a Vary marker under the URL leads to the request's variant the same way; every
//            entry found gets the purge verdict (purge/entry_verdict.h) and its freshness, and a
//            hard-purged one is reclaimed on the spot and reported as a miss.
//   publish: memory, disk (asynchronous, batched), the presence filter, and the Vary marker.
//
// Threading: one instance serves every worker; its parts are thread-safe. A lookup that must read
// the disk answers later, on the caller's loop, through the LoopPoster the caller passes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cache/loop_poster.h"
#include "http/message.h"
#include "purge/purge_metrics.h"
#include "purge/validity.h"
#include "purge/version_table.h"
#include "storage/cache_key.h"
#include "storage/entry.h"

namespace lacquer::storage {
class MemoryTier;
class DiskTier;
class PresenceFilter;
class LargeObjectWriter;
}  // namespace lacquer::storage

namespace lacquer::cache {

enum class Tier : std::uint8_t { Memory, Disk };

// What a stored entry is worth before the request's own directives are weighed
// (http/stored_use.h does that).
enum class Verdict : std::uint8_t {
  Miss,        // nothing stored (with variant_key set: the URL varies, this variant is not stored)
  Invalid,     // a hard purge covers what was stored: it was reclaimed on the spot
  Fresh,
  Stale,       // past its freshness lifetime
  SoftPurged,  // a soft purge covers it: usable only as a stale response
};

struct LookupResult {
  Verdict verdict = Verdict::Miss;
  Tier tier = Tier::Memory;
  storage::EntryRef entry;    // set for Fresh, Stale and SoftPurged
  std::string variant_key;    // the URL varies: this request's variant key (else "")
};

class LookupWaiter {
 public:
  virtual ~LookupWaiter() = default;
  virtual void on_lookup(LookupResult result) = 0;
};

// A lookup's question. The key and fields must stay valid while `alive` does: an answer that
// comes later (from the disk) runs on `loop` and is dropped once `alive` has expired.
struct LookupRequest {
  const storage::CacheKey* key = nullptr;
  std::span<const http::Header> fields;  // the request's fields, for Vary secondary keys
  std::int64_t now = 0;
  LoopPoster* loop = nullptr;
  LookupWaiter* waiter = nullptr;
  std::weak_ptr<const void> alive;
};

class TieredCache {
 public:
  // `disk` and `filter` are both null in memory-only mode.
  TieredCache(storage::MemoryTier& memory, storage::DiskTier* disk, storage::PresenceFilter* filter,
              const purge::VersionTable& versions, purge::PurgeMetrics& purge_metrics);

  // The answer when memory (or the presence filter) can give it at once; nullopt when the disk
  // is being read: then request.waiter->on_lookup() runs later on request.loop.
  std::optional<LookupResult> lookup(const LookupRequest& request);

  // A complete response for `url`: into memory and (asynchronously) onto disk. A response that
  // varies (`vary`: its serialised Vary names) is stored under its variant key, with a marker
  // under the URL that names the fields. True when the memory tier took it.
  bool publish(const storage::EntryRef& entry, const storage::CacheKey& url, std::string_view vary);

  // Large objects (storage/large_object.h) live on disk only.
  bool has_disk() const { return disk_ != nullptr; }
  std::unique_ptr<storage::LargeObjectWriter> begin_large(std::string_view key);
  // A large object was committed under `key`: the filter learns it, the marker is published.
  void published_large(std::string_view key, const storage::CacheKey& url, std::string_view vary,
                       const storage::EntryMeta& meta, std::span<const std::uint64_t> tags);
  // Reads [offset, offset + len) of a large object's body; `done` runs on a reader thread.
  void read_large(const storage::Entry& entry, std::uint64_t offset, std::uint64_t len,
                  std::function<void(std::optional<std::string>)> done);

  // The birth sequence for an origin request sent now (see purge/version_table.h).
  std::uint64_t birth_seq() const { return versions_.current_seq(); }

 private:
  struct Pending;
  std::optional<LookupResult> after_url_entry(const LookupRequest& r, storage::EntryRef e, Tier tier);
  std::optional<LookupResult> judge(const LookupRequest& r, storage::EntryRef e, Tier tier, std::string variant_key);
  void read_disk(const LookupRequest& r, std::string key, std::uint64_t hash, std::string variant_key);
  bool may_be_on_disk(std::string_view key) const;
  // A hard-purged entry is reclaimed from `tier` on the spot.
  purge::Validity verdict(const storage::EntryRef& e, Tier tier);
  void to_disk(const storage::EntryRef& e);
  storage::EntryRef vary_marker(const storage::CacheKey& url, std::string_view vary, const storage::EntryMeta& meta,
                                std::span<const std::uint64_t> tags) const;

  storage::MemoryTier& memory_;
  storage::DiskTier* disk_;
  storage::PresenceFilter* filter_;
  const purge::VersionTable& versions_;
  purge::PurgeMetrics& purge_metrics_;
};

}  // namespace lacquer::cache
