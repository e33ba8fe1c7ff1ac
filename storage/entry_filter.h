// The entries column family's compaction filter: drops records that can never be served again.
//
// A record goes when it is expired past every stale allowance plus `keep_expired_s`
// (EntryMeta::useless_after(); the extra time lets a future revalidation reuse the stored
// validators, as Varnish's "keep" does), when it is hard-purged (the injected predicate:
// storage/ knows nothing of purge/), or when it does not decode as a current record. Dropping
// is RocksDB's kRemove, which turns the record into a tombstone for the rest of the
// compaction, so an older version of the key in an older file is never exposed. A dropped
// large-object manifest is reported (on_large_dropped) so its chunks can be deleted too; the
// filter keeps chunk records, which have no meta of their own.
//
// It runs on flushes and compactions (the scrubber in disk_scrubber.h rewrites old files to
// get it to run: FIFO compaction itself only deletes whole files). The clock is read here,
// which is fine for storage: the filter never decides freshness, only that nothing is left.
//
// Threading: RocksDB makes one filter per flush or (sub)compaction and calls it on its
// background threads or the scrubber's: the predicate, clock and hook must be thread-safe and
// must never block on disk or on an event loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

#include "storage/entry.h"

namespace rocksdb {
class CompactionFilterFactory;
}

namespace lacquer::storage {

struct EntryFilterConfig {
  // Seconds a record is kept after it can no longer be served, not even stale.
  std::int64_t keep_expired_s = 0;
  // True when the record was hard-purged. `key_text` is the full cache key; `tags` its
  // surrogate-key hashes. Empty: nothing is ever purged.
  std::function<bool(const EntryMeta&, std::string_view key_text, std::span<const std::uint64_t> tags)> purged;
  // The newest purge sequence: a record born at or after it cannot be purged, so its tags are
  // not even decoded. Empty: every record is checked.
  std::function<std::uint64_t()> purge_seq;
  // Epoch seconds. Empty: the system clock.
  std::function<std::int64_t()> now;
};

struct EntryFilterStats {
  std::atomic<std::uint64_t> expired{0};      // dropped: expired past stale allowances and keep
  std::atomic<std::uint64_t> purged{0};       // dropped: hard-purged
  std::atomic<std::uint64_t> undecodable{0};  // dropped: another format version or garbage
  std::uint64_t dropped() const { return expired.load() + purged.load() + undecodable.load(); }
};

// Told about a dropped large-object manifest (disk key, generation, chunk count).
using LargeDroppedHook = std::function<void(std::string_view disk_key, std::uint64_t generation, std::uint32_t chunks)>;

// What the filters of one database share: the configuration, the counters and the hook.
class EntryFilterContext {
 public:
  explicit EntryFilterContext(EntryFilterConfig config) : config_(std::move(config)) {}
  const EntryFilterConfig& config() const { return config_; }
  EntryFilterStats& stats() { return stats_; }
  const EntryFilterStats& stats() const { return stats_; }
  std::int64_t now() const;
  std::uint64_t purge_seq() const { return config_.purge_seq ? config_.purge_seq() : ~std::uint64_t{0}; }
  // The disk tier sets the hook while it runs and clears it before it stops.
  void set_large_dropped(LargeDroppedHook hook);
  void large_dropped(std::string_view disk_key, std::uint64_t generation, std::uint32_t chunks) const;

 private:
  EntryFilterConfig config_;
  EntryFilterStats stats_;
  mutable std::mutex hook_mu_;
  LargeDroppedHook hook_;
};

enum class FilterVerdict : std::uint8_t { Keep, Expired, Purged, Undecodable };

// The decision for one key/value of the entries column family (pure apart from the
// predicate; the filter and its tests call it). Chunk records and foreign keys are kept.
FilterVerdict judge_record(const EntryFilterContext& ctx, std::string_view key, std::string_view value,
                           std::int64_t now);

std::shared_ptr<rocksdb::CompactionFilterFactory> make_entry_filter_factory(std::shared_ptr<EntryFilterContext> ctx);

}  // namespace lacquer::storage
