// RFC 9111 storability (§3) and freshness (§4.2), RFC 9213 targeted fields, RFC 5861.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "http/freshness.h"

using namespace lacquer::http;

namespace {
constexpr std::int64_t kNow = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
const char* const kDate = "Sun, 06 Nov 1994 08:49:37 GMT";

using P = std::pair<std::string, std::string>;
struct Resp {
  std::vector<P> fields;
  std::vector<Header> hs;
  explicit Resp(std::vector<P> f) : fields(std::move(f)) {
    for (auto& [n, v] : fields) hs.push_back({n, v});
  }
  Resp(std::initializer_list<P> f) : Resp(std::vector<P>(f)) {}
  Resp(const Resp&) = delete;  // hs points into fields
  ResponseFacts facts(int status = 200) const { return response_facts(status, hs); }
};
RequestFacts get() { return RequestFacts{"GET", false, {}}; }
}  // namespace

TEST_CASE("response_facts collects the fields", "[freshness]") {
  Resp r({{"Date", kDate},
          {"Expires", "Sun, 06 Nov 1994 09:49:37 GMT"},
          {"Last-Modified", "Sat, 05 Nov 1994 08:49:37 GMT"},
          {"Age", "30"},
          {"Set-Cookie", "a=b"},
          {"Vary", "Accept-Encoding"},
          {"ETag", "\"x\""},
          {"Cache-Control", "max-age=5"},
          {"Surrogate-Control", "max-age=50"}});
  auto f = r.facts(203);
  CHECK(f.status == 203);
  CHECK(f.date == kNow);
  CHECK(f.has_expires);
  CHECK(f.expires == kNow + 3600);
  CHECK(f.last_modified == kNow - 86400);
  CHECK(f.age == 30u);
  CHECK(f.has_set_cookie);
  CHECK(f.has_vary);
  CHECK_FALSE(f.vary_star);
  CHECK(f.has_etag);
  CHECK(f.has_validator());
  CHECK(f.cache_control.max_age == 5u);
  REQUIRE(f.targeted);
  CHECK(f.targeted->max_age == 50u);
  CHECK(&f.effective() == &*f.targeted);
}

TEST_CASE("response_facts: CDN-Cache-Control wins over Surrogate-Control", "[freshness]") {
  Resp r({{"Surrogate-Control", "max-age=50"}, {"CDN-Cache-Control", "max-age=70"}});
  auto f = r.facts();
  REQUIRE(f.targeted);
  CHECK(f.targeted->max_age == 70u);
  Resp empty({{"CDN-Cache-Control", ""}, {"Cache-Control", "max-age=3"}});
  CHECK_FALSE(empty.facts().targeted);
}

TEST_CASE("response_facts: invalid values", "[freshness]") {
  Resp r({{"Expires", "0"}, {"Age", "abc"}, {"Date", "yesterday"}, {"Vary", "*"}});
  auto f = r.facts();
  CHECK(f.has_expires);
  CHECK(f.expires == 0);
  CHECK(f.age == 0u);
  CHECK_FALSE(f.date);
  CHECK(f.vary_star);
  Resp big({{"Age", "99999999999"}});
  CHECK(big.facts().age == kDeltaSecondsMax);
}

