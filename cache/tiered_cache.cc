#include "cache/tiered_cache.h"

#include "cache/entry_timing.h"
#include "http/vary.h"
#include "purge/entry_verdict.h"
#include "storage/disk_tier.h"
#include "storage/large_object.h"
#include "storage/memory_tier.h"
#include "storage/presence_filter.h"

namespace lacquer::cache {
namespace {

LookupResult nothing_stored(std::string variant_key = {}) {
  LookupResult r;
  r.variant_key = std::move(variant_key);
  return r;
}

LookupResult reclaimed(std::string variant_key = {}) {
  LookupResult r = nothing_stored(std::move(variant_key));
  r.verdict = Verdict::Invalid;
  return r;
}

}  // namespace

TieredCache::TieredCache(storage::MemoryTier& memory, storage::DiskTier* disk, storage::PresenceFilter* filter,
                         const purge::VersionTable& versions, purge::PurgeMetrics& purge_metrics)
    : memory_(memory), disk_(disk), filter_(filter), versions_(versions), purge_metrics_(purge_metrics) {}

std::optional<LookupResult> TieredCache::lookup(const LookupRequest& r) {
  const storage::CacheKey& key = *r.key;
  storage::EntryRef e = memory_.lookup(key.primary, key.text);
  if (e) return after_url_entry(r, std::move(e), Tier::Memory);
  if (!may_be_on_disk(key.text)) return nothing_stored();
  read_disk(r, key.text, key.primary, {});
  return std::nullopt;
}

// An entry under the URL's key: the response itself, or a Vary marker leading to the variant.
std::optional<LookupResult> TieredCache::after_url_entry(const LookupRequest& r, storage::EntryRef e, Tier tier) {
  if (!(e->meta().flags & storage::kEntryVaryMarker)) return judge(r, std::move(e), tier, {});
  if (verdict(e, tier) == purge::Validity::Invalid) return reclaimed();
  if (tier == Tier::Disk) memory_.insert(e);
  std::string variant_key = r.key->text;
  http::append_variant_key(variant_key, e->head(), r.fields);
  const std::uint64_t hash = storage::hash_key_text(variant_key);
  if (storage::EntryRef v = memory_.lookup(hash, variant_key)) return judge(r, std::move(v), Tier::Memory, std::move(variant_key));
  if (!may_be_on_disk(variant_key)) return nothing_stored(std::move(variant_key));
  std::string disk_key = variant_key;
  read_disk(r, std::move(disk_key), hash, std::move(variant_key));
  return std::nullopt;
}

std::optional<LookupResult> TieredCache::judge(const LookupRequest& r, storage::EntryRef e, Tier tier,
                                               std::string variant_key) {
  const purge::Validity validity = verdict(e, tier);
  if (validity == purge::Validity::Invalid) return reclaimed(std::move(variant_key));
  LookupResult result = nothing_stored(std::move(variant_key));
  result.tier = tier;
  // Promotion on the first disk hit: SIEVE soon demotes an object that is not hit again, so a
  // one-off promotion costs little, and a second-hit rule would make every object pay a second
  // disk read after a restart.
  if (tier == Tier::Disk) memory_.insert(e);
  if (validity == purge::Validity::Stale) result.verdict = Verdict::SoftPurged;
  else result.verdict = entry_timing(e->meta(), r.now).ttl > 0 ? Verdict::Fresh : Verdict::Stale;
  result.entry = std::move(e);
  return result;
}

// A miss for a key the disk never held skips the read (and two thread hops).
bool TieredCache::may_be_on_disk(std::string_view key) const {
  return disk_ && filter_->may_contain(storage::disk_key(key));
}

struct TieredCache::Pending {
  LookupRequest request;
  std::string variant_key;  // "" while looking for the URL's own entry
};

// The read runs on a reader thread; its answer is handed back to the caller's loop.
void TieredCache::read_disk(const LookupRequest& r, std::string key, std::uint64_t hash, std::string variant_key) {
  auto pending = std::make_shared<Pending>(Pending{r, std::move(variant_key)});
  disk_->lookup(std::move(key), hash, [this, pending](storage::EntryRef e) {
    LoopPoster* loop = pending->request.loop;
    loop->post([this, pending, e = std::move(e)]() mutable {
      const LookupRequest& req = pending->request;
      if (req.alive.expired()) return;  // the request went away while we were reading
      std::optional<LookupResult> result;
      if (pending->variant_key.empty()) {
        result = e ? after_url_entry(req, std::move(e), Tier::Disk) : nothing_stored();
      } else {
        result = e ? judge(req, std::move(e), Tier::Disk, std::move(pending->variant_key))
                   : nothing_stored(std::move(pending->variant_key));
      }
      if (result) req.waiter->on_lookup(std::move(*result));
    });
  });
}

purge::Validity TieredCache::verdict(const storage::EntryRef& e, Tier tier) {
  const std::uint64_t last = versions_.last_purge_seq();
  const purge::Validity v = purge::entry_verdict(versions_, {e->meta().birth_seq, e->checked_seq(), e->key(), e->tags()});
  switch (v) {
    case purge::Validity::Valid:
      if (e->checked_seq() < last) e->set_checked_seq(last);
      break;
    case purge::Validity::Stale:
      purge_metrics_.stale_entries_met.fetch_add(1, std::memory_order_relaxed);
      break;
    case purge::Validity::Invalid:
      // Reclaim it now: it can never be served again.
      purge_metrics_.invalid_entries_met.fetch_add(1, std::memory_order_relaxed);
      if (tier == Tier::Disk) disk_->erase(std::string(e->key()));
      else memory_.erase(e->hash(), e->key(), e.get());
      break;
  }
  return v;
}

bool TieredCache::publish(const storage::EntryRef& entry, const storage::CacheKey& url, std::string_view vary) {
  if (!vary.empty()) {
    storage::EntryRef marker = vary_marker(url, vary, entry->meta(), entry->tags());
    to_disk(marker);
    memory_.insert(std::move(marker));
  }
  to_disk(entry);
  return memory_.insert(entry);
}

void TieredCache::to_disk(const storage::EntryRef& e) {
  if (!disk_) return;
  filter_->add(storage::disk_key(e->key()));
  disk_->store(e);  // asynchronous, batched: never blocks the loop
}

storage::EntryRef TieredCache::vary_marker(const storage::CacheKey& url, std::string_view vary,
                                           const storage::EntryMeta& meta, std::span<const std::uint64_t> tags) const {
  storage::EntryMeta m = meta;
  m.flags = storage::kEntryVaryMarker;
  return storage::Entry::create(url.text, url.primary, vary, {}, m, tags);
}

std::unique_ptr<storage::LargeObjectWriter> TieredCache::begin_large(std::string_view key) {
  return disk_ ? disk_->begin_large(std::string(key)) : nullptr;
}

void TieredCache::published_large(std::string_view key, const storage::CacheKey& url, std::string_view vary,
                                  const storage::EntryMeta& meta, std::span<const std::uint64_t> tags) {
  filter_->add(storage::disk_key(key));
  if (vary.empty()) return;
  storage::EntryRef marker = vary_marker(url, vary, meta, tags);
  to_disk(marker);
  memory_.insert(std::move(marker));
}

void TieredCache::read_large(const storage::Entry& entry, std::uint64_t offset, std::uint64_t len,
                             std::function<void(std::optional<std::string>)> done) {
  disk_->read_large_range(entry, offset, len, std::move(done));
}

}  // namespace lacquer::cache
