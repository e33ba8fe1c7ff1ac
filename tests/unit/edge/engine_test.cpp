// The request flow with fakes (edge/proxy/proxy_exchange.h): a fake client, a fake fetcher whose
// fetches the test drives, a fake clock, over the real memory-only tiered cache. Each case pins
// one path of docs/request-flow.md and what the client is told about it (Cache-Status).
#include <catch2/catch.hpp>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "engine_fakes.h"
#include "http/vary.h"

using namespace lacquer;
using namespace lacquer::edge;
using namespace lacquer::edge::testing;

namespace {

bool has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

const char* kHead = "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Type: text/plain\r\n";

}  // namespace

TEST_CASE("a fresh entry is a hit: Age and ttl from the clock, no origin fetch") {
  Engine e;
  e.store("/a", kHead, "hello", 100, 0, 0, /*age*/ 10);
  FakeClient client(get("/a"));
  auto ex = e.run(client);
  CHECK(client.finished);
  CHECK(has(client.head, "Age: 10\r\n"));
  CHECK(has(client.head, "Cache-Status: lacquer; hit; ttl=90\r\n"));
  CHECK(client.body == "hello");
  CHECK(e.fetcher.started.empty());
  CHECK(ex->step() == Step::Done);
  CHECK(e.metrics.hits.get() == 1);
}

TEST_CASE("a HEAD is answered from the stored GET, without a body") {
  Engine e;
  e.store("/a", kHead, "hello", 100);
  FakeClient client("HEAD /a HTTP/1.1\r\nHost: example.com\r\n\r\n");
  auto ex_client = e.run(client);
  CHECK(client.finished);
  CHECK(client.framing == BodyFraming::None);
  CHECK(has(client.head, "Content-Length: 5\r\n"));
  CHECK(client.body.empty());
}

TEST_CASE("a miss leads a registered, storable fetch and streams what it brings") {
  Engine e;
  FakeClient client(get("/new"));
  auto ex = e.run(client);
  REQUIRE(e.fetcher.started.size() == 1);
  CHECK(e.fetcher.started[0].registered);
  CHECK(e.fetcher.started[0].may_store);
  CHECK(client.heads == 0);
  CHECK(ex->step() == Step::Fetch);  // suspended, waiting for the origin
  e.fetcher.fetches[0]->answer("HTTP/1.1 200 OK\r\n", "fresh body", true, 60);
  CHECK(client.finished);
  CHECK(has(client.head, "Cache-Status: lacquer; fwd=miss; fwd-status=200; stored; ttl=60\r\n"));
  CHECK(has(client.head, "Content-Length: 10\r\n"));
  CHECK(client.body == "fresh body");
}

TEST_CASE("stale-while-revalidate: the stale copy at once, one background refresh with the validators") {
  Engine e;
  e.store("/swr", kHead, "old", 10, /*swr*/ 60, 0, /*age*/ 20);
  FakeClient client(get("/swr"));
  auto ex_client = e.run(client);
  CHECK(client.finished);
  CHECK(has(client.head, "Cache-Status: lacquer; hit; ttl=-10; detail=stale-while-revalidate\r\n"));
  CHECK(client.body == "old");
  REQUIRE(e.fetcher.refreshed.size() == 1);
  CHECK(e.fetcher.refreshed[0].revalidating);
  CHECK(has(e.fetcher.refreshed[0].request, "If-None-Match: \"v1\"\r\n"));
  CHECK(e.fetcher.started.empty());
}