TEST_CASE("freshness lifetime precedence", "[freshness]") {
  CachePolicy p;
  p.heuristic_freshness = true;
  const std::string expires_1h = "Sun, 06 Nov 1994 09:49:37 GMT";
  const std::string lm_10d = "Thu, 27 Oct 1994 08:49:37 GMT";
  auto [fields, status, lifetime] = GENERATE_COPY(table<std::vector<P>, int, std::optional<std::uint32_t>>({
      {{{"CDN-Cache-Control", "max-age=7"}, {"Cache-Control", "s-maxage=5, max-age=3"}}, 200, 7u},
      {{{"CDN-Cache-Control", "s-maxage=8, max-age=7"}}, 200, 8u},
      {{{"Cache-Control", "s-maxage=5, max-age=3"}, {"Expires", expires_1h}, {"Date", kDate}}, 200, 5u},
      {{{"Cache-Control", "max-age=3"}, {"Expires", expires_1h}, {"Date", kDate}}, 200, 3u},
      {{{"Expires", expires_1h}, {"Date", kDate}}, 200, 3600u},
      {{{"Expires", expires_1h}}, 200, 3600u},  // no Date: response_time is used
      {{{"Expires", "Sun, 06 Nov 1994 07:49:37 GMT"}, {"Date", kDate}}, 200, 0u},
      {{{"Expires", "0"}, {"Date", kDate}}, 200, 0u},
      {{{"Expires", "garbage"}, {"Last-Modified", lm_10d}}, 200, 0u},
      // heuristic: 10% of Date - Last-Modified (10 days -> 1 day), capped at 86400
      {{{"Date", kDate}, {"Last-Modified", lm_10d}}, 200, 86400u},
      {{{"Date", kDate}, {"Last-Modified", "Sun, 06 Nov 1994 07:49:37 GMT"}}, 404, 360u},
      {{{"Date", kDate}, {"Last-Modified", "Sun, 06 Nov 1994 09:49:37 GMT"}}, 200, 0u},
      {{{"Date", kDate}, {"Last-Modified", lm_10d}}, 302, std::nullopt},  // not heuristic
      {{{"Date", kDate}, {"Last-Modified", "Sun, 06 Nov 1994 07:49:37 GMT"}, {"Cache-Control", "public"}}, 302, 360u},
      {{{"Date", kDate}}, 200, std::nullopt},
      // targeted present: Cache-Control and Expires ignored
      {{{"Surrogate-Control", "no-store"}, {"Cache-Control", "max-age=3"}, {"Expires", expires_1h}}, 200, std::nullopt},
      // conflicting or invalid max-age / s-maxage: already stale
      {{{"Cache-Control", "max-age=3, max-age=4"}}, 200, 0u},
      {{{"Cache-Control", "max-age=x"}, {"Expires", expires_1h}}, 200, 0u},
      {{{"Cache-Control", "s-maxage=1, s-maxage=2, max-age=60"}}, 200, 0u},
      {{{"Cache-Control", "s-maxage=9, max-age=3, max-age=4"}}, 200, 9u},
      {{{"Cache-Control", "no-cache, max-age=60"}}, 200, 0u},
      // capped by max_ttl
      {{{"Cache-Control", "max-age=999999999"}}, 200, 365u * 86400},
  }));
  Resp r(fields);
  INFO(fields.size() << " " << status);
  CHECK(freshness_lifetime(r.facts(status), p, kNow) == lifetime);
}

TEST_CASE("heuristics are off unless configured", "[freshness]") {
  Resp r({{"Date", kDate}, {"Last-Modified", "Thu, 27 Oct 1994 08:49:37 GMT"}});
  CachePolicy p;
  CHECK_FALSE(freshness_lifetime(r.facts(), p, kNow));
  p.heuristic_freshness = true;
  p.heuristic_max_s = 3600;
  CHECK(freshness_lifetime(r.facts(), p, kNow) == 3600u);
  CHECK(storability(get(), r.facts(), p, kNow) == NoStoreReason::None);
  p.heuristic_freshness = false;
  CHECK(storability(get(), r.facts(), p, kNow) == NoStoreReason::NoFreshnessInformation);
}

