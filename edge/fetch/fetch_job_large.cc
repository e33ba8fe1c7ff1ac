// FetchJob's large objects: a storable response over max_object_size is written to the disk
// tier in checksummed chunks while it streams to the subscribers (storage/large_object.h), so it
// is never held whole; the origin is paused while the disk writer has its fill of chunks.
#include "edge/fetch/fetch_job.h"
#include "http/serializer.h"

namespace lacquer::edge {

void FetchJob::start_large() {
  if (large_) return;
  large_ = ctx_.cache.begin_large(head_.variant_key);
  if (!large_) return;
  std::weak_ptr<FetchJob> weak = weak_from_this();
  cache::LoopPoster* loop = &ctx_.loop;
  // Runs on the disk writer thread: hand it to our loop.
  large_->on_ready([weak, loop] {
    loop->post([weak] {
      if (auto job = weak.lock()) job->on_disk_ready();
    });
  });
}

void FetchJob::append_large(const char* data, std::size_t len) {
  if (large_->append(data, len) || !fetch_ || paused_for_disk_) return;
  paused_for_disk_ = true;  // the bytes were taken; stop reading until the writer catches up
  fetch_->pause();
}

void FetchJob::on_disk_ready() {
  if (!paused_for_disk_) return;
  paused_for_disk_ = false;
  resume_if_unpaused();
}

void FetchJob::resume_if_unpaused() {
  if (fetch_ && !paused_ && !paused_for_disk_) fetch_->resume();
}

// The body is complete: the manifest makes it visible (with the Vary marker when it varies).
void FetchJob::commit_large() {
  std::string head(stored_head_.empty() ? head_.head : stored_head_);
  http::append_header(head, "Content-Length", large_->bytes());
  const bool committed = large_->commit(meta_, head, tags_);
  large_.reset();
  if (!committed) return;
  ctx_.cache.published_large(head_.variant_key, spec_.key, head_.vary, meta_, tags_);
  ctx_.metrics.stored.inc();
}

}  // namespace lacquer::edge
