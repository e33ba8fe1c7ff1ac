// decide_stored_use: RFC 9111 §4, §4.2.4, §5.2.1 and RFC 5861 §3, one rule per case.
#include <catch2/catch.hpp>

#include "http/stored_use.h"

using namespace lacquer::http;

namespace {

StoredState stored(std::int64_t age, std::uint32_t lifetime) {
  StoredState s;
  s.age = age;
  s.lifetime = lifetime;
  return s;
}

RequestCacheNeeds request(std::string_view cache_control = {}, bool honour = false) {
  RequestCacheNeeds r;
  r.honour_no_cache = honour;
  if (!cache_control.empty()) {
    r.has_cache_control = true;
    parse_cache_control(cache_control, r.cache_control);
  }
  return r;
}

}  // namespace

TEST_CASE("fresh entries are served, stale ones validated") {
  CHECK(decide_stored_use(stored(10, 60), request()) == StoredUse::Fresh);
  CHECK(decide_stored_use(stored(60, 60), request()) == StoredUse::Validate);  // age == lifetime: stale
  CHECK(decide_stored_use(stored(0, 0), request()) == StoredUse::Validate);
}

TEST_CASE("no-cache entries are validated even while fresh (§5.2.2.4)") {
  auto s = stored(1, 60);
  s.no_cache = true;
  CHECK(decide_stored_use(s, request()) == StoredUse::Validate);
  s.stale_while_revalidate = 100;
  CHECK(decide_stored_use(s, request("max-stale")) == StoredUse::Validate);
}

TEST_CASE("a soft purge makes a fresh entry stale") {
  auto s = stored(1, 60);
  s.soft_purged = true;
  CHECK(decide_stored_use(s, request()) == StoredUse::Validate);
  s.stale_while_revalidate = 30;
  CHECK(decide_stored_use(s, request()) == StoredUse::StaleWhileRevalidate);
}

TEST_CASE("stale-while-revalidate window (RFC 5861 §3)") {
  auto s = stored(70, 60);
  s.stale_while_revalidate = 10;
  CHECK(decide_stored_use(s, request()) == StoredUse::StaleWhileRevalidate);
  s.age = 71;
  CHECK(decide_stored_use(s, request()) == StoredUse::Validate);
}

TEST_CASE("must-revalidate forbids every kind of stale serving (§5.2.2.2)") {
  auto s = stored(70, 60);
  s.must_revalidate = true;
  s.stale_while_revalidate = 100;
  CHECK(decide_stored_use(s, request()) == StoredUse::Validate);
  CHECK(decide_stored_use(s, request("max-stale")) == StoredUse::Validate);
}

TEST_CASE("client max-age, min-fresh, max-stale (§5.2.1)") {
  CHECK(decide_stored_use(stored(30, 100), request("max-age=60")) == StoredUse::Fresh);
  CHECK(decide_stored_use(stored(30, 100), request("max-age=10")) == StoredUse::ClientRequiresForward);
  CHECK(decide_stored_use(stored(30, 100), request("min-fresh=70")) == StoredUse::Fresh);
  CHECK(decide_stored_use(stored(30, 100), request("min-fresh=71")) == StoredUse::ClientRequiresForward);
  CHECK(decide_stored_use(stored(80, 60), request("max-stale=20")) == StoredUse::StaleAllowedByClient);
  CHECK(decide_stored_use(stored(81, 60), request("max-stale=20")) == StoredUse::Validate);
  CHECK(decide_stored_use(stored(9999, 60), request("max-stale")) == StoredUse::StaleAllowedByClient);
  // max-age still bounds the age when max-stale is also given
  CHECK(decide_stored_use(stored(80, 60), request("max-age=30, max-stale")) == StoredUse::ClientRequiresForward);
}

TEST_CASE("client no-cache and Pragma only when honoured") {
  RequestCacheNeeds pragma;
  pragma.pragma_no_cache = true;
  CHECK(decide_stored_use(stored(1, 60), request("no-cache")) == StoredUse::Fresh);
  CHECK(decide_stored_use(stored(1, 60), pragma) == StoredUse::Fresh);
  CHECK(decide_stored_use(stored(1, 60), request("no-cache", true)) == StoredUse::ClientRequiresForward);
  pragma.honour_no_cache = true;
  CHECK(decide_stored_use(stored(1, 60), pragma) == StoredUse::ClientRequiresForward);
  // §5.4: Pragma is ignored when Cache-Control is present
  auto both = request("max-age=600", true);
  both.pragma_no_cache = true;
  CHECK(decide_stored_use(stored(1, 60), both) == StoredUse::Fresh);
}

TEST_CASE("unknown request directives change nothing") {
  CHECK(decide_stored_use(stored(1, 60), request("nothing-to-see-here, foo=bar", true)) == StoredUse::Fresh);
}
