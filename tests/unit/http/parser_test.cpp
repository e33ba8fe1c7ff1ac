// Strict HTTP/1.1 head parser: accepted forms, every ParseError, limits, incremental input and a
// guard-page test that crashes on a one-byte over-read.
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>

#include <catch2/catch.hpp>

#include "http/parser.h"

using namespace lacquer::http;
using namespace std::string_literals;

namespace {
RequestHeadParse req(std::string_view s, std::size_t max_headers = 100, ParseLimits lim = {}) {
  static std::array<Header, 256> hs;
  return parse_request_head(s, std::span<Header>(hs.data(), max_headers), lim);
}
ResponseHeadParse resp(std::string_view s, ParseLimits lim = {}) {
  static std::array<Header, 100> hs;
  return parse_response_head(s, hs, lim);
}
}  // namespace

TEST_CASE("request head: a well-formed request is parsed", "[parser]") {
  std::array<Header, 8> hs;
  const std::string in = "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nX-Y:  v w \t\r\nEmpty:\r\n\r\nBODY";
  auto r = parse_request_head(in, hs, {});
  REQUIRE(r.status == ParseStatus::Complete);
  CHECK(r.error == ParseError::None);
  CHECK(r.consumed == in.size() - 4);
  CHECK(r.line.method == "GET");
  CHECK(r.line.target == "/a?b=c");
  CHECK(r.line.version_minor == 1);
  REQUIRE(r.header_count == 3);
  CHECK(hs[0].name == "Host");
  CHECK(hs[0].value == "example.com");
  CHECK(hs[1].name == "X-Y");
  CHECK(hs[1].value == "v w");  // OWS trimmed, inner SP kept
  CHECK(hs[2].name == "Empty");
  CHECK(hs[2].value.empty());
}

TEST_CASE("request head: accepted variants", "[parser]") {
  auto [in, method, target, minor] = GENERATE(table<std::string, std::string, std::string, int>({
      {"GET / HTTP/1.0\r\n\r\n", "GET", "/", 0},
      {"\r\nGET / HTTP/1.1\r\n\r\n", "GET", "/", 1},  // one leading empty line tolerated
      {"OPTIONS * HTTP/1.1\r\n\r\n", "OPTIONS", "*", 1},
      {"GET http://a.example/x HTTP/1.1\r\n\r\n", "GET", "http://a.example/x", 1},
      {"GET HTTP://A.example HTTP/1.1\r\n\r\n", "GET", "HTTP://A.example", 1},
      {"CONNECT a.example:443 HTTP/1.1\r\n\r\n", "CONNECT", "a.example:443", 1},
      {"M-SEARCH! /%41 HTTP/1.1\r\n\r\n", "M-SEARCH!", "/%41", 1},
  }));
  auto r = req(in);
  INFO(in);
  REQUIRE(r.status == ParseStatus::Complete);
  CHECK(r.line.method == method);
  CHECK(r.line.target == target);
  CHECK(r.line.version_minor == minor);
  CHECK(r.consumed == in.size());
}

TEST_CASE("request head: obs-text is allowed in values, other CTLs are not", "[parser]") {
  std::array<Header, 4> hs;
  std::string in = "GET / HTTP/1.1\r\nX: caf\xc3\xa9\tok\r\n\r\n";
  auto r = parse_request_head(in, hs, {});
  REQUIRE(r.status == ParseStatus::Complete);
  CHECK(hs[0].value == "caf\xc3\xa9\tok");
  in = "GET / HTTP/1.1\r\nX: a\x7f" "b\r\n\r\n";
  CHECK(parse_request_head(in, hs, {}).error == ParseError::BadHeaderValue);
}

