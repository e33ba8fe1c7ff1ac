// Body framing decisions (RFC 9112 §6) and message helpers.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "http/framing.h"

using namespace lacquer::http;

namespace {
// "Name: value" pairs separated by '|'.
std::vector<Header> hdrs(std::vector<std::pair<std::string_view, std::string_view>> in) {
  std::vector<Header> out;
  for (auto& [n, v] : in) out.push_back({n, v});
  return out;
}
RequestLine line11() { return RequestLine{"POST", "/", 1}; }
RequestLine line10() { return RequestLine{"POST", "/", 0}; }
}  // namespace

TEST_CASE("request framing: accepted", "[framing]") {
  SECTION("no body headers") {
    auto h = hdrs({{"Host", "a.example"}});
    auto r = request_framing(line11(), h);
    REQUIRE(r.ok());
    CHECK(r.framing.kind == BodyKind::None);
  }
  SECTION("content-length") {
    auto h = hdrs({{"Host", "a.example:8080"}, {"content-length", "42"}});
    auto r = request_framing(line11(), h);
    REQUIRE(r.ok());
    CHECK(r.framing.kind == BodyKind::ContentLength);
    CHECK(r.framing.length == 42);
  }
  SECTION("max content-length") {
    auto h = hdrs({{"Host", "h"}, {"Content-Length", "9223372036854775807"}});
    auto r = request_framing(line11(), h);
    REQUIRE(r.ok());
    CHECK(r.framing.length == 9223372036854775807ull);
  }
  SECTION("chunked, case-insensitive, split over fields") {
    auto h = hdrs({{"Host", "h"}, {"Transfer-Encoding", "Chunked"}});
    auto r = request_framing(line11(), h);
    REQUIRE(r.ok());
    CHECK(r.framing.kind == BodyKind::Chunked);
  }
  SECTION("HTTP/1.0 without Host") {
    auto r = request_framing(line10(), {});
    CHECK(r.ok());
  }
}

