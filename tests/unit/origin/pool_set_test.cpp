#include <catch2/catch.hpp>

#include "origin/pool_state.h"

using namespace lacquer;
using origin::PoolSet;

namespace {

conf::PoolConfig pool(std::string name, std::vector<std::uint16_t> ports) {
  conf::PoolConfig p;
  p.name = std::move(name);
  for (auto port : ports) p.servers.push_back({"127.0.0.1", port, 1});
  p.passive.max_failures = 1;
  p.passive.backoff_ms = 60000;
  return p;
}

const origin::ServerState* server(const PoolSet& set, const std::string& pool_name, std::uint16_t port) {
  const origin::PoolState* p = set.find(pool_name);
  if (!p) return nullptr;
  for (const auto& s : p->servers)
    if (s->config().port == port) return s.get();
  return nullptr;
}

}  // namespace

TEST_CASE("a reload's pool set carries the servers that stay (same pool, host and port): health and counters") {
  PoolSet before({pool("a", {1001, 1002}), pool("b", {2001})}, false);
  auto& a1 = *before.pool(0).servers[0];
  a1.request_failed(origin::monotonic_ms());  // ejected for a minute
  a1.requests.store(7);
  REQUIRE(a1.ejected(origin::monotonic_ms()));

  // Pool a loses 1002 and gains 1003; pool b is unchanged; pool c is new and names 1001 too.
  PoolSet after({pool("a", {1001, 1003}), pool("b", {2001}), pool("c", {1001})}, false, &before);
  const origin::ServerState* kept = server(after, "a", 1001);
  CHECK(kept == &a1);  // the same state: still ejected, its counters go on
  CHECK(kept->ejected(origin::monotonic_ms()));
  CHECK(kept->requests.load() == 7);
  const origin::ServerState* fresh = server(after, "a", 1003);
  REQUIRE(fresh);
  CHECK(fresh->usable(origin::monotonic_ms()));  // an IP literal: resolved at once
  CHECK(server(after, "a", 1002) == nullptr);
  // An unchanged pool is the same pool state (the workers keep its connections).
  CHECK(after.find("b") == before.find("b"));
  CHECK(after.find("a") != before.find("a"));
  // Identity is per pool: 1001 in pool c is another server, with its own health.
  const origin::ServerState* other = server(after, "c", 1001);
  REQUIRE(other);
  CHECK(other != &a1);
  CHECK(other->usable(origin::monotonic_ms()));
  // The pool config's order and weights are the new file's.
  CHECK(after.pool(0).config.servers[1].port == 1003);
}

TEST_CASE("a kept server under changed health settings keeps its ejection") {
  PoolSet before({pool("a", {1001})}, false);
  auto& s = *before.pool(0).servers[0];
  s.request_failed(origin::monotonic_ms());
  REQUIRE(s.ejected(origin::monotonic_ms()));
  conf::PoolConfig changed = pool("a", {1001});
  changed.passive.max_failures = 10;
  changed.balance = conf::Balance::LeastRequests;
  PoolSet after({changed}, false, &before);
  CHECK(after.pool(0).servers[0].get() == &s);
  CHECK(s.ejected(origin::monotonic_ms()));
  CHECK_FALSE(s.usable(origin::monotonic_ms()));
}

TEST_CASE("a strict (implicit) pool whose new origin does not resolve throws: the reload changes nothing") {
  PoolSet before({pool("default", {1001})}, true);
  conf::PoolConfig bad;
  bad.name = "default";
  bad.servers.push_back({"no-such-host.invalid", 80, 1});
  CHECK_THROWS(PoolSet({bad}, true, &before));
  CHECK(before.pool(0).servers[0]->usable(origin::monotonic_ms()));
}
