// Answers made from a stored head: 304, 206, 416, and the reading of preconditions and ranges
// against the stored validators; the Cache-Status tail; reading fields back from a stored head.
#include <catch2/catch.hpp>

#include "http/cache_status.h"
#include "http/response_fields.h"
#include "http/stored_answers.h"

using namespace lacquer::http;

namespace {
constexpr std::string_view kStored =
    "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n"
    "Last-Modified: Tue, 01 Dec 2026 10:00:00 GMT\r\nAge: 3\r\n";
}

TEST_CASE("stored fields and validators are read back from a stored head") {
  auto fields = stored_fields(kStored);
  REQUIRE(fields.size() == 5);
  CHECK(fields[0].name == "ETag");
  CHECK(stored_field(kStored, "content-type") == "text/plain");
  CHECK_FALSE(stored_field(kStored, "Vary"));
  auto v = stored_validators(kStored);
  CHECK(v.etag == "\"v1\"");
  CHECK(v.last_modified.has_value());
}

TEST_CASE("preconditions against the stored validators") {
  auto v = stored_validators(kStored);
  std::vector<Header> inm{{"If-None-Match", "\"v1\""}};
  CHECK(stored_preconditions(inm, v) == Precondition::NotModified);
  std::vector<Header> im{{"If-Match", "\"v2\""}};
  CHECK(stored_preconditions(im, v) == Precondition::Failed);
  CHECK(stored_preconditions({}, v) == Precondition::Proceed);
}

TEST_CASE("ranges: none, one, and an If-Range that no longer matches") {
  auto v = stored_validators(kStored);
  CHECK(requested_ranges({}, v, 10).outcome == RangeOutcome::Ignore);
  std::vector<Header> r{{"Range", "bytes=2-4"}};
  auto set = requested_ranges(r, v, 10);
  REQUIRE(set.outcome == RangeOutcome::Satisfiable);
  CHECK(set.ranges[0].first == 2);
  std::vector<Header> stale{{"Range", "bytes=2-4"}, {"If-Range", "\"v0\""}};
  CHECK(requested_ranges(stale, v, 10).outcome == RangeOutcome::Ignore);
}

TEST_CASE("the heads of 304, 206 and 416 made from the stored head") {
  std::string h304;
  append_not_modified_head(h304, kStored);
  CHECK(h304 == "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nLast-Modified: Tue, 01 Dec 2026 10:00:00 GMT\r\n");
  std::string h206;
  append_single_range_head(h206, kStored, {2, 4}, 10);
  CHECK(h206.starts_with("HTTP/1.1 206 Partial Content\r\n"));
  CHECK(h206.find("Content-Range: bytes 2-4/10\r\nContent-Length: 3\r\n") != std::string::npos);
  CHECK(h206.find("Content-Length: 10") == std::string::npos);
  std::string h416;
  append_unsatisfiable_head(h416, kStored, 10);
  CHECK(h416.starts_with("HTTP/1.1 416 Range Not Satisfiable\r\n"));
  CHECK(h416.find("Content-Type") == std::string::npos);
  CHECK(h416.ends_with("Content-Range: bytes */10\r\nContent-Length: 0\r\n"));
}

TEST_CASE("the response tail: Age, then every Cache-Status parameter in RFC 9211 order") {
  CacheStatus hit{.hit = true, .has_ttl = true, .ttl = 90};
  CHECK(ResponseTail(10, hit).view() == "Age: 10\r\nCache-Status: lacquer; hit; ttl=90\r\n");
  CacheStatus miss{.fwd = "stale", .fwd_status = 304, .stored = true, .has_ttl = true, .ttl = -5, .detail = "x"};
  CHECK(ResponseTail(std::nullopt, miss).view() ==
        "Cache-Status: lacquer; fwd=stale; fwd-status=304; stored; ttl=-5; detail=x\r\n");
  std::string field;
  CacheStatus collapsed{.hit = true, .collapsed = true};
  collapsed.append_field(field);
  CHECK(field == "Cache-Status: lacquer; hit; collapsed\r\n");
}

TEST_CASE("end-to-end fields: hop-by-hop, framing, Age and our surrogate fields are left out") {
  std::vector<Header> in{{"Connection", "x-hop"},   {"X-Hop", "1"},          {"Keep-Alive", "5"},
                         {"Content-Length", "3"},   {"Age", "4"},            {"Surrogate-Key", "a"},
                         {"CDN-Cache-Control", "max-age=5"}, {"Content-Type", "text/plain"}};
  std::string out;
  // CDN-Cache-Control is forwarded by default (RFC 9213 §3), removed when configured.
  append_end_to_end_fields(out, in, FieldFilter{});
  CHECK(out == "CDN-Cache-Control: max-age=5\r\nContent-Type: text/plain\r\n");
  out.clear();
  append_end_to_end_fields(out, in, FieldFilter{.forward_cdn_cache_control = false});
  CHECK(out == "Content-Type: text/plain\r\n");
  out.clear();
  append_end_to_end_fields(out, in, FieldFilter{.keep_surrogate_headers = true});
  CHECK(out.find("Surrogate-Key: a\r\n") != std::string::npos);
}

TEST_CASE("end-to-end fields: a Date is added when the origin sent none (RFC 9110 6.6.1)") {
  std::vector<Header> in{{"Content-Type", "text/plain"}};
  std::string out;
  append_end_to_end_fields(out, in, FieldFilter{.date_if_missing = 784111777});
  CHECK(out == "Content-Type: text/plain\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
  in.push_back({"date", "Mon, 07 Nov 1994 08:49:37 GMT"});
  out.clear();
  append_end_to_end_fields(out, in, FieldFilter{.date_if_missing = 784111777});
  CHECK(out == "Content-Type: text/plain\r\ndate: Mon, 07 Nov 1994 08:49:37 GMT\r\n");
  out.clear();
  append_end_to_end_fields(out, {in.data(), 1}, FieldFilter{});  // no clock given: nothing added
  CHECK(out == "Content-Type: text/plain\r\n");
}
