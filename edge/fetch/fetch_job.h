// One origin fetch, shared. A job sends one request to the origin, decides whether the response
// may be stored, keeps its body while it arrives, stores it when complete, and lets any number
// of subscribers (client exchanges on any worker) stream the same response as it comes in.
// Coalescing (edge/inflight.h) makes every concurrent miss for a URL subscribe to one job; a
// background revalidation (stale-while-revalidate) is a job with no subscriber at all.
//
// Threading: the job runs on its owner worker's loop (origin callbacks, storing). Subscribers on
// other loops read its state and body under its mutex and are woken through their LoopInbox.
// What the head tells (JobHead) is written once, before state() leaves Waiting, and is read-only
// afterwards.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "http/cache_control.h"
#include "http/freshness.h"
#include "http/message.h"
#include "origin/origin_client.h"
#include "storage/cache_key.h"
#include "storage/entry.h"
#include "storage/large_object.h"

struct evbuffer;

namespace lacquer::edge {

class LoopInbox;
class Worker;

// What the job needs from the request that started it, copied: the job may outlive it.
struct JobSpec {
  storage::CacheKey key;
  std::string request;          // serialised request to the origin: head, then body
  bool idempotent = false;      // GET/HEAD: one retry on a stale pooled connection
  bool head_request = false;    // HEAD: the response has no body
  bool may_store = false;       // a GET whose response may be stored
  bool unsafe_method = false;   // a success invalidates the target (RFC 9111 §4.4)
  bool registered = false;      // coalesced: listed in the inflight table
  bool has_authorization = false;
  http::CacheControl request_cache_control;
  // The request's fields, for Vary secondary keys: views into request_head, a copy of the head
  // (on the heap, so the views survive moves of the spec).
  std::shared_ptr<const std::string> request_head;
  std::vector<http::Header> request_fields;
  storage::EntryRef revalidating;  // the stale entry whose validators the request carries
};

class JobListener {
 public:
  virtual ~JobListener() = default;
  // Something changed (head, body bytes, end, failure). Runs on the listener's own loop.
  virtual void on_job_progress() = 0;
};

// A subscriber's place in a job. Owned by the subscriber; the job keeps it weakly.
struct JobSubscription {
  JobListener* listener = nullptr;  // cleared (on its loop) when the subscriber goes away
  LoopInbox* inbox = nullptr;       // the subscriber's loop
  std::uint64_t offset = 0;         // body bytes taken so far (guarded by the job's mutex)
  std::size_t interim_offset = 0;   // interim (1xx) bytes taken so far (same)
  std::atomic<bool> wake_pending{false};
};

enum class JobState : std::uint8_t {
  Waiting,    // no response head yet
  Streaming,  // head known (JobHead); body arriving or complete
  Refreshed,  // a 304 freshened the stale entry: serve refreshed()
  Failed,     // no usable head: error()
};

// What the origin's head said, prepared for clients.
struct JobHead {
  int status = 0;
  std::string head;           // status line + end-to-end fields + Via, without framing or Age
  std::string origin_age;     // the origin's Age value, if any
  std::optional<std::uint64_t> content_length;
  bool stored = false;        // it is being stored (unless the body turns out too large)
  bool shareable = false;     // other requests may use this response (stored, or only too large)
  http::NoStoreReason no_store = http::NoStoreReason::None;
  std::uint32_t lifetime_s = 0;
  std::string vary;           // serialised Vary field names ("" when none)
  std::string variant_key;    // the key the response is stored under (with Vary: + secondary key)
};

class FetchJob final : public std::enable_shared_from_this<FetchJob>, private origin::FetchObserver {
 public:
  // Starts the fetch on `owner`'s loop (the caller's thread). Registered jobs must already be in
  // the inflight table (see InflightTable::register_job) before start().
  static std::shared_ptr<FetchJob> create(Worker& owner, JobSpec spec);
  void start();
  ~FetchJob() override;

  // Adds a subscriber; false when the job can no longer serve a new one from the start.
  bool subscribe(const std::shared_ptr<JobSubscription>& sub);
  JobState state() const;
  const JobHead& head() const { return head_; }  // valid once state() != Waiting
  storage::EntryRef refreshed() const;           // valid when state() == Refreshed
  origin::OriginError error() const { return error_; }
  std::uint64_t birth_seq() const { return birth_seq_; }