TEST_CASE("request head: every ParseError the parser produces", "[parser]") {
  auto [in, err] = GENERATE(table<std::string, ParseError>({
      // request line
      {"GET  / HTTP/1.1\r\n\r\n", ParseError::BadRequestLine},      // two SPs
      {"GET / HTTP/1.1 \r\n\r\n", ParseError::BadRequestLine},      // trailing SP
      {"GET /\r\n\r\n", ParseError::BadRequestLine},                // HTTP/0.9 shape
      {" GET / HTTP/1.1\r\n\r\n", ParseError::BadRequestLine},      // leading SP
      {"GET / a HTTP/1.1\r\n\r\n", ParseError::BadRequestLine},     // SP in target
      {"GE(T / HTTP/1.1\r\n\r\n", ParseError::BadMethod},
      {"GET\t/ HTTP/1.1\r\n\r\n", ParseError::BadMethod},
      {"GET /a\x01 HTTP/1.1\r\n\r\n"s, ParseError::BadTarget},
      {"GET /a\x7f HTTP/1.1\r\n\r\n"s, ParseError::BadTarget},
      {"GET /\xc3\xa9 HTTP/1.1\r\n\r\n"s, ParseError::BadTarget},
      {"GET a/b HTTP/1.1\r\n\r\n", ParseError::BadTarget},         // no recognised form
      // each target form only where RFC 9112 §3.2 puts it; no fragments
      {"GET /a#b HTTP/1.1\r\n\r\n", ParseError::BadTarget},
      {"GET http://a.example/#b HTTP/1.1\r\n\r\n", ParseError::BadTarget},
      {"GET * HTTP/1.1\r\n\r\n", ParseError::BadTarget},          // asterisk: OPTIONS only
      {"GET a.example:80 HTTP/1.1\r\n\r\n", ParseError::BadTarget}, // authority: CONNECT only
      {"CONNECT /a HTTP/1.1\r\n\r\n", ParseError::BadTarget},
      {"CONNECT a.example HTTP/1.1\r\n\r\n", ParseError::BadTarget},
      {"GET https://a.example/ HTTP/1.1\r\n\r\n", ParseError::BadTarget},  // not our scheme
      {"GET http:/a HTTP/1.1\r\n\r\n", ParseError::BadTarget},     // no authority
      {"GET http:///a HTTP/1.1\r\n\r\n", ParseError::BadTarget},   // empty authority
      {"GET mailto:a@b HTTP/1.1\r\n\r\n", ParseError::BadTarget},
      {"PRI * HTTP/2.0\r\n\r\n", ParseError::UnsupportedVersion},  // the h2 preface
      {"GET / HTTP/1.1x\r\n\r\n", ParseError::BadVersion},
      {"GET / http/1.1\r\n\r\n", ParseError::BadVersion},
      {"GET / HTTP/11\r\n\r\n", ParseError::BadVersion},
      {"GET / HTTP/1.a\r\n\r\n", ParseError::BadVersion},
      {"GET / HTTP/2.0\r\n\r\n", ParseError::UnsupportedVersion},
      {"GET / HTTP/0.9\r\n\r\n", ParseError::UnsupportedVersion},
      {"GET / HTTP/1.2\r\n\r\n", ParseError::UnsupportedVersion},
      {"GET / HTTP/1.1\n\r\n", ParseError::BareLF},
      {"GET /\r HTTP/1.1\r\n\r\n", ParseError::BareCR},
      {"\n\nGET / HTTP/1.1\r\n\r\n", ParseError::BareLF},
      // header section
      {"GET / HTTP/1.1\r\nHost: a\n\r\n", ParseError::BareLF},
      {"GET / HTTP/1.1\r\nHost: a\r\n\n", ParseError::BareLF},
      {"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", ParseError::BareCR},
      {"GET / HTTP/1.1\r\nHost: a\r\n\rx", ParseError::BareCR},
      {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", ParseError::ObsFold},
      {"GET / HTTP/1.1\r\nHost: a\r\n\tfolded\r\n\r\n", ParseError::ObsFold},
      {"GET / HTTP/1.1\r\n Host: a\r\n\r\n", ParseError::ObsFold},
      {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", ParseError::WhitespaceBeforeColon},
      {"GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", ParseError::WhitespaceBeforeColon},
      {"GET / HTTP/1.1\r\n: a\r\n\r\n", ParseError::BadHeaderName},
      {"GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", ParseError::BadHeaderName},
      {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", ParseError::BadHeaderName},
      {"GET / HTTP/1.1\r\nX: a\0b\r\n\r\n"s, ParseError::BadHeaderValue},
      {"GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n", ParseError::BadHeaderValue},
  }));
  INFO(in);
  auto r = req(in);
  CHECK(r.status == ParseStatus::Error);
  CHECK(r.error == err);
}

TEST_CASE("request head: limits", "[parser]") {
  ParseLimits lim;
  lim.max_request_line = 64;
  lim.max_field = 32;
  lim.max_header_bytes = 100;

  SECTION("request line at the limit is accepted, one more byte is 414") {
    const std::string line = "GET /" + std::string(64 - 14, 'a') + " HTTP/1.1";
    REQUIRE(line.size() == 64);
    CHECK(req(line + "\r\n\r\n", 100, lim).status == ParseStatus::Complete);
    const std::string longer = "GET /" + std::string(64 - 13, 'a') + " HTTP/1.1";
    auto r = req(longer + "\r\n\r\n", 100, lim);
    CHECK(r.error == ParseError::RequestLineTooLong);
    CHECK(status_for(r.error) == 414);
  }
  SECTION("an incomplete request line past the limit is already an error") {
    CHECK(req(std::string(64, 'a'), 100, lim).status == ParseStatus::Incomplete);
    CHECK(req(std::string(64, 'a') + "\r", 100, lim).status == ParseStatus::Incomplete);
    auto r = req(std::string(65, 'a'), 100, lim);
    CHECK(r.status == ParseStatus::Error);
    CHECK(r.error == ParseError::RequestLineTooLong);
  }
  SECTION("one field line at the limit, one more byte is 431") {
    const std::string ok = "X: " + std::string(29, 'v');  // 32 bytes
    CHECK(req("GET / HTTP/1.1\r\n" + ok + "\r\n\r\n", 100, lim).status == ParseStatus::Complete);
    auto r = req("GET / HTTP/1.1\r\n" + ok + "v\r\n\r\n", 100, lim);
    CHECK(r.error == ParseError::HeaderFieldTooLong);
    CHECK(status_for(r.error) == 431);
    // incomplete, but already too long
    r = req("GET / HTTP/1.1\r\n" + ok + "v", 100, lim);
    CHECK(r.error == ParseError::HeaderFieldTooLong);
    r = req("GET / HTTP/1.1\r\nX" + std::string(40, 'x'), 100, lim);
    CHECK(r.error == ParseError::HeaderFieldTooLong);
  }
  SECTION("header section too large, complete or not") {
    std::string in = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 5; ++i) in += "X" + std::to_string(i) + ": 0123456789012345\r\n";  // 5*22
    auto r = req(in + "\r\n", 100, lim);
    CHECK(r.error == ParseError::HeaderSectionTooLarge);
    r = req(in, 100, lim);
    CHECK(r.error == ParseError::HeaderSectionTooLarge);
    std::string four = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 4; ++i) four += "X" + std::to_string(i) + ": 0123456789012345\r\n";
    CHECK(req(four + "\r\n", 100, lim).status == ParseStatus::Complete);  // 90 bytes
  }
  SECTION("too many headers") {
    std::string in = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 3; ++i) in += "X: y\r\n";
    CHECK(req(in + "\r\n", 3).status == ParseStatus::Complete);
    CHECK(req(in + "\r\n", 3).header_count == 3);
    auto r = req(in + "Z: 1\r\n\r\n", 3);
    CHECK(r.error == ParseError::TooManyHeaders);
    r = req(in + "Z", 3);  // incomplete fourth field
    CHECK(r.error == ParseError::TooManyHeaders);
    CHECK(status_for(r.error) == 431);
  }
}

