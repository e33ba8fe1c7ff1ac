// Cache-Control parsing (RFC 9111 §5.2, RFC 5861, RFC 8246).
#include <string>

#include <catch2/catch.hpp>

#include "http/cache_control.h"

using namespace lacquer::http;

namespace {
CacheControl cc(std::string_view v) {
  CacheControl c;
  parse_cache_control(v, c);
  return c;
}
}  // namespace

TEST_CASE("cache-control: response directives", "[cache_control]") {
  auto c = cc("public, Max-Age=60, s-maxage=\"120\", must-revalidate, proxy-revalidate, "
              "no-transform, immutable, stale-while-revalidate=30, stale-if-error=600, "
              "must-understand, x-ext=\"a,b\", no-store");
  CHECK(c.public_);
  CHECK(c.max_age == 60u);
  CHECK(c.s_maxage == 120u);
  CHECK(c.must_revalidate);
  CHECK(c.proxy_revalidate);
  CHECK(c.no_transform);
  CHECK(c.immutable);
  CHECK(c.stale_while_revalidate == 30u);
  CHECK(c.stale_if_error == 600u);
  CHECK(c.must_understand);
  CHECK(c.no_store);
  CHECK_FALSE(c.no_cache);
  CHECK_FALSE(c.private_);
  CHECK_FALSE(c.conflicting_max_age);
}

TEST_CASE("cache-control: qualified and unqualified no-cache / private", "[cache_control]") {
  auto c = cc("no-cache, private");
  CHECK(c.no_cache);
  CHECK(c.private_);
  CHECK_FALSE(c.no_cache_fields);
  c = cc("no-cache=\"Set-Cookie, X-A\", private=\"X-B\"");
  CHECK_FALSE(c.no_cache);
  CHECK(c.no_cache_fields);
  CHECK_FALSE(c.private_);
  CHECK(c.private_fields);
}

TEST_CASE("cache-control: request directives", "[cache_control]") {
  auto c = cc("max-stale, min-fresh=10, only-if-cached, no-cache");
  CHECK(c.max_stale_any);
  CHECK_FALSE(c.max_stale);
  CHECK(c.min_fresh == 10u);
  CHECK(c.only_if_cached);
  CHECK(c.no_cache);
  c = cc("max-stale=5");
  CHECK(c.max_stale == 5u);
  CHECK_FALSE(c.max_stale_any);
}

TEST_CASE("cache-control: delta-seconds", "[cache_control]") {
  auto [value, max_age, conflict] = GENERATE(table<std::string, std::optional<std::uint32_t>, bool>({
      {"max-age=0", 0u, false},
      {"max-age=2147483647", 2147483647u, false},
      {"max-age=2147483648", kDeltaSecondsMax, false},
      {"max-age=99999999999999999999999", kDeltaSecondsMax, false},
      {"max-age=60, max-age=60", 60u, false},
      {"max-age=60, max-age=61", 60u, true},
      {"max-age=abc", std::nullopt, true},
      {"max-age=-1", std::nullopt, true},
      {"max-age", std::nullopt, true},
      {"max-age=", std::nullopt, true},
      {"max-age = 30", 30u, false},
      {"max-age=60+30", 60u, false},  // Surrogate-Control stale extension
      {"MAX-AGE=7", 7u, false},
  }));
  INFO(value);
  auto c = cc(value);
  CHECK(c.max_age == max_age);
  CHECK(c.conflicting_max_age == conflict);
}

TEST_CASE("cache-control: several fields accumulate", "[cache_control]") {
  std::array<Header, 4> hs{Header{"Cache-Control", "max-age=10"}, Header{"X", "y"},
                           Header{"cache-control", "s-maxage=20, s-maxage=30"},
                           Header{"CDN-Cache-Control", "no-store"}};
  auto c = parse_cache_control_fields(hs, "Cache-Control");
  CHECK(c.max_age == 10u);
  CHECK(c.s_maxage == 20u);
  CHECK(c.conflicting_s_maxage);
  CHECK_FALSE(c.no_store);
  auto t = parse_cache_control_fields(hs, "cdn-cache-control");
  CHECK(t.no_store);
  CHECK_FALSE(t.max_age);
}

TEST_CASE("cache-control: junk is ignored", "[cache_control]") {
  auto c = cc(",,, =5, \"quoted\", no store, max age=5, public");
  CHECK(c.public_);
  CHECK_FALSE(c.no_store);
  CHECK_FALSE(c.max_age);
  CHECK_FALSE(c.conflicting_max_age);
  c = cc("stale-while-revalidate=x, stale-if-error=10, stale-if-error=5");
  CHECK_FALSE(c.stale_while_revalidate);
  CHECK(c.stale_if_error == 5u);
}