TEST_CASE("storability", "[freshness]") {
  CachePolicy p;
  auto [method, auth, req_cc, status, fields, reason] =
      GENERATE(table<std::string, bool, std::string, int, std::vector<P>, NoStoreReason>({
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60"}}, NoStoreReason::None},
          {"POST", false, "", 200, {{"Cache-Control", "max-age=60"}}, NoStoreReason::MethodNotCacheable},
          {"HEAD", false, "", 200, {{"Cache-Control", "max-age=60"}}, NoStoreReason::MethodNotCacheable},
          {"GET", false, "", 206, {{"Cache-Control", "max-age=60"}}, NoStoreReason::PartialContent},
          {"GET", false, "", 304, {{"Cache-Control", "max-age=60"}}, NoStoreReason::StatusNotCacheable},
          {"GET", false, "", 100, {{"Cache-Control", "max-age=60"}}, NoStoreReason::StatusNotCacheable},
          // statuses we do not know: storable with explicit freshness (RFC 9111 §3)
          {"GET", false, "", 599, {{"Cache-Control", "max-age=60"}}, NoStoreReason::None},
          {"GET", false, "", 299, {{"Cache-Control", "s-maxage=60"}}, NoStoreReason::None},
          {"GET", false, "", 499, {{"Expires", "Sun, 06 Nov 1994 09:49:37 GMT"}, {"Date", kDate}}, NoStoreReason::None},
          {"GET", false, "", 299, {{"Last-Modified", kDate}, {"ETag", "\"a\""}}, NoStoreReason::StatusNotCacheable},
          {"GET", false, "", 299, {{"Cache-Control", "max-age=60, must-understand"}}, NoStoreReason::StatusNotCacheable},
          {"GET", false, "", 600, {{"Cache-Control", "max-age=60"}}, NoStoreReason::StatusNotCacheable},
          {"GET", false, "", 199, {{"Cache-Control", "max-age=60"}}, NoStoreReason::StatusNotCacheable},
          {"GET", false, "", 302, {{"Cache-Control", "max-age=60"}}, NoStoreReason::None},
          {"GET", false, "", 302, {{"ETag", "\"a\""}}, NoStoreReason::StatusNotCacheable},
          {"GET", false, "", 500, {{"Cache-Control", "s-maxage=5"}}, NoStoreReason::None},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60, no-store"}}, NoStoreReason::NoStoreDirective},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60, no-store, must-understand"}}, NoStoreReason::None},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60, private"}}, NoStoreReason::Private},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60, private=\"X\""}}, NoStoreReason::None},
          {"GET", true, "", 200, {{"Cache-Control", "max-age=60"}}, NoStoreReason::Authorization},
          {"GET", true, "", 200, {{"Cache-Control", "max-age=60, public"}}, NoStoreReason::None},
          {"GET", true, "", 200, {{"Cache-Control", "s-maxage=60"}}, NoStoreReason::None},
          {"GET", true, "", 200, {{"Cache-Control", "max-age=60, must-revalidate"}}, NoStoreReason::None},
          {"GET", true, "", 200, {{"Cache-Control", "max-age=60, proxy-revalidate"}}, NoStoreReason::Authorization},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60"}, {"Set-Cookie", "a=b"}}, NoStoreReason::SetCookie},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60"}, {"Vary", "Accept"}}, NoStoreReason::Vary},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60"}, {"Vary", "Accept, *"}}, NoStoreReason::VaryStar},
          {"GET", false, "", 200, {{"Date", kDate}}, NoStoreReason::NoFreshnessInformation},
          {"GET", false, "no-store", 200, {{"Cache-Control", "max-age=60"}}, NoStoreReason::None},  // ignored by default
          // lifetime 0: storable with a validator or stale allowance, ZeroTtl without
          {"GET", false, "", 200, {{"Cache-Control", "max-age=0"}, {"ETag", "\"v\""}}, NoStoreReason::None},
          {"GET", false, "", 200, {{"Cache-Control", "no-cache"}, {"Last-Modified", kDate}}, NoStoreReason::None},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=0, stale-if-error=60"}}, NoStoreReason::None},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=0"}}, NoStoreReason::ZeroTtl},
          {"GET", false, "", 200, {{"Cache-Control", "no-cache"}}, NoStoreReason::ZeroTtl},
          {"GET", false, "", 200, {{"Expires", "0"}}, NoStoreReason::ZeroTtl},
          // targeted directives override Cache-Control (RFC 9213)
          {"GET", false, "", 200, {{"Cache-Control", "private"}, {"CDN-Cache-Control", "max-age=60"}}, NoStoreReason::None},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60"}, {"Surrogate-Control", "no-store"}}, NoStoreReason::NoStoreDirective},
          // CDN-Cache-Control is a Structured Field: one that does not parse, or has a wrongly
          // typed known directive, is ignored and the next field in line applies
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60"}, {"CDN-Cache-Control", "no-store, max-age=1.5"}}, NoStoreReason::None},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60"}, {"CDN-Cache-Control", "no-store,"}}, NoStoreReason::None},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60"}, {"CDN-Cache-Control", "No-Store"}}, NoStoreReason::None},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60"}, {"CDN-Cache-Control", "no-store"}}, NoStoreReason::NoStoreDirective},
          {"GET", false, "", 200, {{"Cache-Control", "max-age=60"}, {"CDN-Cache-Control", "max-age=\"x\""}, {"Surrogate-Control", "no-store"}}, NoStoreReason::NoStoreDirective},
      }));
  Resp r(fields);
  RequestFacts req{method, auth, {}};
  parse_cache_control(req_cc, req.cache_control);
  INFO(method << " " << status << " -> expected " << to_string(reason));
  CHECK(to_string(storability(req, r.facts(status), p, kNow)) == to_string(reason));
}

