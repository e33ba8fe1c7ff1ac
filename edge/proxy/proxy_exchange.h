// The request engine: one ProxyExchange per proxied request, driven by its step (Varnish's
// request FSM, Pingora's CachePhase). run() executes steps until one suspends on I/O or the
// exchange is done; callbacks (the disk lookup, fetch progress, the client draining) record
// what happened and call run() again.
//
//   Recv ─▶ Lookup ─▶ Choose ─┬─▶ Hit ─────────────────────────────────────────▶ Done
//            (may suspend on  │    (a large object: Hit ─▶ Transmit ─▶ Done)
//             a disk read)    └─▶ Miss ─▶ Fetch ─┬─▶ Deliver ─▶ Transmit ─▶ Done
//   Recv ─▶ Pass ─▶ Fetch                        ├─▶ Hit (304 refresh, stale-if-error)
//                                                ├─▶ Fetch again, alone (released)
//                                                ├─▶ Done: a 101, the client side tunnels
//                                                └─▶ Synth ─▶ Done
//   Recv, Miss, Hit ─▶ Synth ─▶ Done
//
// docs/request-flow.md draws the same chart. The exchange is protocol-neutral: it sees the
// client through ClientSide and everything else through EngineContext.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cache/tiered_cache.h"
#include "edge/proxy/client_side.h"
#include "edge/proxy/engine_context.h"
#include "http/cache_status.h"
#include "http/stored_use.h"
#include "storage/cache_key.h"
#include "storage/entry.h"

namespace lacquer::edge {

enum class Step : std::uint8_t { Recv, Lookup, Choose, Hit, Miss, Pass, Fetch, Deliver, Transmit, Synth, Done };
std::string_view to_string(Step s) noexcept;

class ProxyExchange final : public Exchange, private cache::LookupWaiter, private FetchListener {
 public:
  ProxyExchange(ClientSide& client, EngineContext& engine) : client_(client), engine_(engine) {}
  ~ProxyExchange() override;
  void start() override { run(); }
  void on_output_drained() override;
  Step step() const { return step_; }

 private:
  enum class Next : std::uint8_t { Continue, Suspend, Done };
  void run();
  void wake();  // from a callback: run again, or tell the running loop to look again

  // ---- the steps (proxy_exchange.cc: recv, lookup, choose, miss, pass) ----
  Next recv();
  Next lookup();
  Next choose();
  Next miss();
  Next pass();
  // ---- proxy_fetch.cc: fetch, deliver, transmit, synth ----
  Next fetch();
  Next deliver();
  Next transmit();
  Next synth();
  // ---- proxy_hit.cc ----
  Next hit();

  // helpers
  Next to_synth(int status, std::string_view detail);
  Next lead(bool may_store, bool registered);
  Next on_fetch_failed(origin::OriginError error);
  bool stale_on_error(int origin_status);  // true: step_ is Hit with the stale entry
  void refresh_in_background(const storage::EntryRef& stale);
  void maybe_refresh_early(const storage::EntryRef& fresh, std::int64_t ttl_s);
  FetchRequest make_request(bool may_store, bool registered, const storage::EntryRef& revalidating) const;
  http::CacheStatus miss_status(const FetchHead& h) const;
  std::string variant_key_for(std::string_view vary) const;
  std::string_view own_key() const;
  // Every head the engine writes from a stored or fetched response goes through here: the
  // site's response header rules are applied (conf::RoutedSite::response_rules).
  void write_head(const ResponseHead& head);
  void detach();
  Next finish(bool keep_alive);
  Next abort();
  Next tunnel(const FetchHead& h);
  // proxy_hit.cc: answers from a stored entry
  Next serve_plain(const storage::Entry& e, std::int64_t age);
  std::optional<Next> serve_conditional_or_range(const storage::Entry& e, std::int64_t age);
  Next write_not_modified(std::string_view head, std::int64_t age);
  std::optional<Next> preconditions_on_miss(const FetchHead& h);
  // proxy_large.cc: large objects, read from the disk tier window by window
  Next serve_large(std::int64_t age);
  Next transmit_large();

  // cache::LookupWaiter, FetchListener
  void on_lookup(cache::LookupResult result) override;
  void on_fetch_progress() override;

  ClientSide& client_;
  EngineContext& engine_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards answers from other threads
  Step step_ = Step::Recv;
  bool running_ = false;  // inside run()
  bool woken_ = false;    // a callback arrived while running

  // what the request is
  std::optional<storage::CacheKey> key_;
  bool is_head_ = false;
  bool cacheable_method_ = false;
  bool client_conditional_ = false;  // If-* or Range: a hit needs more than the stored bytes
  std::string_view upgrade_;         // the protocol a tunnel-capable client asks the origin for
  http::RequestCacheNeeds needs_;
  // what the cache had
  bool lookup_pending_ = false;
  cache::LookupResult found_;
  storage::EntryRef stale_;          // stored but not usable as is: validators, stale-if-error
  // the origin
  std::string_view fwd_ = "miss";    // Cache-Status fwd= for what goes to the origin
  std::shared_ptr<Fetch> fetch_;
  std::shared_ptr<FetchSubscription> sub_;
  bool collapsed_ = false;           // subscribed to another request's fetch
  // the answer
  storage::EntryRef hit_;            // Hit: the entry to serve
  http::CacheStatus status_;
  int synth_status_ = 0;
  LoopRoutesPtr routes_;  // the routing this request matched its site in (kept across a reload)
  int site_ = -1;         // index into routes_->routing's sites; -1 without routing
  SiteCounters* site_counters_ = nullptr;  // routes_->sites[site_], when counted
  std::string_view synth_detail_;
  std::string synth_detail_text_;    // when the detail is made up at run time
  // a large object being sent (from hit_)
  bool sending_large_ = false;
  std::uint64_t large_next_ = 0;
  std::uint64_t large_end_ = 0;
  bool large_reading_ = false;
};

// The main port: PURGE goes to the purge exchange (when allowed), everything else is proxied.
class ProxyExchangeFactory final : public ExchangeFactory {
 public:
  explicit ProxyExchangeFactory(EngineContext& engine) : engine_(engine) {}
  std::unique_ptr<Exchange> create(ClientSide& client) override;

 private:
  EngineContext& engine_;
};

}  // namespace lacquer::edge