TEST_CASE("request head: every prefix of a valid head is Incomplete", "[parser]") {
  const std::string in = "\r\nPOST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";
  for (std::size_t n = 0; n < in.size(); ++n) {
    INFO(n);
    auto r = req(std::string_view(in).substr(0, n));
    REQUIRE(r.status == ParseStatus::Incomplete);
  }
  auto r = req(in);
  CHECK(r.status == ParseStatus::Complete);
  CHECK(r.consumed == in.size());
  CHECK(r.header_count == 2);
}

TEST_CASE("request head: guard page, no over-read", "[parser]") {
  const long page = sysconf(_SC_PAGESIZE);
  void* mem = mmap(nullptr, static_cast<std::size_t>(page) * 2, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(mem != MAP_FAILED);
  char* base = static_cast<char*>(mem);
  REQUIRE(mprotect(base + page, static_cast<std::size_t>(page), PROT_NONE) == 0);
  char* const guard = base + page;

  auto place = [&](std::string_view s) {
    std::memcpy(guard - s.size(), s.data(), s.size());
    return std::string_view(guard - s.size(), s.size());
  };
  const std::string full = "GET /x HTTP/1.1\r\nHost: h\r\nX: a b\r\n\r\n";
  // Every prefix (ends inside the method, target, version, name, value, CR...) must stop
  // exactly at the guard page.
  std::array<Header, 8> hs;
  for (std::size_t n = 0; n <= full.size(); ++n) {
    auto r = parse_request_head(place(std::string_view(full).substr(0, n)), hs, {});
    CHECK(r.status == (n == full.size() ? ParseStatus::Complete : ParseStatus::Incomplete));
  }
  for (std::string_view bad : {"GET / HTTP/1.1\r\nHost: h\r", "GET / HTTP/1.1\r\nHost", "\r",
                               "GET / HTTP/1.1\r\nHost :", "GET / HTTP/1.1\r\n\r"}) {
    auto r = parse_request_head(place(bad), hs, {});
    CHECK(r.status != ParseStatus::Complete);
    auto rr = parse_response_head(place(bad), hs, {});
    CHECK(rr.status != ParseStatus::Complete);
  }
  const std::string resp_full = "HTTP/1.1 200 OK\r\nA: b\r\n\r\n";
  for (std::size_t n = 0; n <= resp_full.size(); ++n) {
    auto r = parse_response_head(place(std::string_view(resp_full).substr(0, n)), hs, {});
    CHECK(r.status == (n == resp_full.size() ? ParseStatus::Complete : ParseStatus::Incomplete));
  }
  munmap(mem, static_cast<std::size_t>(page) * 2);
}

TEST_CASE("response head: accepted forms", "[parser]") {
  auto [in, status, reason, minor] = GENERATE(table<std::string, int, std::string, int>({
      {"HTTP/1.1 200 OK\r\n\r\n", 200, "OK", 1},
      {"HTTP/1.0 404 Not Found\r\n\r\n", 404, "Not Found", 0},
      {"HTTP/1.1 204 \r\n\r\n", 204, "", 1},
      {"HTTP/1.1 304\r\n\r\n", 304, "", 1},
      {"HTTP/1.1 999 Custom \xe9t\xe9\r\n\r\n", 999, "Custom \xe9t\xe9", 1},
      {"HTTP/1.1 100 Continue\r\n\r\n", 100, "Continue", 1},
  }));
  INFO(in);
  auto r = resp(in);
  REQUIRE(r.status == ParseStatus::Complete);
  CHECK(r.line.status == status);
  CHECK(r.line.reason == reason);
  CHECK(r.line.version_minor == minor);
  CHECK(r.consumed == in.size());
}

TEST_CASE("response head: errors", "[parser]") {
  auto [in, err] = GENERATE(table<std::string, ParseError>({
      {"HTTP/1.1 20 OK\r\n\r\n", ParseError::BadStatusLine},
      {"HTTP/1.1 2000 OK\r\n\r\n", ParseError::BadStatusLine},
      {"HTTP/1.1 099 X\r\n\r\n", ParseError::BadStatusLine},
      {"HTTP/1.1  200 OK\r\n\r\n", ParseError::BadStatusLine},
      {"HTTP/1.1 200 O\x01K\r\n\r\n", ParseError::BadStatusLine},
      {"http/1.1 200 OK\r\n\r\n", ParseError::BadStatusLine},
      {"ICY 200 OK\r\n\r\n", ParseError::BadStatusLine},
      {"HTTP/2.0 200 OK\r\n\r\n", ParseError::UnsupportedVersion},
      {"HTTP/1.1 200 OK\n\r\n", ParseError::BareLF},
      {"HTTP/1.1 200 O\rK\r\n\r\n", ParseError::BareCR},
      {"HTTP/1.1 200 OK\r\nA : b\r\n\r\n", ParseError::WhitespaceBeforeColon},
      {"HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", ParseError::ObsFold},
      {"HTTP/1.1 200 OK\r\nA: \x02\r\n\r\n", ParseError::BadHeaderValue},
      {"HTTP/1.1 200 OK\r\n\xff: b\r\n\r\n"s, ParseError::BadHeaderName},
  }));
  INFO(in);
  auto r = resp(in);
  CHECK(r.status == ParseStatus::Error);
  CHECK(r.error == err);
}

TEST_CASE("response head: status line limit", "[parser]") {
  ParseLimits lim;
  lim.max_request_line = 20;
  CHECK(resp("HTTP/1.1 200 " + std::string(7, 'a') + "\r\n\r\n", lim).status ==
        ParseStatus::Complete);
  CHECK(resp("HTTP/1.1 200 " + std::string(8, 'a') + "\r\n\r\n", lim).error ==
        ParseError::BadStatusLine);
  CHECK(resp("HTTP/1.1 200 " + std::string(30, 'a'), lim).error == ParseError::BadStatusLine);
}

TEST_CASE("parse errors map to statuses and descriptions", "[parser]") {
  CHECK(status_for(ParseError::BadRequestLine) == 400);
  CHECK(status_for(ParseError::UnsupportedVersion) == 505);
  CHECK(status_for(ParseError::RequestLineTooLong) == 414);
  CHECK(status_for(ParseError::TooManyHeaders) == 431);
  CHECK(status_for(ParseError::UnsupportedTransferCoding) == 501);
  CHECK(status_for(ParseError::BodyTooLarge) == 413);
  CHECK(status_for(ParseError::ObsFold) == 400);
  CHECK(describe(ParseError::ObsFold) == "obsolete line folding is not allowed");
  for (int e = 0; e <= static_cast<int>(ParseError::BodyTooLarge); ++e)
    CHECK_FALSE(describe(static_cast<ParseError>(e)).empty());
}