  // Copies the body bytes `sub` has not taken yet (at most `max`) into `out`, as one chunk when
  // `chunked`. Returns the byte count; `ended` tells whether the body is complete and all taken,
  // `broken` whether the origin broke off mid-body.
  std::size_t pull(JobSubscription& sub, evbuffer* out, std::size_t max, bool chunked, bool& ended,
                   bool& broken);

  // Copies the 1xx interim responses `sub` has not seen yet into `out`.
  void pull_interim(JobSubscription& sub, evbuffer* out);

  // Owner loop only: stop the fetch (worker shutdown).
  void cancel();

 private:
  FetchJob(Worker& owner, JobSpec spec);
  // Bytes a job that is not storing keeps for its slowest subscriber before it stops reading the
  // origin (flow control for pass-through and oversized responses).
  static constexpr std::size_t kStreamWindow = 1u << 20;
  // FetchObserver
  void on_origin_head(origin::ResponseHead& head) override;
  void on_origin_interim(std::string_view raw_head) override;
  void on_origin_data(const char* data, std::size_t len) override;
  void on_origin_done() override;
  void on_origin_error(origin::OriginError error, bool head_seen) override;

  void prepare_head(origin::ResponseHead& head);
  // In job_variants.cc: RFC 9111 §4.1 secondary keys and §4.3.4 freshening with a 304.
  void prepare_variant(std::span<const http::Header> response_headers);
  void refresh_from_304(const origin::ResponseHead& head);
  http::CachePolicy cache_policy() const;
  void fill_meta(int status, std::uint32_t lifetime);
  void take_surrogate_keys(std::span<const http::Header> headers);
  void invalidate_after_unsafe(const origin::ResponseHead& head);
  void store_entry();
  void store_on_disk(const storage::EntryRef& entry);
  void finish();
  void wake_subscribers();
  // Owner loop: after subscribers took bytes, drop what every one of them has, and resume the
  // origin when the backlog is small again.
  void after_pull();
  void stop_storing(http::NoStoreReason why);
  // Large objects (over max_object_size): written to the disk tier in chunks as they stream
  // (storage/large_object.h), never held whole. In fetch_job_large.cc.
  void start_large();
  void append_large(const char* data, std::size_t len);
  void commit_large();
  void on_disk_ready();
  void resume_if_unpaused();

  Worker& owner_;
  LoopInbox* owner_inbox_;
  JobSpec spec_;
  std::shared_ptr<FetchJob> self_;  // keeps a running job alive with no subscriber
  std::unique_ptr<origin::OriginFetch> fetch_;
  std::uint64_t birth_seq_ = 0;
  std::int64_t request_time_ = 0;
  std::int64_t response_time_ = 0;
  // decided at the head (owner loop only)
  http::ResponseFacts facts_;
  storage::EntryMeta meta_;
  std::vector<std::uint64_t> tags_;
  bool storing_ = false;
  bool paused_ = false;           // the slowest subscriber is a window behind
  bool paused_for_disk_ = false;  // the large-object writer has enough chunks in flight
  std::unique_ptr<storage::LargeObjectWriter> large_;
  bool finished_ = false;
  JobHead head_;
  std::string stored_head_;  // head_.head without private="..." / no-cache="..." fields, when any
  origin::OriginError error_ = origin::OriginError::Reset;

  mutable std::mutex mu_;
  JobState state_ = JobState::Waiting;
  std::vector<std::weak_ptr<JobSubscription>> subs_;
  std::string interim_;            // 1xx responses received so far, as received
  std::string body_;               // bytes [body_base_, body_base_ + body_.size())
  std::uint64_t body_base_ = 0;    // bytes dropped from the front (only when not storing)
  bool keep_whole_body_ = false;   // storing, or could still be (mirrors storing_ under mu_)
  bool body_complete_ = false;
  bool body_broken_ = false;
  storage::EntryRef refreshed_;
};

}  // namespace lacquer::edge