TEST_CASE("request framing: rejected", "[framing]") {
  using P = std::pair<std::string_view, std::string_view>;
  auto [minor, fields, err] = GENERATE(table<int, std::vector<P>, ParseError>({
      {1, {}, ParseError::MissingHost},
      {1, {{"Host", "a"}, {"Host", "a"}}, ParseError::DuplicateHost},
      {0, {{"Host", "a"}, {"host", "b"}}, ParseError::DuplicateHost},
      {1, {{"Host", ""}}, ParseError::BadHost},
      {1, {{"Host", "a b"}}, ParseError::BadHost},
      {1, {{"Host", "user@a"}}, ParseError::BadHost},
      {1, {{"Host", "a/b"}}, ParseError::BadHost},
      {1, {{"Host", "a:"}}, ParseError::BadHost},
      {1, {{"Host", "a:12x"}}, ParseError::BadHost},
      {1, {{"Host", "a:123456"}}, ParseError::BadHost},
      {1, {{"Host", "a:65536"}}, ParseError::BadHost},
      {1, {{"Host", "a:99999"}}, ParseError::BadHost},
      {1, {{"Host", "[::1"}}, ParseError::BadHost},
      {1, {{"Host", "[zz]"}}, ParseError::BadHost},
      {1, {{"Host", "a%zz"}}, ParseError::BadHost},
      {1, {{"Host", "a\x01"}}, ParseError::BadHost},
      {0, {{"Host", "a?x"}}, ParseError::BadHost},
      {1, {{"Host", "h"}, {"Content-Length", "1"}, {"Transfer-Encoding", "chunked"}},
       ParseError::ContentLengthAndTransferEncoding},
      {1, {{"Host", "h"}, {"Content-Length", ""}}, ParseError::BadContentLength},
      {1, {{"Host", "h"}, {"Content-Length", "-1"}}, ParseError::BadContentLength},
      {1, {{"Host", "h"}, {"Content-Length", "+1"}}, ParseError::BadContentLength},
      {1, {{"Host", "h"}, {"Content-Length", "1 2"}}, ParseError::BadContentLength},
      {1, {{"Host", "h"}, {"Content-Length", "0x10"}}, ParseError::BadContentLength},
      {1, {{"Host", "h"}, {"Content-Length", "9223372036854775808"}}, ParseError::BadContentLength},
      {1, {{"Host", "h"}, {"Content-Length", "99999999999999999999999"}}, ParseError::BadContentLength},
      {1, {{"Host", "h"}, {"Content-Length", "5"}, {"Content-Length", "5"}},
       ParseError::DuplicateContentLength},
      {1, {{"Host", "h"}, {"Content-Length", "5, 5"}}, ParseError::DuplicateContentLength},
      {1, {{"Host", "h"}, {"Content-Length", "5"}, {"Content-Length", "6"}},
       ParseError::DuplicateContentLength},
      {0, {{"Transfer-Encoding", "chunked"}}, ParseError::TransferEncodingOnHttp10},
      {1, {{"Host", "h"}, {"Transfer-Encoding", "chunked, gzip"}}, ParseError::ChunkedNotLast},
      {1, {{"Host", "h"}, {"Transfer-Encoding", ""}}, ParseError::ChunkedNotLast},
      {1, {{"Host", "h"}, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}},
       ParseError::ChunkedTwice},
      {1, {{"Host", "h"}, {"Transfer-Encoding", "chunked,chunked"}}, ParseError::ChunkedTwice},
      {1, {{"Host", "h"}, {"Transfer-Encoding", "gzip, chunked"}},
       ParseError::UnsupportedTransferCoding},
      // A final coding other than chunked leaves the request unframeable: 400, not 501.
      {1, {{"Host", "h"}, {"Transfer-Encoding", "identity"}}, ParseError::ChunkedNotLast},
      {1, {{"Host", "h"}, {"Transfer-Encoding", "gzip"}}, ParseError::ChunkedNotLast},
  }));
  RequestLine rl{"POST", "/", minor};
  auto h = hdrs(fields);
  auto r = request_framing(rl, h);
  INFO(static_cast<int>(r.error));
  CHECK_FALSE(r.ok());
  CHECK(r.error == err);
}

TEST_CASE("request framing: host forms", "[framing]") {
  auto host = GENERATE(as<std::string>{}, "example.com", "EXAMPLE.com:80", "127.0.0.1",
                       "127.0.0.1:65535", "[::1]", "[2001:db8::1]:8443", "[::ffff:1.2.3.4]",
                       "xn--bcher-kva.example", "a_b.example", "a%41b");
  Header h{"Host", host};
  CHECK(request_framing(RequestLine{"GET", "/", 1}, std::span<const Header>(&h, 1)).ok());
}