TEST_CASE("early refresh: a fresh hit near expiry is served at once and starts one background refresh") {
  Engine e;
  e.config.cache.early_refresh = true;
  e.config.cache.early_refresh_beta = 1.0;
  e.config.cache.early_refresh_min_delta_ms = 100;
  e.context.draws = cache::UniformDraws(42);
  e.store("/hot", kHead, "hot", 10, 0, 0, /*age*/ 9);
  e.clock.ms = 990;  // 10 ms of freshness left: exp(-10/100) = 0.9 per hit
  int served = 0;
  for (int i = 0; i < 20 && e.fetcher.refreshed.empty(); ++i) {
    FakeClient client(get("/hot"));
    auto ex = e.run(client);
    CHECK(client.finished);
    CHECK(has(client.head, "Cache-Status: lacquer; hit; ttl=1\r\n"));
    CHECK(client.body == "hot");
    ++served;
  }
  REQUIRE(e.fetcher.refreshed.size() == 1);
  CHECK(e.fetcher.refreshed[0].revalidating);  // conditional: the entry has an ETag
  CHECK(has(e.fetcher.refreshed[0].request, "If-None-Match: \"v1\"\r\n"));
  CHECK(e.fetcher.started.empty());
  CHECK(e.metrics.early_refreshes.get() == 1);
  // While that refresh runs, further hits near expiry start no other.
  e.fetcher.running_fetch = std::make_shared<FakeFetch>();
  for (int i = 0; i < 20; ++i) {
    FakeClient client(get("/hot"));
    auto ex = e.run(client);
    CHECK(client.body == "hot");
  }
  CHECK(e.fetcher.refreshed.size() == 1);
  CHECK(e.metrics.early_refreshes.get() == 1);
}

TEST_CASE("early refresh: never while expiry is far, and never when switched off") {
  Engine e;
  e.context.draws = cache::UniformDraws(7);
  e.config.cache.early_refresh_min_delta_ms = 100;
  SECTION("far from expiry") {
    e.config.cache.early_refresh = true;
    e.store("/far", kHead, "x", 100, 0, 0, 10);
    for (int i = 0; i < 200; ++i) {
      FakeClient client(get("/far"));
      auto ex = e.run(client);
    }
  }
  SECTION("off (the default), even a millisecond before expiry") {
    e.store("/off", kHead, "x", 10, 0, 0, 9);
    e.clock.ms = 999;
    for (int i = 0; i < 200; ++i) {
      FakeClient client(get("/off"));
      auto ex = e.run(client);
    }
  }
  SECTION("beta 0") {
    e.config.cache.early_refresh = true;
    e.config.cache.early_refresh_beta = 0;
    e.store("/zero", kHead, "x", 10, 0, 0, 9);
    e.clock.ms = 999;
    for (int i = 0; i < 200; ++i) {
      FakeClient client(get("/zero"));
      auto ex = e.run(client);
    }
  }
  CHECK(e.fetcher.refreshed.empty());
  CHECK(e.metrics.early_refreshes.get() == 0);
  CHECK(e.metrics.hits.get() == 200);
}

TEST_CASE("stale-if-error: an origin that fails gets the stale copy served") {
  Engine e;
  e.store("/sie", kHead, "old", 10, 0, /*sie*/ 60, /*age*/ 20);
  FakeClient client(get("/sie"));
  auto ex_client = e.run(client);
  REQUIRE(e.fetcher.started.size() == 1);
  CHECK(e.fetcher.started[0].revalidating);  // a conditional request for the stale entry
  auto& f = *e.fetcher.fetches[0];
  f.state_ = FetchState::Failed;
  f.notify();
  CHECK(client.finished);
  CHECK(has(client.head, "Cache-Status: lacquer; fwd=stale; ttl=-10; detail=stale-if-error\r\n"));
  CHECK(client.body == "old");
}

TEST_CASE("stale-if-error also covers a 5xx from the origin; past the allowance the error goes through") {
  SECTION("within the allowance") {
    Engine e;
    e.store("/sie", kHead, "old", 10, 0, 60, 20);
    FakeClient client(get("/sie"));
    auto ex_client = e.run(client);
    e.fetcher.fetches[0]->answer("HTTP/1.1 503 Service Unavailable\r\n", "down", false);
    CHECK(has(client.head, "fwd=stale; fwd-status=503; ttl=-10; detail=stale-if-error"));
    CHECK(client.body == "old");
  }
  SECTION("past it") {
    Engine e;
    e.store("/sie", kHead, "old", 10, 0, 5, 20);
    FakeClient client(get("/sie"));
    auto ex_client = e.run(client);
    e.fetcher.fetches[0]->answer("HTTP/1.1 503 Service Unavailable\r\n", "down", false);
    CHECK(client.head.starts_with("HTTP/1.1 503"));
    CHECK(client.body == "down");
  }
}

