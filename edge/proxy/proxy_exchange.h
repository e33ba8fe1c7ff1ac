// The request state machine for proxied requests (Varnish's CNT_Request, Pingora's
// CachePhase). Each step is a small method that moves to the next phase; the phases that wait
// on I/O suspend and are resumed by callbacks on the same loop thread.
//
//   Recv ─▶ Lookup ─┬─▶ Hit (fresh, or stale within max-stale / stale-while-revalidate) ─▶ Done
//                   ├─▶ DiskLookup (suspends on a RocksDB read) ─▶ back to the same choices
//                   └─▶ Miss ─▶ Fetch: join the URL's running job (collapsed) or lead a new one,
//                               conditional when a stale entry has validators
//                             ─▶ Deliver (stream as it arrives), or Hit on a 304 refresh,
//                                or stale-if-error when the origin fails ─▶ Done
//   Recv ─▶ Pass ─▶ Fetch ─▶ Deliver (stream only; success of an unsafe method invalidates) ─▶ Done
//   any ─▶ Synth (an error we answer ourselves) ─▶ Done
//
// docs/request-flow.md draws the same chart. The origin side is edge/fetch_job.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "http/cache_status.h"
#include "edge/http1/client_connection.h"
#include "edge/http1/exchange.h"
#include "edge/fetch/fetch_job.h"
#include "http/cache_control.h"
#include "origin/origin_client.h"
#include "purge/validity.h"
#include "storage/cache_key.h"
#include "storage/entry.h"

namespace lacquer::edge {

enum class Phase : std::uint8_t { Recv, Lookup, DiskLookup, Hit, Miss, Pass, Fetch, Deliver, Synth, Done };
std::string_view to_string(Phase p) noexcept;

class ProxyExchange final : public Exchange, private JobListener {
 public:
  explicit ProxyExchange(ClientConnection& conn) : conn_(conn) {}
  ~ProxyExchange() override;
  void start() override;
  void on_output_drained() override;

 private:
  // ---- proxy_exchange.cc: recv and lookup ----
  void recv();
  void lookup();
  bool maybe_on_disk(std::string_view key_text) const;
  void lookup_disk(std::string key, std::uint64_t hash, bool variant);
  void on_disk_result(storage::EntryRef entry, bool variant);
  // A stored URL entry was found: a Vary marker leads on to the variant, a response is used.
  void on_found(storage::EntryRef entry, bool from_disk);
  void consider(storage::EntryRef entry, bool from_disk);
  purge::Validity check_purges(const storage::Entry& entry);
  std::string variant_key_for(std::string_view vary) const;
  // ---- proxy_hit.cc: answers made from a stored entry ----
  void serve_entry(const storage::EntryRef& entry, http::CacheStatus cs);
  void serve_plain(const storage::Entry& e, std::int64_t age, const http::CacheStatus& cs);
  bool serve_conditional_or_range(const storage::Entry& e, std::int64_t age, const http::CacheStatus& cs);
  void write_not_modified(std::string_view head, std::int64_t age, const http::CacheStatus& cs);
  bool answer_preconditions_on_miss(const JobHead& h, const http::CacheStatus& cs);
  // ---- proxy_large.cc: large objects, read from the disk tier window by window ----
  void serve_large(const storage::EntryRef& entry, std::int64_t age, const http::CacheStatus& cs);
  void read_next_large();
  void on_large_bytes(std::optional<std::string> bytes);
  // ---- proxy_fetch.cc: the miss path ----
  void miss(std::string_view why);
  void pass();
  void lead(bool may_store, bool registered);
  void refresh_in_background(const storage::EntryRef& stale);
  JobSpec make_spec(bool may_store, bool registered, const storage::EntryRef& revalidating) const;
  void subscribe_to(std::shared_ptr<FetchJob> job, bool collapsed);
  void on_job_progress() override;
  void deliver_head(const JobHead& h);
  http::CacheStatus miss_status(const JobHead& h) const;
  void deliver_body();
  bool serve_stale_on_error(int origin_status, std::string_view why);
  void on_fetch_failed(origin::OriginError error);
  void detach();
  void done(bool keep_alive);
  void synth(int status, std::string_view detail);

  ClientConnection& conn_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for callbacks from I/O threads
  Phase phase_ = Phase::Recv;
  bool is_head_ = false;
  bool cacheable_method_ = false;
  std::optional<storage::CacheKey> key_;
  http::CacheControl client_cc_;
  bool client_has_cc_ = false;
  bool pragma_no_cache_ = false;
  bool client_conditional_ = false;  // If-* or Range: the hit needs more than the stored bytes
  // lookup
  std::string variant_key_;          // the URL has a Vary marker: the key of this request's variant
  storage::EntryRef stale_;          // stored, but not usable fresh: validators, stale-if-error
  std::string_view fwd_ = "miss";    // Cache-Status fwd= for what goes to the origin
  // fetch
  std::shared_ptr<FetchJob> job_;
  std::shared_ptr<JobSubscription> sub_;
  bool collapsed_ = false;           // subscribed to another request's job
  // delivery
  bool head_written_ = false;
  bool chunked_out_ = false;
  bool close_delimited_out_ = false;
  // a large object being sent
  storage::EntryRef large_;
  std::uint64_t large_next_ = 0;
  std::uint64_t large_end_ = 0;
  bool large_reading_ = false;
};

// The main port: PURGE goes to the purge exchange (when allowed), everything else is proxied.
class ProxyExchangeFactory final : public ExchangeFactory {
 public:
  std::unique_ptr<Exchange> create(ClientConnection& conn) override;
};

}  // namespace lacquer::edge