TEST_CASE("storability: policy switches", "[freshness]") {
  Resp cookie({{"Cache-Control", "max-age=60"}, {"Set-Cookie", "a=b"}});
  Resp vary({{"Cache-Control", "max-age=60"}, {"Vary", "Accept-Encoding"}});
  Resp star({{"Cache-Control", "max-age=60"}, {"Vary", "*"}});
  Resp plain({{"Cache-Control", "max-age=60"}});
  CachePolicy p;
  p.store_set_cookie = true;
  p.allow_vary = true;
  p.honour_request_no_store = true;
  CHECK(storability(get(), cookie.facts(), p, kNow) == NoStoreReason::None);
  CHECK(storability(get(), vary.facts(), p, kNow) == NoStoreReason::None);
  CHECK(storability(get(), star.facts(), p, kNow) == NoStoreReason::VaryStar);
  RequestFacts nostore = get();
  nostore.cache_control.no_store = true;
  CHECK(storability(nostore, plain.facts(), p, kNow) == NoStoreReason::RequestNoStore);
}

TEST_CASE("age calculation (RFC 9111 §4.2.3)", "[freshness]") {
  auto [req_t, resp_t, date, age, expected] =
      GENERATE(table<std::int64_t, std::int64_t, std::optional<std::int64_t>, std::uint32_t, std::int64_t>({
          {1000, 1002, 1000, 0, 2},     // apparent 2, corrected 2
          {1000, 1002, 990, 0, 12},     // apparent age wins
          {1000, 1002, 1000, 30, 32},   // Age + delay wins
          {1000, 1002, 1100, 0, 2},     // Date in the future: apparent 0
          {1000, 1000, std::nullopt, 5, 5},
          {1010, 1000, 1000, 5, 5},     // negative delay counts as 0
      }));
  AgeInputs a{req_t, resp_t, date, age};
  const std::int64_t cia = corrected_initial_age(a);
  CHECK(cia == expected);
  CHECK(current_age(cia, resp_t, resp_t + 100) == expected + 100);
  CHECK(current_age(cia, resp_t, resp_t - 100) == expected);
}

TEST_CASE("status classification", "[freshness]") {
  for (int s : {200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501})
    CHECK(heuristically_cacheable(s));
  for (int s : {201, 302, 303, 307, 400, 403, 500, 502, 503})
    CHECK_FALSE(heuristically_cacheable(s));
  for (int s : {200, 203, 301, 302, 404, 410, 500, 503}) CHECK(understood_status(s));
  for (int s : {100, 101, 199, 304, 299, 418, 599, 999}) CHECK_FALSE(understood_status(s));
  for (int s : {200, 299, 418, 499, 599}) CHECK(final_status(s));
  for (int s : {100, 101, 199, 304, 600, 999}) CHECK_FALSE(final_status(s));
  CHECK(to_string(NoStoreReason::VaryStar) == "vary-star");
}
