// The version table: purges as versions, never as walks over stored objects.
//
// Sequence model
// --------------
// One process-wide counter issues sequence numbers. A purge takes the next number s and records
// it as the hard (or soft) version of its scope: a tag, a URL (primary key hash, so every Vary
// variant), a path prefix, or the global scope. Every stored entry carries its birth sequence:
// the counter's value when its origin request was SENT (not when the response was stored). An
// entry is invalid when any scope it belongs to has a hard version above its birth, and stale
// when the same holds for a soft version. A purge that lands while a fetch is in flight
// therefore invalidates what that fetch brings back: the fetch's birth is below the purge.
//
// Concurrency
// -----------
// Purges are rare and serialised by one mutex: take the number, write the scope's version,
// then publish the number as last_purge_seq (release). Readers (hits, on any worker thread)
// first compare an entry's "checked up to" sequence with last_purge_seq (acquire): equal means
// no purge happened since the entry was last found valid, and the hit needs nothing else. Only
// after a purge does a hit look its scopes up, each under a shard's shared lock.
// Because a purge publishes its number only after its version is written, a reader that sees
// last_purge_seq = s also sees every version <= s.
//
// Recent purges: the last kRecent purges are also kept in a ring (a seqlock per slot). An entry
// checked up to c needs only the purges numbered c+1..last: when they are still in the ring it
// compares those few records with its own scopes (Varnish's ban list, but bounded) instead of
// looking up every one of its scopes. A storm of purges then costs a hit one comparison per new
// purge, not a table lookup per tag.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <unordered_map>

namespace lacquer::purge {

enum class Scope : std::uint8_t { Global = 0, Url = 1, Tag = 2, Prefix = 3 };
std::string_view to_string(Scope s) noexcept;

struct Versions {
  std::uint64_t hard = 0;  // sequence of the last hard purge of this scope
  std::uint64_t soft = 0;  // sequence of the last soft purge
};

struct PurgeRecord {
  Scope scope = Scope::Global;
  std::uint64_t key = 0;  // tag hash, URL primary hash, prefix hash; 0 for Global
  bool soft = false;
  std::uint64_t seq = 0;
};

class VersionTable {
 public:
  VersionTable();

  // Birth sequence for an origin request being sent now.
  std::uint64_t current_seq() const noexcept { return counter_.load(std::memory_order_acquire); }
  // Sequence of the newest purge applied (0 when none).
  std::uint64_t last_purge_seq() const noexcept { return last_purge_.load(std::memory_order_acquire); }

  // Applies a purge now and returns it with its sequence number.
  PurgeRecord apply(Scope scope, std::uint64_t key, bool soft);
  // Restores a persisted purge at start-up (before any worker runs).
  void restore(const PurgeRecord& record);
  // Restores the counter at start-up, so sequence numbers never repeat across restarts.
  void restore_counter(std::uint64_t seq);

  Versions get(Scope scope, std::uint64_t key) const;

  static constexpr std::size_t kRecent = 256;
  // Copies the purges numbered from+1..to into out[0..to-from) and returns true, or returns
  // false when some of them have left the ring (or to - from > out.size()): check in full then.
  bool recent(std::uint64_t from, std::uint64_t to, std::span<PurgeRecord> out) const;
  // The purge numbered `seq` while the ring still holds it; false once it was overwritten. The
  // hit path reads the few purges after an entry's check one by one, without copying a window.
  bool recent_record(std::uint64_t seq, PurgeRecord& out) const noexcept {
    const RecentSlot& slot = recent_[seq % kRecent];
    if (slot.seq.load(std::memory_order_acquire) != seq) return false;
    const std::uint64_t key = slot.key.load(std::memory_order_relaxed);
    const std::uint8_t ss = slot.scope_soft.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (slot.seq.load(std::memory_order_relaxed) != seq) return false;  // overwritten meanwhile
    out = PurgeRecord{static_cast<Scope>(ss >> 1), key, (ss & 1) != 0, seq};
    return true;
  }
  std::size_t size() const;
  // Forgets versions at or below `floor` (they cannot invalidate an entry born at or after it,
  // since invalid means version > birth) to keep the table bounded, and remembers the floor:
  // an entry born below it that has not been checked since can no longer be checked against
  // what was forgotten, so the lookup treats it as invalid (a miss, never a wrong hit).
  // Returns how many were dropped.
  std::size_t forget_older_than(std::uint64_t floor);
  std::uint64_t forgotten_below() const noexcept { return forgotten_below_.load(std::memory_order_acquire); }

 private:
  static constexpr std::size_t kShards = 32;
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<std::uint64_t, Versions> map;  // key: mixed(scope, key)
  };
  static std::uint64_t slot_key(Scope scope, std::uint64_t key) noexcept;
  Shard& shard(std::uint64_t k) { return shards_[k % kShards]; }
  const Shard& shard(std::uint64_t k) const { return shards_[k % kShards]; }
  void write(Scope scope, std::uint64_t key, bool soft, std::uint64_t seq);

  std::mutex purge_mu_;
  std::atomic<std::uint64_t> counter_{0};
  std::atomic<std::uint64_t> last_purge_{0};
  std::atomic<std::uint64_t> global_hard_{0};
  std::atomic<std::uint64_t> global_soft_{0};
  std::atomic<std::uint64_t> forgotten_below_{0};
  struct RecentSlot {
    std::atomic<std::uint64_t> seq{0};  // 0 while being written
    std::atomic<std::uint64_t> key{0};
    std::atomic<std::uint8_t> scope_soft{0};  // scope << 1 | soft
  };
  std::array<RecentSlot, kRecent> recent_;
  std::array<Shard, kShards> shards_;
};

}  // namespace lacquer::purge
