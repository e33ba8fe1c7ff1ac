#include "storage/memory_tier.h"

#include <algorithm>

#include "storage/frequency_sketch.h"

namespace lacquer::storage {

namespace {
// The list links are fields of the entry (its SieveNode base); the shard lock guards them.
SieveNode* node_of(const Entry* e) { return const_cast<Entry*>(e); }
const Entry* entry_of(SieveNode* n) { return static_cast<const Entry*>(n); }
}  // namespace

struct MemoryTier::Shard {
  std::mutex mu;
  std::unordered_map<std::uint64_t, const Entry*> index;  // owns one reference per entry
  SieveList sieve;
  std::unique_ptr<FrequencySketch> sketch;  // lookups per key; null without admission
  std::uint64_t bytes = 0;
  std::atomic<std::uint64_t> objects_relaxed{0};
  std::atomic<std::uint64_t> bytes_relaxed{0};

  // Precondition: mu held. Unlinks and returns the entry (its index reference transfers out).
  const Entry* unlink(std::unordered_map<std::uint64_t, const Entry*>::iterator it) {
    const Entry* e = it->second;
    index.erase(it);
    sieve.remove(node_of(e));
    bytes -= e->charged_bytes();
    return e;
  }
  // Precondition: mu held. The least counted of the next `sampled` SIEVE victims (the hand stops
  // at the first; the others are the next unvisited entries after it), or nullptr when empty.
  const Entry* least_counted_victim(int sampled, std::uint32_t& count) {
    SieveNode* first = sieve.victim();
    if (!first) return nullptr;
    const Entry* best = entry_of(first);
    count = sketch->estimate(best->hash());
    int seen = 1;
    for (SieveNode* n = first->newer; n && seen < sampled && count > 0; n = n->newer) {
      if (n->visited.load(std::memory_order_relaxed)) continue;
      ++seen;
      const Entry* e = entry_of(n);
      if (const std::uint32_t c = sketch->estimate(e->hash()); c < count) {
        best = e;
        count = c;
      }
    }
    return best;
  }
  void publish_counts() {
    objects_relaxed.store(index.size(), std::memory_order_relaxed);
    bytes_relaxed.store(bytes, std::memory_order_relaxed);
  }
};

MemoryTier::MemoryTier(std::uint64_t budget_bytes, std::size_t shard_count)
    : MemoryTier(budget_bytes, MemoryTierOptions{.shards = shard_count}) {}

MemoryTier::MemoryTier(std::uint64_t budget_bytes, const MemoryTierOptions& options)
    : budget_(budget_bytes), options_(options) {
  const std::size_t shard_count = std::max<std::size_t>(1, options.shards);
  // Sketch width over all shards: bounded so a tiny budget still counts and a huge one stays
  // small (at most 4 x 4M bytes).
  const std::uint64_t counters =
      std::clamp<std::uint64_t>(budget_bytes / std::max<std::uint64_t>(1, options.budget_bytes_per_counter),
                                std::uint64_t{1} << 12, std::uint64_t{1} << 22);
  shards_.reserve(shard_count);
  for (std::size_t i = 0; i < shard_count; ++i) {
    shards_.push_back(std::make_unique<Shard>());
    if (options.admission) shards_.back()->sketch = std::make_unique<FrequencySketch>(counters / shard_count);
  }
}

MemoryTier::~MemoryTier() {
  for (auto& s : shards_)
    for (auto& [hash, e] : s->index) e->release();
}

MemoryTier::Shard& MemoryTier::shard_for(std::uint64_t hash) {
  // High bits pick the shard; the map uses all bits.
  return *shards_[(hash >> 40) % shards_.size()];
}

EntryRef MemoryTier::lookup(std::uint64_t hash, std::string_view key) {
  Shard& s = shard_for(hash);
  std::lock_guard lock(s.mu);
  if (s.sketch) s.sketch->add(hash);  // hits and misses alike: admission weighs request counts
  auto it = s.index.find(hash);
  if (it == s.index.end() || it->second->key() != key) return {};
  SieveList::touch(node_of(it->second));
  return EntryRef::share(it->second);
}

bool MemoryTier::insert(EntryRef entry) {
  const Entry* e = entry.leak();
  const auto size = static_cast<std::int64_t>(e->charged_bytes());
  // A large object's entry holds only a descriptor of a body that lives on disk (large_object.h).
  if (static_cast<std::uint64_t>(size) > budget_ || (e->meta().flags & kEntryLarge)) {
    e->release();
    return false;
  }
  Shard& s = shard_for(e->hash());
  if (options_.admission && !(e->meta().flags & kEntryVaryMarker) &&
      bytes_.load(std::memory_order_relaxed) + size > static_cast<std::int64_t>(budget_)) {
    bool replacing;
    {
      std::lock_guard lock(s.mu);
      replacing = s.index.count(e->hash()) != 0;  // a refresh of what is stored: always taken
    }
    if (!replacing && !admit(e->hash())) {
      e->release();
      return false;
    }
  }
  const Entry* replaced = nullptr;
  {
    std::lock_guard lock(s.mu);
    auto it = s.index.find(e->hash());
    if (it != s.index.end()) replaced = s.unlink(it);
    s.index.emplace(e->hash(), e);
    s.sieve.insert(node_of(e));
    s.bytes += e->charged_bytes();
    s.publish_counts();
  }
  std::int64_t delta = size - (replaced ? static_cast<std::int64_t>(replaced->charged_bytes()) : 0);
  bytes_.fetch_add(delta, std::memory_order_relaxed);
  inserts_.fetch_add(1, std::memory_order_relaxed);
  if (replaced) replaced->release();
  evict_to_budget();
  return true;
}

bool MemoryTier::admit(std::uint64_t hash) {
  std::uint32_t newcomer;
  {
    Shard& s = shard_for(hash);
    std::lock_guard lock(s.mu);
    newcomer = s.sketch->estimate(hash);
  }
  // The victim comes from the shard the eviction hand points at (without moving the hand: a
  // refused newcomer leaves the same victim for the next one, as in TinyLFU).
  const std::size_t n = shards_.size();
  const std::size_t first = evict_hand_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) {
    Shard& v = *shards_[(first + i) % n];
    const Entry* victim = nullptr;
    {
      std::lock_guard lock(v.mu);
      std::uint32_t count = 0;
      const Entry* candidate = v.least_counted_victim(options_.victims_sampled, count);
      if (!candidate) continue;  // an empty shard: look at the next one
      if (newcomer <= count) {
        rejected_.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
      // Counted less than the newcomer: evicted to make room. Bigger newcomers may need more
      // room; evict_to_budget() takes it from SIEVE as usual.
      victim = v.unlink(v.index.find(candidate->hash()));
      v.publish_counts();
    }
    evict_hand_.store(first + i + 1, std::memory_order_relaxed);
    bytes_.fetch_sub(static_cast<std::int64_t>(victim->charged_bytes()), std::memory_order_relaxed);
    evictions_.fetch_add(1, std::memory_order_relaxed);
    victim->release();
    break;
  }
  admitted_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void MemoryTier::evict_to_budget() {
  const std::size_t n = shards_.size();
  std::size_t empty_in_a_row = 0;
  while (bytes_.load(std::memory_order_relaxed) > static_cast<std::int64_t>(budget_) && empty_in_a_row < n) {
    Shard& s = *shards_[evict_hand_.fetch_add(1, std::memory_order_relaxed) % n];
    const Entry* victim = nullptr;
    {
      std::lock_guard lock(s.mu);
      if (SieveNode* node = s.sieve.evict()) {
        victim = entry_of(node);
        s.index.erase(victim->hash());
        s.bytes -= victim->charged_bytes();
        s.publish_counts();
      }
    }
    if (!victim) {
      ++empty_in_a_row;
      continue;
    }
    empty_in_a_row = 0;
    bytes_.fetch_sub(static_cast<std::int64_t>(victim->charged_bytes()), std::memory_order_relaxed);
    evictions_.fetch_add(1, std::memory_order_relaxed);
    victim->release();
  }
}

bool MemoryTier::erase(std::uint64_t hash, std::string_view key, const Entry* expected) {
  const Entry* removed = nullptr;
  Shard& s = shard_for(hash);
  {
    std::lock_guard lock(s.mu);
    auto it = s.index.find(hash);
    if (it == s.index.end() || it->second->key() != key) return false;
    if (expected && it->second != expected) return false;
    removed = s.unlink(it);
    s.publish_counts();
  }
  bytes_.fetch_sub(static_cast<std::int64_t>(removed->charged_bytes()), std::memory_order_relaxed);
  removed->release();
  return true;
}

std::size_t MemoryTier::collect(std::size_t shard, std::size_t cursor, std::size_t max,
                               std::vector<EntryRef>& out) {
  Shard& s = *shards_[shard];
  std::lock_guard lock(s.mu);
  const std::size_t buckets = s.index.bucket_count();
  std::size_t taken = 0;
  for (; cursor < buckets && taken < max; ++cursor) {
    for (auto it = s.index.begin(cursor); it != s.index.end(cursor); ++it, ++taken)
      out.push_back(EntryRef::share(it->second));
  }
  return cursor >= buckets ? 0 : cursor;
}

MemoryTierStats MemoryTier::stats() const {
  MemoryTierStats st;
  for (const auto& s : shards_) {
    st.objects += s->objects_relaxed.load(std::memory_order_relaxed);
    st.bytes += s->bytes_relaxed.load(std::memory_order_relaxed);
  }
  st.evictions = evictions_.load(std::memory_order_relaxed);
  st.inserts = inserts_.load(std::memory_order_relaxed);
  st.admitted = admitted_.load(std::memory_order_relaxed);
  st.rejected = rejected_.load(std::memory_order_relaxed);
  return st;
}

std::uint64_t MemoryTier::sketch_bytes() const {
  std::uint64_t total = 0;
  for (const auto& s : shards_)
    if (s->sketch) total += s->sketch->memory_bytes();
  return total;
}

}  // namespace lacquer::storage
