#include "storage/sieve.h"

namespace lacquer::storage {

void SieveList::insert(SieveNode* n) noexcept {
  n->visited.store(false, std::memory_order_relaxed);
  n->older = head_;
  n->newer = nullptr;
  if (head_) head_->newer = n;
  head_ = n;
  if (!tail_) tail_ = n;
  ++size_;
}

void SieveList::remove(SieveNode* n) noexcept {
  if (hand_ == n) hand_ = n->newer;  // the hand keeps moving towards the head
  if (n->newer) n->newer->older = n->older; else head_ = n->older;
  if (n->older) n->older->newer = n->newer; else tail_ = n->newer;
  n->newer = n->older = nullptr;
  --size_;
}

SieveNode* SieveList::victim() noexcept {
  if (!tail_) return nullptr;
  SieveNode* cur = hand_ ? hand_ : tail_;
  // Terminates: each visited node passed has its bit cleared, so a second pass finds a victim.
  while (cur->visited.load(std::memory_order_relaxed)) {
    cur->visited.store(false, std::memory_order_relaxed);
    cur = cur->newer ? cur->newer : tail_;
  }
  hand_ = cur;
  return cur;
}

SieveNode* SieveList::evict() noexcept {
  SieveNode* cur = victim();
  if (cur) remove(cur);  // moves the hand on to the next newer node
  return cur;
}

}  // namespace lacquer::storage
