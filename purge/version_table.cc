#include "purge/version_table.h"

#include <algorithm>

namespace lacquer::purge {

std::string_view to_string(Scope s) noexcept {
  switch (s) {
    case Scope::Global: return "all";
    case Scope::Url: return "url";
    case Scope::Tag: return "tag";
    case Scope::Prefix: return "prefix";
  }
  return "?";
}

VersionTable::VersionTable() = default;

std::uint64_t VersionTable::slot_key(Scope scope, std::uint64_t key) noexcept {
  // Different scopes must not share a slot even when their hashes coincide.
  std::uint64_t x = key ^ (static_cast<std::uint64_t>(scope) * 0x9e3779b97f4a7c15ull);
  x ^= x >> 31;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 29;
  return x;
}

void VersionTable::write(Scope scope, std::uint64_t key, bool soft, std::uint64_t seq) {
  if (scope == Scope::Global) {
    auto& v = soft ? global_soft_ : global_hard_;
    if (v.load(std::memory_order_relaxed) < seq) v.store(seq, std::memory_order_release);
    return;
  }
  std::uint64_t k = slot_key(scope, key);
  Shard& s = shard(k);
  std::unique_lock lock(s.mu);
  Versions& v = s.map[k];
  std::uint64_t& slot = soft ? v.soft : v.hard;
  slot = std::max(slot, seq);
}

PurgeRecord VersionTable::apply(Scope scope, std::uint64_t key, bool soft) {
  std::lock_guard lock(purge_mu_);
  std::uint64_t seq = counter_.load(std::memory_order_relaxed) + 1;
  counter_.store(seq, std::memory_order_release);
  write(scope, key, soft, seq);
  RecentSlot& slot = recent_[seq % kRecent];
  slot.seq.store(0, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  slot.key.store(scope == Scope::Global ? 0 : key, std::memory_order_relaxed);
  slot.scope_soft.store(static_cast<std::uint8_t>(static_cast<unsigned>(scope) << 1 | (soft ? 1u : 0u)),
                        std::memory_order_relaxed);
  slot.seq.store(seq, std::memory_order_release);
  last_purge_.store(seq, std::memory_order_release);  // after the version: see the header
  return PurgeRecord{scope, scope == Scope::Global ? 0 : key, soft, seq};
}

void VersionTable::restore(const PurgeRecord& r) {
  std::lock_guard lock(purge_mu_);
  write(r.scope, r.key, r.soft, r.seq);
  if (counter_.load(std::memory_order_relaxed) < r.seq) counter_.store(r.seq, std::memory_order_release);
  if (last_purge_.load(std::memory_order_relaxed) < r.seq) last_purge_.store(r.seq, std::memory_order_release);
}

void VersionTable::restore_counter(std::uint64_t seq) {
  std::lock_guard lock(purge_mu_);
  if (counter_.load(std::memory_order_relaxed) < seq) counter_.store(seq, std::memory_order_release);
}

bool VersionTable::recent(std::uint64_t from, std::uint64_t to, std::span<PurgeRecord> out) const {
  if (to < from || to - from > out.size() || to - from > kRecent) return false;
  for (std::uint64_t seq = from + 1; seq <= to; ++seq)
    if (!recent_record(seq, out[seq - from - 1])) return false;
  return true;
}

Versions VersionTable::get(Scope scope, std::uint64_t key) const {
  if (scope == Scope::Global)
    return {global_hard_.load(std::memory_order_acquire), global_soft_.load(std::memory_order_acquire)};
  std::uint64_t k = slot_key(scope, key);
  const Shard& s = shard(k);
  std::shared_lock lock(s.mu);
  auto it = s.map.find(k);
  return it == s.map.end() ? Versions{} : it->second;
}

std::size_t VersionTable::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::shared_lock lock(s.mu);
    n += s.map.size();
  }
  return n;
}

std::size_t VersionTable::forget_older_than(std::uint64_t floor) {
  // Raise the floor before dropping anything, so no reader checks against a hole.
  if (forgotten_below_.load(std::memory_order_relaxed) < floor) forgotten_below_.store(floor, std::memory_order_release);
  std::size_t dropped = 0;
  for (auto& s : shards_) {
    std::unique_lock lock(s.mu);
    dropped += std::erase_if(s.map, [floor](const auto& kv) {
      return kv.second.hard <= floor && kv.second.soft <= floor;
    });
  }
  return dropped;
}

}  // namespace lacquer::purge
