#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "http/h2_request.h"
#include "http/h2_response.h"
#include "http/parser.h"

using namespace lacquer::http;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

H2FieldError feed(H2RequestHead& h, const Fields& fs) {
  for (const auto& [n, v] : fs) h.add(n, v);
  return h.finish();
}

const Fields kGet = {{":method", "GET"}, {":scheme", "http"}, {":authority", "example.com"}, {":path", "/a?b=1"}};

Fields with(Fields base, std::string n, std::string v) {
  base.emplace_back(std::move(n), std::move(v));
  return base;
}

}  // namespace

TEST_CASE("h2 request: a plain GET becomes an HTTP/1.1 head the parser accepts") {
  H2RequestHead h(32 * 1024);
  REQUIRE(feed(h, with(kGet, "accept", "text/html")) == H2FieldError::None);
  std::string raw;
  h.build(raw, 0);
  CHECK(raw == "GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\naccept: text/html\r\n\r\n");
  std::array<Header, 8> hs;
  auto p = parse_request_head(raw, hs, ParseLimits{});
  REQUIRE(p.status == ParseStatus::Complete);
  CHECK(p.line.method == "GET");
  CHECK(p.line.target == "/a?b=1");
}

TEST_CASE("h2 request: Host is taken from Host when :authority is absent, and must agree with it") {
  H2RequestHead a(32 * 1024);
  REQUIRE(feed(a, {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"host", "h.example"}}) ==
          H2FieldError::None);
  std::string raw;
  a.build(raw, 0);
  CHECK(raw.find("Host: h.example\r\n") != std::string::npos);
  H2RequestHead b(32 * 1024);
  CHECK(feed(b, with(kGet, "host", "other.example")) == H2FieldError::HostMismatch);
  H2RequestHead c(32 * 1024);
  CHECK(feed(c, with(kGet, "host", "example.com")) == H2FieldError::None);
  H2RequestHead d(32 * 1024);
  CHECK(feed(d, {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}}) == H2FieldError::MissingPseudo);
}

TEST_CASE("h2 request: malformed field lists are refused (RFC 9113 8.2-8.3)") {
  struct Case {
    Fields fields;
    H2FieldError want;
  };
  const std::vector<Case> cases = {
      {with(kGet, "Accept", "x"), H2FieldError::BadName},
      {with(kGet, "acc ept", "x"), H2FieldError::BadName},
      {with(kGet, "accept", "a\r\nb"), H2FieldError::BadValue},
      {with(kGet, "accept", " x"), H2FieldError::BadValue},
      {with(kGet, "connection", "close"), H2FieldError::ConnectionSpecific},
      {with(kGet, "transfer-encoding", "chunked"), H2FieldError::ConnectionSpecific},
      {with(kGet, "upgrade", "h2c"), H2FieldError::ConnectionSpecific},
      {with(kGet, "keep-alive", "1"), H2FieldError::ConnectionSpecific},
      {with(kGet, "te", "gzip"), H2FieldError::BadTe},
      {with(with(kGet, "accept", "x"), ":method", "GET"), H2FieldError::PseudoAfterRegular},
      {with(kGet, ":status", "200"), H2FieldError::UnknownPseudo},
      {with(kGet, ":path", "/b"), H2FieldError::DuplicatePseudo},
      {with(kGet, ":scheme", "http"), H2FieldError::DuplicatePseudo},
      {{{":method", "GET"}, {":scheme", "http"}, {":authority", "e"}}, H2FieldError::MissingPseudo},
      {{{":method", "GET"}, {":authority", "e"}, {":path", "/"}}, H2FieldError::MissingPseudo},
      {{{":scheme", "http"}, {":authority", "e"}, {":path", "/"}}, H2FieldError::MissingPseudo},
      {{{":method", "GET"}, {":scheme", "http"}, {":authority", "e"}, {":path", "nope"}}, H2FieldError::BadPseudo},
      {{{":method", "GET"}, {":scheme", "http"}, {":authority", "e"}, {":path", "/a#frag"}}, H2FieldError::BadPseudo},
      {{{":method", "G T"}, {":scheme", "http"}, {":authority", "e"}, {":path", "/"}}, H2FieldError::BadPseudo},
      {{{":method", "GET"}, {":scheme", "http"}, {":authority", "u@e"}, {":path", "/"}}, H2FieldError::BadPseudo},
      {{{":method", "CONNECT"}, {":authority", "e:443"}}, H2FieldError::Connect},
  };
  for (const auto& c : cases) {
    H2RequestHead h(32 * 1024);
    INFO(describe(c.want));
    CHECK(feed(h, c.fields) == c.want);
  }
}

