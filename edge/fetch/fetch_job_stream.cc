// FetchJob's subscriber side: joining, waking subscribers on their own loops, and handing each
// the body bytes it has not taken yet (flow control: the job keeps only what the slowest one
// still needs when it is not storing the whole body).
#include <algorithm>

#include "edge/fetch/fetch_job.h"

namespace lacquer::edge {

bool FetchJob::subscribe(const std::shared_ptr<FetchSubscription>& sub) {
  std::lock_guard lock(mu_);
  if (state_ == FetchState::Failed || body_base_ > 0 || body_broken_) return false;
  if (state_ == FetchState::Streaming && !head_.shareable) return false;
  subs_.push_back(sub);
  return true;
}

FetchState FetchJob::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

storage::EntryRef FetchJob::refreshed() const {
  std::lock_guard lock(mu_);
  return refreshed_;
}

void FetchJob::pull_interim(FetchSubscription& sub, std::string& out) {
  std::lock_guard lock(mu_);
  if (sub.interim_offset >= interim_.size()) return;
  out.append(interim_, sub.interim_offset);
  sub.interim_offset = interim_.size();
}

void FetchJob::wake_subscribers() {
  std::vector<std::shared_ptr<FetchSubscription>> live;
  {
    std::lock_guard lock(mu_);
    std::erase_if(subs_, [&](const std::weak_ptr<FetchSubscription>& w) {
      auto s = w.lock();
      if (!s) return true;
      live.push_back(std::move(s));
      return false;
    });
  }
  for (auto& s : live) {
    if (s->loop == &ctx_.loop) {
      if (s->listener) s->listener->on_fetch_progress();
      continue;
    }
    if (s->wake_pending.exchange(true)) continue;  // one wake-up in flight is enough
    std::weak_ptr<FetchSubscription> weak = s;
    s->loop->post([weak] {
      auto sub = weak.lock();
      if (!sub) return;
      sub->wake_pending.store(false);
      if (sub->listener) sub->listener->on_fetch_progress();
    });
  }
  // Nobody is listening and nothing will be stored: the rest of the response is of no use.
  if (live.empty() && !storing_ && !finished_ && state() != FetchState::Waiting) {
    fetch_.reset();
    finish();
  }
}

void FetchJob::pull(FetchSubscription& sub, std::size_t max, BodySink& out, bool& ended, bool& broken) {
  std::size_t n = 0;
  {
    std::lock_guard lock(mu_);
    const std::uint64_t end = body_base_ + body_.size();
    if (sub.offset < body_base_) sub.offset = body_base_;  // cannot happen for a subscriber from the start
    n = static_cast<std::size_t>(std::min<std::uint64_t>(end - sub.offset, max));
    if (n > 0) {
      out.write_body(std::string_view(body_).substr(static_cast<std::size_t>(sub.offset - body_base_), n));
      sub.offset += n;
    }
    ended = body_complete_ && sub.offset == end;
    broken = body_broken_ && sub.offset == end;
  }
  if (n == 0) return;
  if (sub.loop == &ctx_.loop) {
    after_pull();
    return;
  }
  std::weak_ptr<FetchJob> weak = weak_from_this();
  ctx_.loop.post([weak] {
    if (auto job = weak.lock()) job->after_pull();
  });
}

void FetchJob::after_pull() {
  std::size_t buffered;
  {
    std::lock_guard lock(mu_);
    if (!keep_whole_body_) {
      std::uint64_t lowest = body_base_ + body_.size();
      for (const auto& w : subs_)
        if (auto s = w.lock()) lowest = std::min(lowest, s->offset);
      if (lowest > body_base_) {
        body_.erase(0, static_cast<std::size_t>(lowest - body_base_));
        body_base_ = lowest;
      }
    }
    buffered = body_.size();
  }
  if (paused_ && buffered < kStreamWindow / 2) {
    paused_ = false;
    resume_if_unpaused();
  }
}

}  // namespace lacquer::edge
