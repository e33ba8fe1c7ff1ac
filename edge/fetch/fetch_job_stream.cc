// FetchJob's subscriber side: joining, waking subscribers on their own loops, and handing each
// the body bytes it has not taken yet (flow control: the job keeps only what the slowest one
// still needs when it is not storing the whole body).
#include <event2/buffer.h>

#include <algorithm>

#include "edge/fetch/fetch_job.h"
#include "edge/server/loop_inbox.h"
#include "http/serializer.h"

namespace lacquer::edge {

bool FetchJob::subscribe(const std::shared_ptr<JobSubscription>& sub) {
  std::lock_guard lock(mu_);
  if (state_ == JobState::Failed || body_base_ > 0 || body_broken_) return false;
  if (state_ == JobState::Streaming && !head_.shareable) return false;
  subs_.push_back(sub);
  return true;
}

JobState FetchJob::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

storage::EntryRef FetchJob::refreshed() const {
  std::lock_guard lock(mu_);
  return refreshed_;
}

void FetchJob::pull_interim(JobSubscription& sub, evbuffer* out) {
  std::lock_guard lock(mu_);
  if (sub.interim_offset >= interim_.size()) return;
  evbuffer_add(out, interim_.data() + sub.interim_offset, interim_.size() - sub.interim_offset);
  sub.interim_offset = interim_.size();
}

void FetchJob::wake_subscribers() {
  std::vector<std::shared_ptr<JobSubscription>> live;
  {
    std::lock_guard lock(mu_);
    std::erase_if(subs_, [&](const std::weak_ptr<JobSubscription>& w) {
      auto s = w.lock();
      if (!s) return true;
      live.push_back(std::move(s));
      return false;
    });
  }
  for (auto& s : live) {
    if (s->inbox == owner_inbox_) {
      if (s->listener) s->listener->on_job_progress();
      continue;
    }
    if (s->wake_pending.exchange(true)) continue;  // one wake-up in flight is enough
    std::weak_ptr<JobSubscription> weak = s;
    s->inbox->post([weak] {
      auto sub = weak.lock();
      if (!sub) return;
      sub->wake_pending.store(false);
      if (sub->listener) sub->listener->on_job_progress();
    });
  }
  // Nobody is listening and nothing will be stored: the rest of the response is of no use.
  if (live.empty() && !storing_ && !finished_ && state() != JobState::Waiting) {
    fetch_.reset();
    finish();
  }
}

std::size_t FetchJob::pull(JobSubscription& sub, evbuffer* out, std::size_t max, bool chunked, bool& ended,
                           bool& broken) {
  std::size_t n = 0;
  {
    std::lock_guard lock(mu_);
    const std::uint64_t end = body_base_ + body_.size();
    if (sub.offset < body_base_) sub.offset = body_base_;  // cannot happen for a subscriber from the start
    n = static_cast<std::size_t>(std::min<std::uint64_t>(end - sub.offset, max));
    if (n > 0) {
      if (chunked) {
        std::string chunk_head;
        http::append_chunk_header(chunk_head, n);
        evbuffer_add(out, chunk_head.data(), chunk_head.size());
      }
      evbuffer_add(out, body_.data() + (sub.offset - body_base_), n);
      if (chunked) evbuffer_add(out, http::kChunkTrailer.data(), http::kChunkTrailer.size());
      sub.offset += n;
    }
    ended = body_complete_ && sub.offset == end;
    broken = body_broken_ && sub.offset == end;
  }
  if (n > 0) {
    if (sub.inbox == owner_inbox_) {
      after_pull();
    } else {
      std::weak_ptr<FetchJob> weak = weak_from_this();
      owner_inbox_->post([weak] {
        if (auto job = weak.lock()) job->after_pull();
      });
    }
  }
  return n;
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
