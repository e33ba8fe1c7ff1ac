// FetchJob's large objects: a storable response over max_object_size is written to the disk
// tier in checksummed chunks while it streams to the subscribers (storage/large_object.h), so it
// is never held whole; the origin is paused while the disk writer has its fill of chunks.
#include "edge/fetch/fetch_job.h"
#include "edge/server/loop_inbox.h"
#include "edge/server/worker.h"
#include "http/serializer.h"
#include "storage/disk_tier.h"
#include "storage/memory_tier.h"
#include "storage/presence_filter.h"

namespace lacquer::edge {

void FetchJob::start_large() {
  if (large_) return;
  large_ = owner_.shared().disk->begin_large(head_.variant_key);
  std::weak_ptr<FetchJob> weak = weak_from_this();
  LoopInbox* inbox = owner_inbox_;
  // Runs on the disk writer thread: hand it to our loop.
  large_->on_ready([weak, inbox] {
    inbox->post([weak] {
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
  auto& shared = owner_.shared();
  if (!large_->commit(meta_, head, tags_)) {
    large_.reset();
    return;
  }
  large_.reset();
  shared.disk_filter->add(storage::disk_key(head_.variant_key));
  if (head_.variant_key.size() != spec_.key.text.size()) {
    storage::EntryMeta mm = meta_;
    mm.flags = storage::kEntryVaryMarker;
    auto marker = storage::Entry::create(spec_.key.text, spec_.key.primary, head_.vary, {}, mm, tags_);
    store_on_disk(marker);
    shared.tier->insert(std::move(marker));
  }
  owner_.metrics().stored.inc();
}

}  // namespace lacquer::edge