TEST_CASE("h2 request: te: trailers is allowed and not forwarded; cookies are joined") {
  H2RequestHead h(32 * 1024);
  Fields f = with(with(with(kGet, "te", "trailers"), "cookie", "a=1"), "cookie", "b=2");
  REQUIRE(feed(h, f) == H2FieldError::None);
  std::string raw;
  h.build(raw, 0);
  CHECK(raw.find("te:") == std::string::npos);
  CHECK(raw.find("cookie: a=1; b=2\r\n") != std::string::npos);
}

TEST_CASE("h2 request: the decoded list is counted against the header byte limit") {
  H2RequestHead h(100);
  CHECK(h.add(":method", "GET") == H2FieldError::None);
  CHECK(h.add("x-big", std::string(100, 'a')) == H2FieldError::TooLarge);
  CHECK(h.add("accept", "x") == H2FieldError::TooLarge);  // sticky
}

TEST_CASE("h2 request: a body gets a content-length unless the client sent one") {
  H2RequestHead a(32 * 1024);
  REQUIRE(feed(a, {{":method", "POST"}, {":scheme", "http"}, {":authority", "e"}, {":path", "/p"}}) ==
          H2FieldError::None);
  std::string raw;
  a.build(raw, 5);
  CHECK(raw.find("content-length: 5\r\n") != std::string::npos);
  H2RequestHead b(32 * 1024);
  REQUIRE(feed(b, {{":method", "POST"}, {":scheme", "http"}, {":authority", "e"}, {":path", "/p"},
                   {"content-length", "5"}}) == H2FieldError::None);
  raw.clear();
  b.build(raw, 5);
  CHECK(raw.find("content-length: 5\r\n") == raw.rfind("content-length"));
}

TEST_CASE("h2 response: status, lower-cased names, connection fields dropped, extra appended") {
  std::string storage;
  std::vector<H2Field> out;
  REQUIRE(h2_response_fields("HTTP/1.1 206 Partial Content\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                             "Transfer-Encoding: chunked\r\nX-A:  v \r\n",
                             "Age: 3\r\nCache-Status: lacquer; hit\r\n", storage, out));
  REQUIRE(out.size() == 5);
  CHECK(out[0].name == ":status");
  CHECK(out[0].value == "206");
  CHECK(out[1].name == "content-type");
  CHECK(out[1].value == "text/plain");
  CHECK(out[2].name == "x-a");
  CHECK(out[2].value == "v");
  CHECK(out[3].name == "age");
  CHECK(out[4].name == "cache-status");
  CHECK(out[4].value == "lacquer; hit");
  CHECK_FALSE(h2_response_fields("garbage\r\n", "", storage, out));
  CHECK_FALSE(h2_response_fields("HTTP/1.1 2x0 OK\r\n", "", storage, out));
}

TEST_CASE("h2 response fields: every connection-specific name dropped, same-length names kept, storage reused") {
  std::string storage = "left over from the previous response";
  std::vector<H2Field> out;
  REQUIRE(h2_response_fields("HTTP/1.1 200 OK\r\nTE: trailers\r\nTK: 1\r\nUpgrade: h2c\r\nUpgradX: 2\r\n"
                             "CONNECTION: close\r\nKeep-Alive: 5\r\nKeep-Alivx: 3\r\nProxy-Connection: x\r\n"
                             "Transfer-Encoding: chunked\r\nTransfer-Encodinx: 4\r\nCONTENT-LENGTH: 10\r\n",
                             "", storage, out));
  REQUIRE(out.size() == 6);
  CHECK(out[1].name == "tk");
  CHECK(out[2].name == "upgradx");
  CHECK(out[3].name == "keep-alivx");
  CHECK(out[4].name == "transfer-encodinx");
  CHECK(out[5].name == "content-length");  // earlier views stay valid as later names are added
  CHECK(out[5].value == "10");
}

