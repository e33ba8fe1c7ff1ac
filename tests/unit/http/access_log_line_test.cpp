#include <catch2/catch.hpp>

#include "http/access_log_line.h"

using namespace lacquer::http;

namespace {
AccessRecord sample() {
  AccessRecord r;
  r.client = "127.0.0.1";
  r.method = "GET";
  r.target = "/a?b=1";
  r.version = "HTTP/1.1";
  r.protocol = "http/1.1";
  r.user_agent = "curl/8";
  r.cache_status = "lacquer; hit";
  r.status = 200;
  r.body_bytes = 512;
  r.unix_ms = 1796313401123;  // 2026-12-03T15:56:41.123Z
  r.duration_us = 1234;
  r.origin_first_byte_us = 800;
  return r;
}
}  // namespace

TEST_CASE("combined line carries the request, status, bytes, timings and Cache-Status") {
  std::string out;
  append_access_line(out, sample(), AccessLogStyle::Combined);
  CHECK(out ==
        "127.0.0.1 - - [03/Dec/2026:15:56:41 +0000] \"GET /a?b=1 HTTP/1.1\" 200 512 \"-\" \"curl/8\" "
        "0.001234 0.000800 \"lacquer; hit\" http/1.1\n");
}

TEST_CASE("combined line: no origin fetch is '-', quotes and control bytes cannot forge a line") {
  auto r = sample();
  r.origin_first_byte_us = -1;
  r.user_agent = "evil\" 200 0\n127.0.0.1";
  std::string out;
  append_access_line(out, r, AccessLogStyle::Combined);
  CHECK(out.find("\"evil\\\" 200 0\\x0a127.0.0.1\"") != std::string::npos);
  CHECK(out.find(" 0.001234 - ") != std::string::npos);
  CHECK(out.find('\n') == out.size() - 1);
}

TEST_CASE("combined line for a request that could not be parsed") {
  AccessRecord r;
  r.client = "::1";
  r.status = 400;
  r.protocol = "http/1.1";
  std::string out;
  append_access_line(out, r, AccessLogStyle::Combined);
  CHECK(out.find("\"-\" 400 0 ") != std::string::npos);
}

TEST_CASE("JSON line is one object with escaped strings and null for no origin fetch") {
  auto r = sample();
  r.origin_first_byte_us = -1;
  r.target = "/q\"\x01";
  r.aborted = true;
  std::string out;
  append_access_line(out, r, AccessLogStyle::Json);
  CHECK(out.rfind("{\"time\":\"2026-12-03T15:56:41.123Z\",\"client\":\"127.0.0.1\"", 0) == 0);
  CHECK(out.find("\"target\":\"/q\\\"\\u0001\"") != std::string::npos);
  CHECK(out.find("\"status\":200,\"bytes\":512,\"duration_s\":0.001234,\"origin_first_byte_s\":null") !=
        std::string::npos);
  CHECK(out.find("\"aborted\":true}\n") != std::string::npos);
}

TEST_CASE("lines append to the buffer the caller reuses") {
  std::string out;
  append_access_line(out, sample(), AccessLogStyle::Combined);
  append_access_line(out, sample(), AccessLogStyle::Json);
  CHECK(std::count(out.begin(), out.end(), '\n') == 2);
}
