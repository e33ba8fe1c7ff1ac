#include "cache/tiered_cache.h"

#include "cache/entry_timing.h"
#include "http/vary.h"
#include "purge/entry_verdict.h"
#include "storage/disk_tier.h"
#include "storage/large_object.h"
#include "storage/memory_tier.h"
#include "storage/presence_filter.h"

namespace lacquer::cache {
TieredCache::TieredCache(storage::MemoryTier& memory, storage::DiskTier* disk, storage::PresenceFilter* filter,
                         const purge::VersionTable& versions, purge::PurgeMetrics& purge_metrics)
    : memory_(memory), disk_(disk), filter_(filter), versions_(versions), purge_metrics_(purge_metrics) {}

bool TieredCache::lookup(const LookupRequest& r, LookupResult& out) {
  const storage::CacheKey& key = *r.key;
  storage::EntryRef e = memory_.lookup(key.primary, key.text);
  if (e) return after_url_entry(r, std::move(e), Tier::Memory, out);
  if (!may_be_on_disk(key.text)) return true;
  read_disk(r, key.text, key.primary, {});
  return false;
}

// An entry under the URL's key: the response itself, or a Vary marker leading to the variant.
bool TieredCache::after_url_entry(const LookupRequest& r, storage::EntryRef e, Tier tier, LookupResult& out) {
  if (!(e->meta().flags & storage::kEntryVaryMarker)) return judge(std::move(e), tier, r.now, out);
  if (verdict(e, tier) == purge::Validity::Invalid) {
    out.verdict = Verdict::Invalid;
    return true;
  }
  if (tier == Tier::Disk) memory_.insert(e);
  out.variant_key = r.key->text;
  http::append_variant_key(out.variant_key, e->head(), r.fields);
  const std::uint64_t hash = storage::hash_key_text(out.variant_key);
  if (storage::EntryRef v = memory_.lookup(hash, out.variant_key)) return judge(std::move(v), Tier::Memory, r.now, out);
  if (!may_be_on_disk(out.variant_key)) return true;
  read_disk(r, out.variant_key, hash, out.variant_key);
  return false;
}

// A stored response: its purge verdict and freshness. `out.variant_key` is already set.
bool TieredCache::judge(storage::EntryRef e, Tier tier, std::int64_t now, LookupResult& out) {
  out.tier = tier;
  const purge::Validity validity = verdict(e, tier);
  if (validity == purge::Validity::Invalid) {
    out.verdict = Verdict::Invalid;
    return true;
  }
  // Promotion on the first disk hit: SIEVE soon demotes an object that is not hit again, so a
  // one-off promotion costs little, and a second-hit rule would make every object pay a second
  // disk read after a restart.
  if (tier == Tier::Disk) memory_.insert(e);
  if (validity == purge::Validity::Stale) out.verdict = Verdict::SoftPurged;
  else out.verdict = entry_timing(e->meta(), now).ttl > 0 ? Verdict::Fresh : Verdict::Stale;
  out.entry = std::move(e);
  return true;
}

// A miss for a key the disk never held skips the read (and two thread hops).
bool TieredCache::may_be_on_disk(std::string_view key) const {
  return disk_ && filter_->may_contain(storage::disk_key(key));
}

struct TieredCache::Pending {
  LookupRequest request;    // its `alive` is not used once here: `watch` is
  std::weak_ptr<bool> watch;
  std::string variant_key;  // "" while looking for the URL's own entry
};

// The read runs on a reader thread; its answer is handed back to the caller's loop.
void TieredCache::read_disk(const LookupRequest& r, std::string key, std::uint64_t hash, std::string variant_key) {
  auto pending = std::make_shared<Pending>(Pending{r, *r.alive, std::move(variant_key)});
  disk_->lookup(std::move(key), hash, [this, pending](storage::EntryRef e) {
    LoopPoster* loop = pending->request.loop;
    loop->post([this, pending, e = std::move(e)]() mutable {
      const LookupRequest& req = pending->request;
      if (pending->watch.expired()) return;  // the request went away while we were reading
      LookupResult result;
      result.variant_key = std::move(pending->variant_key);
      const bool answered = !e || (result.variant_key.empty() ? after_url_entry(req, std::move(e), Tier::Disk, result)
                                                              : judge(std::move(e), Tier::Disk, req.now, result));
      if (answered) req.waiter->on_lookup(std::move(result));
    });
  });
}

purge::Validity TieredCache::verdict(const storage::EntryRef& e, Tier tier) {
  const std::uint64_t last = versions_.last_purge_seq();
  if (e->checked_seq() >= last) return purge::Validity::Valid;  // the hit path: nothing purged since
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
  if (!disk_ || !disk_->admit(*e.get())) return;  // only what is likely to be read back (disk_admission.h)
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