TEST_CASE("a failed origin with nothing stored is a 502 (a timeout a 504) made by us") {
  Engine e;
  FakeClient client(get("/down"));
  auto ex_client = e.run(client);
  auto& f = *e.fetcher.fetches[0];
  f.state_ = FetchState::Failed;
  f.error_ = origin::OriginError::Timeout;
  f.notify();
  CHECK(client.head.starts_with("HTTP/1.1 504"));
  CHECK(has(client.head, "Cache-Status: lacquer; fwd=miss; detail=origin-timeout"));
}

TEST_CASE("a 304 from the origin refreshes the stale entry, which is served") {
  Engine e;
  e.store("/reval", kHead, "body", 10, 0, 0, 20);
  FakeClient client(get("/reval"));
  auto ex_client = e.run(client);
  REQUIRE(e.fetcher.started.size() == 1);
  CHECK(has(e.fetcher.started[0].request, "If-None-Match: \"v1\"\r\n"));
  auto& f = *e.fetcher.fetches[0];
  storage::EntryMeta m;
  m.response_time = e.clock.t;
  m.lifetime_s = 100;
  m.status = 200;
  f.refreshed_ = storage::Entry::create(e.fetcher.started[0].key.text, e.fetcher.started[0].key.primary,
                                        std::string(kHead) + "Content-Length: 4\r\n", "body", m);
  f.state_ = FetchState::Refreshed;
  f.notify();
  CHECK(client.finished);
  CHECK(has(client.head, "Cache-Status: lacquer; fwd=stale; fwd-status=304; stored; ttl=100\r\n"));
  CHECK(client.body == "body");
}

TEST_CASE("Vary: the marker leads to the request's variant; another variant is a vary-miss") {
  Engine e;
  auto url = *storage::make_cache_key("example.com", "/v");
  std::string variant_key = url.text;
  const std::vector<http::Header> gzip{{"Accept-Encoding", "gzip"}};
  http::append_variant_key(variant_key, "accept-encoding", gzip);
  storage::EntryMeta m;
  m.response_time = e.clock.t;
  m.lifetime_s = 100;
  m.status = 200;
  auto entry = storage::Entry::create(variant_key, storage::hash_key_text(variant_key),
                                      "HTTP/1.1 200 OK\r\nVary: Accept-Encoding\r\nContent-Length: 4\r\n", "gzip", m);
  e.cache.publish(entry, url, "accept-encoding");
  FakeClient gz(get("/v", "Accept-Encoding: gzip\r\n"));
  auto ex_gz = e.run(gz);
  CHECK(has(gz.head, "Cache-Status: lacquer; hit;"));
  CHECK(gz.body == "gzip");
  FakeClient br(get("/v", "Accept-Encoding: br\r\n"));
  auto ex_br = e.run(br);
  CHECK(br.heads == 0);
  REQUIRE(e.fetcher.started.size() == 1);
  e.fetcher.fetches[0]->answer("HTTP/1.1 200 OK\r\n", "br", false);
  CHECK(has(br.head, "fwd=vary-miss"));
}

