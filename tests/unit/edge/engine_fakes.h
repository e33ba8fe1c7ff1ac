// Fakes for the request engine's unit tests: a client that records what it is sent, a fetcher
// whose fetches the test drives by hand, a clock the test sets and a loop it runs. The cache is
// the real TieredCache over a real memory tier and version table (no disk).
#pragma once

#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cache/tiered_cache.h"
#include "conf/config.h"
#include "edge/proxy/client_side.h"
#include "edge/proxy/engine_context.h"
#include "edge/proxy/proxy_exchange.h"
#include "http/parser.h"
#include "http/serializer.h"
#include "purge/scopes.h"
#include "storage/memory_tier.h"

namespace lacquer::edge::testing {

class FakeClock final : public Clock {
 public:
  std::int64_t t = 1'000'000;
  std::int64_t ms = 0;  // milliseconds past t, for now_ms()
  std::int64_t now() const override { return t; }
  std::int64_t now_ms() const override { return t * 1000 + ms; }
};

class FakeLoop final : public cache::LoopPoster {
 public:
  std::deque<std::function<void()>> queue;
  void post(std::function<void()> fn) override { queue.push_back(std::move(fn)); }
  void run() {
    while (!queue.empty()) {
      auto fn = std::move(queue.front());
      queue.pop_front();
      fn();
    }
  }
};

class FakeClient final : public ClientSide {
 public:
  explicit FakeClient(std::string raw) {
    request_.raw = std::move(raw);
    std::vector<http::Header> scratch(32);
    auto p = http::parse_request_head(request_.raw, scratch, http::ParseLimits{});
    REQUIRE(p.status == http::ParseStatus::Complete);
    request_.line = p.line;
    request_.headers.assign(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(p.header_count));
  }
  const Request& request() const override { return request_; }
  std::string_view peer_ip() const override { return "192.0.2.1"; }
  void write_interim(std::string_view raw) override { interim.append(raw); }
  void write_head(const ResponseHead& h) override {
    head.assign(h.fields).append(h.extra);
    framing = h.framing;
    heads++;
  }
  void write_body(std::string_view bytes) override { body.append(bytes); }
  void write_stored_body(const storage::Entry&, std::string_view bytes) override { body.append(bytes); }
  std::size_t writable_bytes() const override { return 1 << 20; }
  bool keep_alive() const override { return true; }
  void finish(bool ka) override {
    finished = true;
    kept_alive = ka;
  }
  void abort() override { aborted = true; }
  bool can_tunnel() const override { return tunnel_capable; }
  void start_tunnel(const ResponseHead& h, std::string_view protocol, origin::UpgradedConnection origin) override {
    head.assign(h.fields).append(h.extra);
    tunnel_protocol = protocol;
    tunnel_origin = std::move(origin);
  }

  bool tunnel_capable = false;  // an HTTP/1.1 connection; an HTTP/2 stream is not
  std::string tunnel_protocol;
  origin::UpgradedConnection tunnel_origin;
  std::string interim, head, body;
  BodyFraming framing = BodyFraming::None;
  int heads = 0;
  bool finished = false, kept_alive = false, aborted = false;

 private:
  Request request_;
};

// A fetch the test moves along: set a head or a failure, add body bytes, then notify().
class FakeFetch final : public Fetch {
 public:
  FetchState state_ = FetchState::Waiting;
  FetchHead head_;
  storage::EntryRef refreshed_;
  origin::OriginError error_ = origin::OriginError::Refused;
  std::string body;
  bool complete = false;
  std::vector<std::shared_ptr<FetchSubscription>> subs;