TEST_CASE("h2 preface: full, partial and no match") {
  CHECK(match_h2_preface(kH2Preface) == PrefaceMatch::Full);
  CHECK(match_h2_preface(std::string(kH2Preface) + "\x00\x00") == PrefaceMatch::Full);
  CHECK(match_h2_preface("PRI * HT") == PrefaceMatch::Partial);
  CHECK(match_h2_preface("") == PrefaceMatch::Partial);
  CHECK(match_h2_preface("GET / HTTP/1.1\r\n") == PrefaceMatch::No);
  CHECK(match_h2_preface("PRI * HTTP/1.1\r\n") == PrefaceMatch::No);
}

TEST_CASE("h2 response fields: every view but the :status name lies in storage, so the inputs may go") {
  std::string storage;
  std::vector<H2Field> out;
  std::string fields = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"x\"";  // last line unterminated
  std::string extra = "Age: 0\r\nNo colon here\r\n: empty name\r\nCache-Status: lacquer; hit\r\n";
  REQUIRE(h2_response_fields(fields, extra, storage, out));
  const auto inside = [&](std::string_view v) {
    return v.data() >= storage.data() && v.data() + v.size() <= storage.data() + storage.size();
  };
  REQUIRE(out.size() == 5);
  CHECK(inside(out[0].value));
  for (std::size_t i = 1; i < out.size(); ++i) CHECK((inside(out[i].name) && inside(out[i].value)));
  fields.assign(fields.size(), 'Z');
  extra.assign(extra.size(), 'Z');
  CHECK(out[0].value == "200");
  CHECK(out[1].name == "content-type");
  CHECK(out[2].name == "etag");
  CHECK(out[2].value == "\"x\"");
  CHECK(out[3].name == "age");
  CHECK(out[3].value == "0");
  CHECK(out[4].name == "cache-status");
  CHECK(out[4].value == "lacquer; hit");
}

TEST_CASE("h2 request head: reset leaves nothing of the previous request, errors and limit included") {
  H2RequestHead h(40);
  REQUIRE(feed(h, with(with(kGet, "cookie", "a=1"), "x-big", std::string(64, 'v'))) == H2FieldError::TooLarge);
  h.reset(4096);
  CHECK(h.error() == H2FieldError::None);
  CHECK(h.bytes() == 0);
  REQUIRE(feed(h, {{":method", "HEAD"}, {":scheme", "https"}, {":path", "/z"}, {"host", "h.example"}}) ==
          H2FieldError::None);
  std::string raw;
  h.build(raw, 0);
  CHECK(raw == "HEAD /z HTTP/1.1\r\nHost: h.example\r\n\r\n");
  h.reset(4096);
  REQUIRE(feed(h, kGet) == H2FieldError::None);  // no duplicate pseudo-header from the last one
  raw.clear();
  h.build(raw, 0);
  CHECK(raw == "GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
}

TEST_CASE("h2 response fields: names of every length lower-cased, other bytes untouched") {
  std::string storage;
  std::vector<H2Field> out;
  REQUIRE(h2_response_fields("HTTP/1.1 200 OK\r\nA: 1\r\nABCDEFGH: 2\r\nX-@[`{AZaz09-\xC3\x89TAG-LONGER-THAN-16: 3\r\n"
                             "Aaaaaaaaaaaaaaaa: 4\r\n",
                             "", storage, out));
  REQUIRE(out.size() == 5);
  CHECK(out[1].name == "a");
  CHECK(out[2].name == "abcdefgh");
  CHECK(out[3].name == "x-@[`{azaz09-\xC3\x89tag-longer-than-16");
  CHECK(out[3].value == "3");
  CHECK(out[4].name == "aaaaaaaaaaaaaaaa");
}
