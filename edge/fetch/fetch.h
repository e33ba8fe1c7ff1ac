// What the request engine sees of an origin fetch: a Fetch it can subscribe to and stream from,
// and a Fetcher that finds the running fetch for a URL (coalescing) or starts one. The origin
// side is FetchJob (fetch_job.h) behind OriginFetcher (origin_fetcher.h); the engine's unit tests
// put fakes in their place.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conf/routing.h"
#include "edge/fetch/loop_routes.h"
#include "http/cache_control.h"
#include "http/freshness.h"
#include "http/message.h"
#include "origin/origin_client.h"
#include "storage/cache_key.h"
#include "storage/entry.h"

namespace lacquer::cache {
class LoopPoster;
}

namespace lacquer::edge {

// What a fetch needs from the request that started it, copied: the fetch may outlive it.
struct FetchRequest {
  storage::CacheKey key;
  std::string request;          // serialised request to the origin: head, then body
  bool idempotent = false;      // GET/HEAD: one retry on a stale pooled connection
  bool head_request = false;    // HEAD: the response has no body
  bool may_store = false;       // a GET whose response may be stored
  bool unsafe_method = false;   // a success invalidates the target (RFC 9111 §4.4)
  bool registered = false;      // coalesced: listed in the inflight table
  bool has_authorization = false;
  bool upgrade = false;         // the request asks the origin for a protocol upgrade (a tunnel)
  http::CacheControl request_cache_control;
  // The request's fields, for Vary secondary keys: views into request_head, a copy of the head
  // (on the heap, so the views survive moves of the request).
  std::shared_ptr<const std::string> request_head;
  std::vector<http::Header> request_fields;
  storage::EntryRef revalidating;  // the stale entry whose validators the request carries
  // The routing snapshot the request matched its site in: the fetch keeps it, so the policy and
  // the pool stay valid across a reload.
  LoopRoutesPtr routes;
  // The site's cache policy (null: [cache] as it is) and origin pool (an index into
  // routes->pools), both in `routes`.
  const conf::SitePolicy* policy = nullptr;
  std::size_t pool = 0;
  // The site's purge scope (purge/scopes.h: site_scope_hash); 0 without explicit sites.
  std::uint64_t site_scope = 0;
};

class FetchListener {
 public:
  virtual ~FetchListener() = default;
  // Something changed (head, body bytes, end, failure). Runs on the listener's own loop.
  virtual void on_fetch_progress() = 0;
};

// A subscriber's place in a fetch. Owned by the subscriber; the fetch keeps it weakly.
struct FetchSubscription {
  FetchListener* listener = nullptr;  // cleared (on its loop) when the subscriber goes away
  cache::LoopPoster* loop = nullptr;  // the subscriber's loop
  std::uint64_t offset = 0;           // body bytes taken so far (guarded by the fetch's mutex)
  std::size_t interim_offset = 0;     // interim (1xx) bytes taken so far (same)
  std::atomic<bool> wake_pending{false};
};

enum class FetchState : std::uint8_t {
  Waiting,    // no response head yet
  Streaming,  // head known (FetchHead); body arriving or complete
  Refreshed,  // a 304 freshened the stale entry: serve refreshed()
  Failed,     // no usable head: error()
};

// What the origin's head said, prepared for clients.
struct FetchHead {
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
  std::string upgrade;        // a 101: the origin's Upgrade field (the protocol switched to)
};

// Where pulled body bytes go (the client side of an exchange).
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual void write_body(std::string_view bytes) = 0;
};

// One origin fetch as its subscribers see it. Thread-safe: subscribers on any loop.
class Fetch {
 public:
  virtual ~Fetch() = default;
  // Adds a subscriber; false when the fetch can no longer serve a new one from the start.
  virtual bool subscribe(const std::shared_ptr<FetchSubscription>& sub) = 0;
  virtual FetchState state() const = 0;
  virtual const FetchHead& head() const = 0;            // valid once state() != Waiting
  virtual storage::EntryRef refreshed() const = 0;      // valid when state() == Refreshed
  virtual origin::OriginError error() const = 0;        // valid when state() == Failed
  // Hands the body bytes `sub` has not taken yet (at most `max`) to `out`. `ended`: the body is
  // complete and all taken; `broken`: the origin broke off mid-body and all was taken.
  virtual void pull(FetchSubscription& sub, std::size_t max, BodySink& out, bool& ended, bool& broken) = 0;
  // The 1xx interim responses `sub` has not seen yet, appended to `out`.
  virtual void pull_interim(FetchSubscription& sub, std::string& out) = 0;
  // After a 101 head (FetchRequest::upgrade): the origin connection, once, for a tunnel; it is
  // out of the pool for good. Empty for any other fetch, and after the first call.
  virtual origin::UpgradedConnection take_upgraded() { return {}; }
};

// Finds or starts origin fetches for the engine of one loop.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // The coalesced fetch running for `key`, if any.
  virtual std::shared_ptr<Fetch> running(const storage::CacheKey& key) = 0;
  // A recent response for `key` could not be shared: go alone (hit-for-miss).
  virtual bool hit_for_miss(const storage::CacheKey& key, std::int64_t now) = 0;
  // Starts a fetch with `sub` subscribed. A registered (coalesced) request may find another
  // fetch registered meanwhile: then `sub` joins that one and `joined` is set.
  virtual std::shared_ptr<Fetch> start(FetchRequest request, const std::shared_ptr<FetchSubscription>& sub,
                                       bool& joined) = 0;
  // A background refresh nobody waits for (stale-while-revalidate); skipped when a fetch for the
  // URL is already running.
  virtual void refresh(FetchRequest request) = 0;
};

}  // namespace lacquer::edge