TEST_CASE("response framing", "[framing]") {
  using P = std::pair<std::string_view, std::string_view>;
  SECTION("no body") {
    auto [status, method] = GENERATE(table<int, std::string>({
        {200, "HEAD"}, {100, "GET"}, {101, "GET"}, {204, "GET"}, {304, "GET"}}));
    auto h = hdrs({{"Content-Length", "10"}});
    auto r = response_framing(status, method, h);
    REQUIRE(r.ok());
    CHECK(r.framing.kind == BodyKind::None);
  }
  SECTION("kinds") {
    auto [fields, kind, length] = GENERATE(table<std::vector<P>, BodyKind, std::uint64_t>({
        {{{"Content-Length", "10"}}, BodyKind::ContentLength, 10},
        {{{"Content-Length", "0"}}, BodyKind::ContentLength, 0},
        {{{"Content-Length", "7"}, {"Content-Length", "7"}}, BodyKind::ContentLength, 7},
        {{{"Content-Length", "7, 7"}}, BodyKind::ContentLength, 7},
        {{{"Transfer-Encoding", "chunked"}}, BodyKind::Chunked, 0},
        {{}, BodyKind::UntilClose, 0},
    }));
    auto h = hdrs(fields);
    auto r = response_framing(200, "GET", h);
    REQUIRE(r.ok());
    CHECK(r.framing.kind == kind);
    CHECK(r.framing.length == length);
  }
  SECTION("errors") {
    auto [fields, err] = GENERATE(table<std::vector<P>, ParseError>({
        {{{"Content-Length", "7"}, {"Content-Length", "8"}}, ParseError::DuplicateContentLength},
        {{{"Content-Length", "x"}}, ParseError::BadContentLength},
        {{{"Content-Length", "1"}, {"Transfer-Encoding", "chunked"}},
         ParseError::ContentLengthAndTransferEncoding},
        {{{"Transfer-Encoding", "gzip"}}, ParseError::UnsupportedTransferCoding},
        {{{"Transfer-Encoding", "gzip, chunked"}}, ParseError::UnsupportedTransferCoding},
        {{{"Transfer-Encoding", "chunked, chunked"}}, ParseError::ChunkedTwice},
    }));
    auto h = hdrs(fields);
    auto r = response_framing(200, "GET", h);
    CHECK(r.error == err);
  }
}

TEST_CASE("message helpers", "[message]") {
  auto h = hdrs({{"Connection", "keep-alive, X-Secret"},
                 {"x-secret", "1"},
                 {"Cache-Control", "a"},
                 {"cache-control", "b"}});
  CHECK(iequals("Content-Length", "content-LENGTH"));
  CHECK_FALSE(iequals("Content-Length", "Content-Lengt"));
  CHECK_FALSE(iequals("a", "A "));
  CHECK(find_header(h, "X-SECRET") == std::optional<std::string_view>("1"));
  CHECK_FALSE(find_header(h, "nope"));
  CHECK(count_headers(h, "Cache-Control") == 2);
  CHECK(is_hop_by_hop("transfer-encoding"));
  CHECK(is_hop_by_hop("Proxy-Authorization"));
  CHECK(is_hop_by_hop("TE"));
  CHECK_FALSE(is_hop_by_hop("Cache-Control"));
  CHECK(is_named_by_connection(h, "x-secret"));
  CHECK(is_named_by_connection(h, "Keep-Alive"));
  CHECK_FALSE(is_named_by_connection(h, "Cache-Control"));
  CHECK(is_tchar('!'));
  CHECK(is_tchar('z'));
  CHECK_FALSE(is_tchar(':'));
  CHECK_FALSE(is_tchar(' '));
  CHECK_FALSE(is_tchar(0x80));
  std::vector<std::string> members;
  for_each_list_member(" a , \"b,c\" ,, d\t", [&](std::string_view m) { members.emplace_back(m); });
  CHECK(members == std::vector<std::string>{"a", "\"b,c\"", "d"});
}

TEST_CASE("request framing: an absolute-form authority is checked like Host", "[framing]") {
  Header h{"Host", "example.com"};
  auto check = [&](std::string_view target) {
    return request_framing(RequestLine{"GET", target, 1}, std::span<const Header>(&h, 1)).error;
  };
  CHECK(check("http://a.example/x") == ParseError::None);
  CHECK(check("http://a.example:8080") == ParseError::None);
  CHECK(check("http://a.example?q") == ParseError::None);
  CHECK(check("http://user@a.example/x") == ParseError::BadHost);  // RFC 9110 §4.2.4
  CHECK(check("http://a.example:99999/x") == ParseError::BadHost);
  CHECK(check("http://a example/x") == ParseError::BadHost);
  CHECK(check("http:///x") == ParseError::BadHost);
  CHECK(check("/x") == ParseError::None);
  CHECK(request_framing(RequestLine{"OPTIONS", "*", 1}, std::span<const Header>(&h, 1)).ok());
}
