// SIEVE eviction (Zhang et al., NSDI '24): a FIFO queue plus one "visited" bit per object and a
// hand that walks from the oldest object towards the newest. A hit only sets the bit (no list
// movement, so a hit needs no write to shared list pointers); eviction clears bits as the hand
// passes and evicts the first object whose bit is clear. It beats LRU on web cache traces and is
// simpler than S3-FIFO.
//
// Threading: a SieveList is owned by one memory-tier shard and used under that shard's lock,
// except touch(), which is a relaxed atomic store and may be called from any thread.
#pragma once

#include <atomic>
#include <cstddef>

namespace lacquer::storage {

struct SieveNode {
  SieveNode* newer = nullptr;  // towards the head (most recently inserted)
  SieveNode* older = nullptr;  // towards the tail (oldest)
  std::atomic<bool> visited{false};
};

class SieveList {
 public:
  // Inserts at the head (newest).
  void insert(SieveNode* n) noexcept;
  // Unlinks a node (an entry replaced or erased), keeping the hand valid.
  void remove(SieveNode* n) noexcept;
  // Marks a hit.
  static void touch(SieveNode* n) noexcept { n->visited.store(true, std::memory_order_relaxed); }
  // Chooses and unlinks the next victim; nullptr when empty.
  SieveNode* evict() noexcept;
  // Chooses the next victim without unlinking it (the hand stops on it, its bit clear), so an
  // admission policy can weigh it against a newcomer first; remove() it to evict it. nullptr
  // when empty.
  SieveNode* victim() noexcept;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  SieveNode* head_ = nullptr;  // newest
  SieveNode* tail_ = nullptr;  // oldest
  SieveNode* hand_ = nullptr;  // next candidate; nullptr means start at the tail
  std::size_t size_ = 0;
};

}  // namespace lacquer::storage
