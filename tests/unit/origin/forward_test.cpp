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
