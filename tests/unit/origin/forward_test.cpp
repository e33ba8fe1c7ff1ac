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
