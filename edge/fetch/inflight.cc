#include "edge/fetch/inflight.h"

#include <iterator>

namespace lacquer::edge {

InflightTable::Slot* InflightTable::Shard::find(std::uint64_t hash, std::string_view key) {
  auto [it, end] = slots.equal_range(hash);
  for (; it != end; ++it)
    if (it->second.key == key) return &it->second;
  return nullptr;
}

void InflightTable::Shard::drop_if_empty(std::uint64_t hash, std::string_view key, std::int64_t now) {
  auto [it, end] = slots.equal_range(hash);
  for (; it != end; ++it) {
    if (it->second.key != key) continue;
    if (it->second.job.expired() && it->second.hit_for_miss_until <= now) slots.erase(it);
    return;
  }
}

std::shared_ptr<FetchJob> InflightTable::find(std::uint64_t hash, std::string_view key) {
  Shard& s = shard_for(hash);
  std::lock_guard lock(s.mu);
  Slot* slot = s.find(hash, key);
  return slot ? slot->job.lock() : nullptr;
}

std::shared_ptr<FetchJob> InflightTable::register_job(std::uint64_t hash, std::string_view key,
                                                      const std::shared_ptr<FetchJob>& job) {
  Shard& s = shard_for(hash);
  std::lock_guard lock(s.mu);
  Slot* slot = s.find(hash, key);
  if (!slot) {
    if (s.slots.size() >= kMaxSlotsPerShard) {
      for (auto it = s.slots.begin(); it != s.slots.end();)
        it = it->second.job.expired() ? s.slots.erase(it) : std::next(it);
    }
    slot = &s.slots.emplace(hash, Slot{std::string(key), {}, 0})->second;
  }
  if (auto running = slot->job.lock()) return running;
  slot->job = job;
  return job;
}

void InflightTable::unregister(std::uint64_t hash, std::string_view key, const FetchJob* job) {
  Shard& s = shard_for(hash);
  std::lock_guard lock(s.mu);
  Slot* slot = s.find(hash, key);
  if (!slot) return;
  auto running = slot->job.lock();
  if (running && running.get() != job) return;
  slot->job.reset();
  if (slot->hit_for_miss_until == 0) s.drop_if_empty(hash, key, 0);
}

void InflightTable::mark_hit_for_miss(std::uint64_t hash, std::string_view key, std::int64_t until) {
  Shard& s = shard_for(hash);
  std::lock_guard lock(s.mu);
  Slot* slot = s.find(hash, key);
  if (!slot) {
    if (s.slots.size() >= kMaxSlotsPerShard) return;  // bounded: a marker is only an optimisation
    slot = &s.slots.emplace(hash, Slot{std::string(key), {}, 0})->second;
  }
  slot->hit_for_miss_until = until;
}

void InflightTable::clear_hit_for_miss(std::uint64_t hash, std::string_view key) {
  Shard& s = shard_for(hash);
  std::lock_guard lock(s.mu);
  if (Slot* slot = s.find(hash, key)) {
    slot->hit_for_miss_until = 0;
    s.drop_if_empty(hash, key, 0);
  }
}

bool InflightTable::hit_for_miss(std::uint64_t hash, std::string_view key, std::int64_t now) {
  Shard& s = shard_for(hash);
  std::lock_guard lock(s.mu);
  Slot* slot = s.find(hash, key);
  if (!slot || slot->hit_for_miss_until == 0) return false;
  if (slot->hit_for_miss_until > now) return true;
  slot->hit_for_miss_until = 0;
  s.drop_if_empty(hash, key, now);
  return false;
}

std::size_t InflightTable::jobs() const {
  std::size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    for (const auto& [h, slot] : s.slots) n += !slot.job.expired();
  }
  return n;
}

}  // namespace lacquer::edge
