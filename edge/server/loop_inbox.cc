#include "edge/server/loop_inbox.h"

#include <event2/event.h>

namespace lacquer::edge {

LoopInbox::LoopInbox(event_base* base) {
  event_ = event_new(base, -1, 0, &LoopInbox::on_ready, this);
}

LoopInbox::~LoopInbox() { event_free(event_); }

void LoopInbox::post(std::function<void()> fn) {
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    was_empty = pending_.empty();
    pending_.push_back(std::move(fn));
  }
  if (was_empty) event_active(event_, EV_TIMEOUT, 1);
}

void LoopInbox::on_ready(int, short, void* self) {
  auto* inbox = static_cast<LoopInbox*>(self);
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(inbox->mu_);
    batch.swap(inbox->pending_);
  }
  for (auto& fn : batch) fn();
}

}  // namespace lacquer::edge