TEST_CASE("a soft purge makes a fresh entry stale; a hard purge makes it a miss and reclaims it") {
  SECTION("soft, within stale-while-revalidate: served stale while one refresh runs") {
    Engine e;
    e.store("/p", kHead, "x", 100, 60);
    auto key = *storage::make_cache_key("example.com", "/p");
    e.versions.apply(purge::Scope::Url, purge::url_hash(key.text), true);
    FakeClient client(get("/p"));
    auto ex_client = e.run(client);
    CHECK(has(client.head, "detail=stale-while-revalidate"));
    CHECK(e.fetcher.refreshed.size() == 1);
  }
  SECTION("soft, no stale allowance: revalidated with the origin") {
    Engine e;
    e.store("/p", kHead, "x", 100);
    auto key = *storage::make_cache_key("example.com", "/p");
    e.versions.apply(purge::Scope::Url, purge::url_hash(key.text), true);
    FakeClient client(get("/p"));
    auto ex_client = e.run(client);
    REQUIRE(e.fetcher.started.size() == 1);
    CHECK(e.fetcher.started[0].revalidating);
  }
  SECTION("hard: a miss, and the entry is gone from memory") {
    Engine e;
    e.store("/p", kHead, "x", 100);
    auto key = *storage::make_cache_key("example.com", "/p");
    e.versions.apply(purge::Scope::Url, purge::url_hash(key.text), false);
    FakeClient client(get("/p"));
    auto ex_client = e.run(client);
    REQUIRE(e.fetcher.started.size() == 1);
    CHECK_FALSE(e.fetcher.started[0].revalidating);
    CHECK_FALSE(e.memory.lookup(key.primary, key.text));
    CHECK(e.purge_metrics.invalid_entries_met.load() == 1);
  }
}

TEST_CASE("hit-for-miss: a URL recently found uncacheable is fetched alone, not coalesced") {
  Engine e;
  e.fetcher.hit_for_miss_marked = true;
  FakeClient client(get("/hfm"));
  auto ex_client = e.run(client);
  REQUIRE(e.fetcher.started.size() == 1);
  CHECK_FALSE(e.fetcher.started[0].registered);
  CHECK(e.fetcher.started[0].may_store);
}

TEST_CASE("a coalesced wait: the request joins the running fetch and is streamed its answer") {
  Engine e;
  e.fetcher.running_fetch = std::make_shared<FakeFetch>();
  FakeClient client(get("/busy"));
  auto ex = e.run(client);
  CHECK(e.fetcher.started.empty());
  CHECK(client.heads == 0);
  CHECK(ex->step() == Step::Fetch);
  e.fetcher.running_fetch->answer("HTTP/1.1 200 OK\r\n", "shared", true, 30);
  CHECK(client.finished);
  CHECK(has(client.head, "Cache-Status: lacquer; hit; collapsed; ttl=30\r\n"));
  CHECK(client.body == "shared");
  CHECK(e.metrics.collapsed.get() == 1);
}

TEST_CASE("a coalesced request released by an uncacheable answer fetches alone") {
  Engine e;
  e.fetcher.running_fetch = std::make_shared<FakeFetch>();
  FakeClient client(get("/private"));
  auto ex_client = e.run(client);
  e.fetcher.running_fetch->answer("HTTP/1.1 200 OK\r\nCache-Control: private\r\n", "mine", false);
  REQUIRE(e.fetcher.started.size() == 1);
  CHECK_FALSE(e.fetcher.started[0].registered);
  CHECK(client.heads == 0);
}

TEST_CASE("conditional requests and ranges are answered from the stored entry") {
  Engine e;
  e.store("/c", kHead, "0123456789", 100);
  SECTION("If-None-Match matches: 304 without body fields") {
    FakeClient client(get("/c", "If-None-Match: \"v1\"\r\n"));
    auto ex_client = e.run(client);
    CHECK(client.head.starts_with("HTTP/1.1 304"));
    CHECK_FALSE(has(client.head, "Content-Type"));
    CHECK(client.body.empty());
  }
  SECTION("If-Match fails: 412") {
    FakeClient client(get("/c", "If-Match: \"other\"\r\n"));
    auto ex_client = e.run(client);
    CHECK(client.head.starts_with("HTTP/1.1 412"));
  }
  SECTION("one range: 206 with Content-Range") {
    FakeClient client(get("/c", "Range: bytes=2-4\r\n"));
    auto ex_client = e.run(client);
    CHECK(client.head.starts_with("HTTP/1.1 206"));
    CHECK(has(client.head, "Content-Range: bytes 2-4/10\r\n"));
    CHECK(client.body == "234");
  }
  SECTION("an unsatisfiable range: 416") {
    FakeClient client(get("/c", "Range: bytes=50-60\r\n"));
    auto ex_client = e.run(client);
    CHECK(client.head.starts_with("HTTP/1.1 416"));
    CHECK(has(client.head, "Content-Range: bytes */10\r\n"));
  }
}