  bool subscribe(const std::shared_ptr<FetchSubscription>& sub) override {
    subs.push_back(sub);
    return true;
  }
  FetchState state() const override { return state_; }
  const FetchHead& head() const override { return head_; }
  storage::EntryRef refreshed() const override { return refreshed_; }
  origin::OriginError error() const override { return error_; }
  void pull(FetchSubscription& sub, std::size_t max, BodySink& out, bool& ended, bool& broken) override {
    const std::size_t n = std::min<std::size_t>(max, body.size() - sub.offset);
    out.write_body(std::string_view(body).substr(sub.offset, n));
    sub.offset += n;
    ended = complete && sub.offset == body.size();
    broken = false;
  }
  void pull_interim(FetchSubscription&, std::string&) override {}
  origin::UpgradedConnection upgraded;
  origin::UpgradedConnection take_upgraded() override { return std::move(upgraded); }
  void notify() {
    for (auto& s : subs)
      if (s->listener) s->listener->on_fetch_progress();
  }
  // An origin answer: status line and fields ("HTTP/1.1 200 OK\r\n..."), stored or not.
  void answer(std::string fields, std::string b, bool stored, std::uint32_t lifetime = 60) {
    head_.status = std::stoi(fields.substr(9, 3));
    head_.head = std::move(fields);
    head_.content_length = b.size();
    head_.stored = stored;
    head_.shareable = stored;
    head_.lifetime_s = lifetime;
    body = std::move(b);
    complete = true;
    state_ = FetchState::Streaming;
    notify();
  }
};

class FakeFetcher final : public Fetcher {
 public:
  std::shared_ptr<FakeFetch> running_fetch;  // what running() reports
  bool hit_for_miss_marked = false;
  std::vector<FetchRequest> started;         // every start(), in order
  std::vector<std::shared_ptr<FakeFetch>> fetches;
  std::vector<FetchRequest> refreshed;

  std::shared_ptr<Fetch> running(const storage::CacheKey&) override { return running_fetch; }
  bool hit_for_miss(const storage::CacheKey&, std::int64_t) override { return hit_for_miss_marked; }
  std::shared_ptr<Fetch> start(FetchRequest request, const std::shared_ptr<FetchSubscription>& sub,
                               bool& joined) override {
    joined = false;
    started.push_back(std::move(request));
    auto f = std::make_shared<FakeFetch>();
    f->subscribe(sub);
    fetches.push_back(f);
    return f;
  }
  void refresh(FetchRequest request) override { refreshed.push_back(std::move(request)); }
};

// The engine with fakes around a real memory-only TieredCache.
struct Engine {
  conf::Config config;
  storage::MemoryTier memory{64 << 20};
  purge::VersionTable versions;
  purge::PurgeMetrics purge_metrics;
  cache::TieredCache cache{memory, nullptr, nullptr, versions, purge_metrics};
  FakeFetcher fetcher;
  FakeLoop loop;
  FakeClock clock;
  WorkerMetrics metrics;
  EngineContext context{cache, fetcher, loop, clock, config, metrics, "1.1 lacquer/test"};

  // Stores a response for http://example.com<path> as the fetch job would have.
  storage::EntryRef store(std::string_view path, std::string head, std::string_view body, std::uint32_t lifetime,
                          std::uint32_t swr = 0, std::uint32_t sie = 0, std::int64_t age = 0) {
    auto key = *storage::make_cache_key("example.com", path);
    storage::EntryMeta m;
    m.response_time = clock.t - age;
    m.lifetime_s = lifetime;
    m.stale_while_revalidate_s = swr;
    m.stale_if_error_s = sie;
    m.status = 200;
    m.birth_seq = versions.current_seq();
    http::append_header(head, "Content-Length", static_cast<std::uint64_t>(body.size()));
    auto e = storage::Entry::create(key.text, key.primary, head, body, m);
    cache.publish(e, key, {});
    return e;
  }

  [[nodiscard]] std::unique_ptr<ProxyExchange> run(FakeClient& client) {
    auto ex = std::make_unique<ProxyExchange>(client, context);
    ex->start();
    loop.run();
    return ex;
  }
};

inline std::string get(std::string_view path, std::string_view more_fields = {}) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: example.com\r\n" + std::string(more_fields) + "\r\n";
}

}  // namespace lacquer::edge::testing
