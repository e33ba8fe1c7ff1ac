// The request sent to the origin: the scheme fields come from the listener, never the client.
#include <catch2/catch.hpp>

#include <vector>

#include "origin/forward.h"

using namespace lacquer;

namespace {

std::string forward(std::string_view proto, std::string_view client_ip, const std::vector<http::Header>& fields) {
  origin::ForwardRequest r;
  r.method = "GET";
  r.host = "example.com";
  r.target = "/a";
  r.headers = fields;
  r.client_ip = client_ip;
  r.via = "1.1 lacquer/0";
  r.proto = proto;
  std::string out;
  origin::append_origin_request(out, r);
  return out;
}

}  // namespace

TEST_CASE("X-Forwarded-Proto and Forwarded are ours, from the listener", "[forward]") {
  const std::vector<http::Header> lies = {{"X-Forwarded-Proto", "http"}, {"Forwarded", "for=1.2.3.4;proto=http"},
                                          {"x-forwarded-proto", "gopher"}};
  const std::string tls = forward("https", "10.0.0.7", lies);
  CHECK(tls.find("X-Forwarded-Proto: https\r\n") != std::string::npos);
  CHECK(tls.find("Forwarded: for=10.0.0.7;proto=https\r\n") != std::string::npos);
  CHECK(tls.find("proto=http\r\n") == std::string::npos);
  CHECK(tls.find("gopher") == std::string::npos);
  CHECK(tls.find(": http\r\n") == std::string::npos);

  const std::string plain = forward("http", "::1", {});
  CHECK(plain.find("X-Forwarded-Proto: http\r\n") != std::string::npos);
  CHECK(plain.find("Forwarded: for=\"[::1]\";proto=http\r\n") != std::string::npos);  // RFC 7239 §6
}

TEST_CASE("origin_request_bound covers every head append_origin_request writes", "[forward]") {
  const std::vector<http::Header> none;
  const std::vector<http::Header> many = {{"X-Forwarded-For", "1.1.1.1, 2.2.2.2"}, {"Accept", "*/*"},
                                          {"Connection", "x-drop"}, {"X-Drop", "gone"}, {"Via", "1.0 other"},
                                          {"User-Agent", std::string_view("a-rather-long-user-agent-string/1.0")}};
  for (const auto* fields : {&none, &many}) {
    for (std::string_view ip : {"1.2.3.4", "2001:db8::1234:5678:9abc:def0"}) {
      for (bool body : {false, true}) {
        for (std::string_view upgrade : {std::string_view(), std::string_view("websocket")}) {
          origin::ForwardRequest r;
          r.method = "OPTIONS";
          r.host = "a.example";
          r.target = "/";
          r.headers = *fields;
          r.client_ip = ip;
          r.via = "1.1 lacquer/0.1.0";
          r.proto = "https";
          r.has_body = body;
          r.body_length = UINT64_MAX;  // the longest Content-Length there is
          r.upgrade = upgrade;
          std::string out = "prefix";
          origin::append_origin_request(out, r);
          INFO(out);
          CHECK(out.size() - 6 <= origin::origin_request_bound(r));
          CHECK(out.capacity() >= 6 + origin::origin_request_bound(r));  // reserved up front: one allocation
        }
      }
    }
  }
}

TEST_CASE("an untrusted peer's forwarding fields are replaced", "[forward]") {
  const std::vector<http::Header> lies = {{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-Proto", "https"},
                                          {"Forwarded", "for=6.6.6.6;proto=https"}};
  const std::string out = forward("http", "10.0.0.7", lies);
  CHECK(out.find("X-Forwarded-For: 10.0.0.7\r\n") != std::string::npos);
  CHECK(out.find("6.6.6.6") == std::string::npos);
  CHECK(out.find("X-Forwarded-Proto: http\r\n") != std::string::npos);
  CHECK(out.find("Forwarded: for=10.0.0.7;proto=http\r\n") != std::string::npos);
}

TEST_CASE("a trusted proxy's forwarding fields are extended (RFC 7239 §4)", "[forward]") {
  const std::vector<http::Header> theirs = {{"X-Forwarded-For", "203.0.113.9, 198.51.100.2"},
                                            {"X-Forwarded-Proto", "https"},
                                            {"Forwarded", "for=203.0.113.9;proto=https"},
                                            {"X-Forwarded-Host", "evil.example"}};
  origin::ForwardRequest r;
  r.method = "GET";
  r.host = "example.com";
  r.target = "/a";
  r.headers = theirs;
  r.client_ip = "10.0.0.7";
  r.via = "1.1 lacquer/0";
  r.proto = "http";
  r.trusted_peer = true;
  std::string out;
  origin::append_origin_request(out, r);
  CHECK(out.find("X-Forwarded-For: 203.0.113.9, 198.51.100.2, 10.0.0.7\r\n") != std::string::npos);
  CHECK(out.find("X-Forwarded-Proto: https\r\n") != std::string::npos);
  const auto theirs_at = out.find("Forwarded: for=203.0.113.9;proto=https\r\n");
  const auto ours_at = out.find("Forwarded: for=10.0.0.7;proto=http\r\n");
  REQUIRE(theirs_at != std::string::npos);
  REQUIRE(ours_at != std::string::npos);
  CHECK(theirs_at < ours_at);
  CHECK(out.find("evil.example") == std::string::npos);  // still unkeyed: never forwarded
  // A scheme that is neither http nor https is not believed.
  const std::vector<http::Header> odd = {{"X-Forwarded-Proto", "gopher"}};
  r.headers = odd;
  out.clear();
  origin::append_origin_request(out, r);
  CHECK(out.find("X-Forwarded-Proto: http\r\n") != std::string::npos);
}

TEST_CASE("a site's request rules remove and set fields, ours included", "[forward]") {
  const std::vector<http::Header> fields = {{"Cookie", "a=1"}, {"X-Site", "client"}, {"Accept", "*/*"}};
  const std::vector<std::string> drop = {"cookie", "X-Site", "X-Forwarded-For"};
  origin::ForwardRequest r;
  r.method = "GET";
  r.host = "example.com";
  r.target = "/a";
  r.headers = fields;
  r.client_ip = "10.0.0.7";
  r.via = "1.1 lacquer/0";
  r.edits = http::HeaderEdits{drop, "X-Site: edge\r\n"};
  std::string out;
  origin::append_origin_request(out, r);
  CHECK(out.find("Cookie") == std::string::npos);
  CHECK(out.find("X-Site: client") == std::string::npos);
  CHECK(out.find("X-Site: edge\r\n") != std::string::npos);
  CHECK(out.find("X-Forwarded-For") == std::string::npos);
  CHECK(out.find("Accept: */*\r\n") != std::string::npos);
  CHECK(out.find("Forwarded: for=10.0.0.7;proto=http\r\n") != std::string::npos);
  CHECK(out.size() >= 4);
  CHECK(out.substr(out.size() - 4) == "\r\n\r\n");
}