TEST_CASE("only-if-cached with nothing stored: 504, and the origin is not asked") {
  Engine e;
  FakeClient client(get("/none", "Cache-Control: only-if-cached\r\n"));
  auto ex_client = e.run(client);
  CHECK(client.head.starts_with("HTTP/1.1 504"));
  CHECK(e.fetcher.started.empty());
}

TEST_CASE("other methods pass: uncoalesced, never stored, body forwarded") {
  Engine e;
  FakeClient client("POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n");
  auto ex_client = e.run(client);
  REQUIRE(e.fetcher.started.size() == 1);
  CHECK_FALSE(e.fetcher.started[0].registered);
  CHECK_FALSE(e.fetcher.started[0].may_store);
  CHECK(e.fetcher.started[0].unsafe_method);
  e.fetcher.fetches[0]->answer("HTTP/1.1 201 Created\r\n", "", false);
  CHECK(has(client.head, "fwd=method; fwd-status=201"));
}

TEST_CASE("the steps have names for logs and charts") {
  CHECK(to_string(Step::Recv) == "recv");
  CHECK(to_string(Step::Transmit) == "transmit");
}

TEST_CASE("an upgrade: a client that can tunnel asks the origin and is handed its connection on a 101") {
  Engine e;
  event_base* base = event_base_new();
  const std::string ws = "Connection: Upgrade\r\nUpgrade: websocket\r\n";
  SECTION("HTTP/1.1: the origin is asked, and its 101 opens the tunnel") {
    FakeClient client(get("/chat", ws));
    client.tunnel_capable = true;
    auto ex = e.run(client);
    REQUIRE(e.fetcher.started.size() == 1);
    CHECK(e.fetcher.started[0].upgrade);
    CHECK_FALSE(e.fetcher.started[0].may_store);
    CHECK(has(e.fetcher.started[0].request, "Connection: Upgrade\r\nUpgrade: websocket\r\n"));
    auto& f = *e.fetcher.fetches[0];
    f.upgraded.reset(bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE));
    f.head_.upgrade = "websocket";
    f.answer("HTTP/1.1 101 Switching Protocols\r\n", "", false);
    CHECK(client.tunnel_origin != nullptr);
    CHECK(client.tunnel_protocol == "websocket");
    CHECK(client.head.starts_with("HTTP/1.1 101"));
    CHECK(has(client.head, "fwd-status=101"));
    CHECK_FALSE(client.finished);
    CHECK(ex->step() == Step::Done);
  }
  SECTION("a client that cannot tunnel (an HTTP/2 stream): no upgrade asked, an unasked 101 is a 502") {
    FakeClient client(get("/chat", ws));
    auto ex = e.run(client);
    REQUIRE(e.fetcher.started.size() == 1);
    CHECK_FALSE(e.fetcher.started[0].upgrade);
    CHECK_FALSE(has(e.fetcher.started[0].request, "Upgrade"));
    auto& f = *e.fetcher.fetches[0];
    f.answer("HTTP/1.1 101 Switching Protocols\r\n", "", false);
    CHECK(client.tunnel_origin == nullptr);
    CHECK(client.head.starts_with("HTTP/1.1 502"));
    CHECK(has(client.head, "detail=origin-malformed"));
  }
  event_base_free(base);
}
