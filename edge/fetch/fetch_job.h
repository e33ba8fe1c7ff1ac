// One origin fetch, shared (the Fetch of fetch.h). A job sends one request to the origin, decides
// whether the response may be stored, keeps its body while it arrives, publishes it to the cache
// when complete, and lets any number of subscribers (exchanges on any worker) stream the same
// response as it comes in. Coalescing (inflight.h) makes every concurrent miss for a URL
// subscribe to one job; a background revalidation is a job with no subscriber at all.
//
// Ownership: a job is owned through shared_ptr by itself while its origin fetch runs (self_,
// dropped in finish()) and by each subscribing exchange while it is subscribed. Nothing else owns
// it: the inflight table holds it weakly, the owner loop's FetchContext::running lists it by
// plain pointer until finish(), and subscriptions are held weakly by the job.
//
// Threading: the job runs on its owner's loop (origin callbacks, storing). Subscribers on other
// loops read its state and body under its mutex and are woken through their LoopPoster. The
// head (FetchHead) is written once, before state() leaves Waiting, and is read-only afterwards.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "edge/fetch/fetch.h"
#include "edge/fetch/fetch_context.h"
#include "http/cache_control.h"
#include "http/freshness.h"
#include "http/message.h"
#include "origin/origin_client.h"
#include "storage/cache_key.h"
#include "storage/entry.h"
#include "storage/large_object.h"

namespace lacquer::edge {

class FetchJob final : public Fetch, public std::enable_shared_from_this<FetchJob>, private origin::FetchObserver {
 public:
  // Starts the fetch on the context's loop (the caller's thread). Registered jobs must already be
  // in the inflight table (see InflightTable::register_job) before start().
  static std::shared_ptr<FetchJob> create(FetchContext& context, FetchRequest request);
  void start();
  ~FetchJob() override;

  bool subscribe(const std::shared_ptr<FetchSubscription>& sub) override;
  FetchState state() const override;
  const FetchHead& head() const override { return head_; }
  storage::EntryRef refreshed() const override;
  origin::OriginError error() const override { return error_; }
  void pull(FetchSubscription& sub, std::size_t max, BodySink& out, bool& ended, bool& broken) override;
  void pull_interim(FetchSubscription& sub, std::string& out) override;
  origin::UpgradedConnection take_upgraded() override;
  const storage::CacheKey& key() const { return spec_.key; }

  // A job that was never started gives its request back, no longer registered (it lost the race
  // to register and will run alone).
  FetchRequest unregistered_request() &&;

  // Owner loop only: stop the fetch (worker shutdown).
  void cancel();

 private:
  FetchJob(FetchContext& context, FetchRequest request);
  // Bytes a job that is not storing keeps for its slowest subscriber before it stops reading the
  // origin (flow control for pass-through and oversized responses).
  static constexpr std::size_t kStreamWindow = 1u << 20;
  // FetchObserver
  void on_origin_head(origin::ResponseHead& head) override;
  void on_origin_interim(std::string_view raw_head) override;
  void on_origin_upgrade(origin::ResponseHead& head, origin::UpgradedConnection conn) override;
  void on_origin_data(const char* data, std::size_t len) override;
  void on_origin_done() override;
  void on_origin_error(origin::OriginError error, bool head_seen) override;

  void prepare_head(origin::ResponseHead& head);
  // In job_variants.cc: RFC 9111 §4.1 secondary keys and §4.3.4 freshening with a 304.
  void prepare_variant(std::span<const http::Header> response_headers);
  void refresh_from_304(const origin::ResponseHead& head);
  http::CachePolicy cache_policy() const;
  void fill_meta(int status, std::uint32_t lifetime);
  std::uint32_t fetch_ms_so_far() const;
  void take_surrogate_keys(std::span<const http::Header> headers);
  void invalidate_after_unsafe(const origin::ResponseHead& head);
  void store_entry();
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

  FetchContext& ctx_;
  FetchRequest spec_;
  std::shared_ptr<FetchJob> self_;  // keeps a running job alive with no subscriber
  std::unique_ptr<origin::OriginFetch> fetch_;
  std::uint64_t birth_seq_ = 0;
  std::int64_t request_time_ = 0;
  std::int64_t response_time_ = 0;
  std::int64_t request_ms_ = 0;  // when the request went out, for the entry's fetch_ms
  // decided at the head (owner loop only)
  http::ResponseFacts facts_;
  storage::EntryMeta meta_;
  std::vector<std::uint64_t> tags_;
  bool storing_ = false;
  bool paused_ = false;           // the slowest subscriber is a window behind
  bool paused_for_disk_ = false;  // the large-object writer has enough chunks in flight
  std::unique_ptr<storage::LargeObjectWriter> large_;
  bool finished_ = false;
  FetchHead head_;
  std::string stored_head_;  // head_.head without private="..." / no-cache="..." fields, when any
  origin::OriginError error_ = origin::OriginError::Reset;

  mutable std::mutex mu_;
  FetchState state_ = FetchState::Waiting;
  std::vector<std::weak_ptr<FetchSubscription>> subs_;
  std::string interim_;            // 1xx responses received so far, as received
  std::string body_;               // bytes [body_base_, body_base_ + body_.size())
  std::uint64_t body_base_ = 0;    // bytes dropped from the front (only when not storing)
  bool keep_whole_body_ = false;   // storing, or could still be (mirrors storing_ under mu_)
  bool body_complete_ = false;
  bool body_broken_ = false;
  storage::EntryRef refreshed_;
  origin::UpgradedConnection upgraded_;  // a 101: the origin connection until the tunnel takes it
};

}  // namespace lacquer::edge
