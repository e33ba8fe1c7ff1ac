// The request state machine for proxied requests (Varnish's CNT_Request, Pingora's
// CachePhase). Each step is a small method that moves to the next phase; the phases that wait
// on I/O (Fetch) suspend and are resumed by origin callbacks on the same loop thread.
//
//   Recv ─▶ Lookup ─┬─▶ Hit ─▶ Done
//                   ├─▶ DiskLookup (suspends on a RocksDB read) ─┬─▶ Hit (promoted) ─▶ Done
//                   │                                            └─▶ Miss
//                   └─▶ Miss ─▶ Fetch ─▶ Deliver (stream + store) ─▶ Done
//   Recv ─▶ Pass ─▶ Fetch ─▶ Deliver (stream only) ─▶ Done
//   any ─▶ Synth (an error we answer ourselves) ─▶ Done
//
// docs/request-flow.md draws the same chart.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "edge/client_connection.h"
#include "edge/exchange.h"
#include "http/freshness.h"
#include "origin/origin_client.h"
#include "purge/validity.h"
#include "storage/cache_key.h"
#include "storage/entry.h"

namespace lacquer::edge {

enum class Phase : std::uint8_t { Recv, Lookup, DiskLookup, Hit, Miss, Pass, Fetch, Deliver, Synth, Done };
std::string_view to_string(Phase p) noexcept;

class ProxyExchange final : public Exchange, private origin::FetchObserver {
 public:
  explicit ProxyExchange(ClientConnection& conn) : conn_(conn) {}
  ~ProxyExchange() override;
  void start() override;
  void on_output_drained() override;

 private:
  // steps
  void recv();
  void lookup();
  void lookup_disk();
  void on_disk_result(storage::EntryRef entry);
  // Serves `entry` when it is valid and fresh; false when it cannot be used.
  bool try_serve(storage::EntryRef entry, bool from_disk);
  void serve_hit(const storage::EntryRef& entry, std::int64_t age);
  void fetch(bool cacheable);
  void synth(int status, std::string_view detail);
  // FetchObserver
  void on_origin_head(origin::ResponseHead& head) override;
  void on_origin_data(const char* data, std::size_t len) override;
  void on_origin_done() override;
  void on_origin_error(origin::OriginError error, bool head_seen) override;

  http::NoStoreReason decide_storage(const origin::ResponseHead& head);
  void write_client_head(const origin::ResponseHead& head);
  void store_entry();
  purge::Validity check_purges(const storage::Entry& entry);

  ClientConnection& conn_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for callbacks from I/O threads
  Phase phase_ = Phase::Recv;
  bool is_head_ = false;
  bool cacheable_method_ = false;
  bool had_stale_ = false;
  std::optional<storage::CacheKey> key_;
  std::unique_ptr<origin::OriginFetch> fetch_;
  std::int64_t request_time_ = 0;
  std::uint64_t birth_seq_ = 0;
  std::vector<std::uint64_t> tags_;
  std::int64_t response_time_ = 0;
  // what the origin sent, prepared once
  int status_ = 0;
  std::string status_line_;
  std::string fields_;
  // storing
  bool storing_ = false;
  http::NoStoreReason no_store_ = http::NoStoreReason::None;
  std::uint32_t lifetime_s_ = 0;
  std::int64_t corrected_initial_age_ = 0;
  std::string body_;
  // delivery
  bool chunked_out_ = false;
  bool close_delimited_out_ = false;
};

// The main port: PURGE goes to the purge exchange (when allowed), everything else is proxied.
class ProxyExchangeFactory final : public ExchangeFactory {
 public:
  std::unique_ptr<Exchange> create(ClientConnection& conn) override;
};

}  // namespace lacquer::edge
