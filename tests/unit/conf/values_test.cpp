#include <catch2/catch.hpp>

#include "conf/loader.h"

using namespace lacquer::conf;

TEST_CASE("parse_size accepts bytes and binary suffixes", "[conf][size]") {
  struct Row {
    const char* text;
    std::uint64_t bytes;
  };
  const Row rows[] = {
      {"0", 0},
      {"512", 512},
      {"12B", 12},
      {"12b", 12},
      {"64K", 64ull << 10},
      {"64k", 64ull << 10},
      {"64KB", 64ull << 10},
      {"64KiB", 64ull << 10},
      {"64kib", 64ull << 10},
      {"256M", 256ull << 20},
      {"256mb", 256ull << 20},
      {"1G", 1ull << 30},
      {"1GiB", 1ull << 30},
      {"2T", 2ull << 40},
      {" 8K ", 8ull << 10},
      {"18446744073709551615", 18446744073709551615ull},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    auto v = parse_size(r.text);
    REQUIRE(v.has_value());
    CHECK(*v == r.bytes);
  }
}

TEST_CASE("parse_size rejects malformed sizes", "[conf][size]") {
  for (const char* text : {"", " ", "K", "lots", "-1", "+1", "1.5G", "1 G", "1X", "1KK", "1Kb2",
                           "1iB", "1BB", "0x10", "18446744073709551616", "17179869184G",
                           "99999999999999999999999"}) {
    INFO(text);
    CHECK_FALSE(parse_size(text).has_value());
  }
}

TEST_CASE("parse_duration_ms accepts units", "[conf][duration]") {
  struct Row {
    const char* text;
    std::uint32_t ms;
  };
  const Row rows[] = {
      {"0", 0},        {"0s", 0},           {"250ms", 250},     {"10s", 10000},
      {"10", 10000},   {"2m", 120000},      {"1h", 3600000},    {"1d", 86400000},
      {" 5s ", 5000},  {"4294967295ms", 4294967295u},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    auto v = parse_duration_ms(r.text);
    REQUIRE(v.has_value());
    CHECK(*v == r.ms);
  }
}

TEST_CASE("parse_duration_ms rejects malformed durations", "[conf][duration]") {
  for (const char* text : {"", "s", "soon", "-1s", "1.5s", "10 s", "10S", "10sec", "1w", "1y",
                           "4294967296ms", "50d", "1h30m", "ms10"}) {
    INFO(text);
    CHECK_FALSE(parse_duration_ms(text).has_value());
  }
}

TEST_CASE("parse_endpoint accepts host:port and [v6]:port", "[conf][endpoint]") {
  struct Row {
    const char* text;
    const char* host;
    std::uint16_t port;
  };
  const Row rows[] = {
      {"127.0.0.1:8080", "127.0.0.1", 8080},
      {"0.0.0.0:0", "0.0.0.0", 0},
      {"localhost:80", "localhost", 80},
      {"origin.example.com:65535", "origin.example.com", 65535},
      {"my_host-1:1", "my_host-1", 1},
      {"[::1]:8080", "::1", 8080},
      {"[::]:0", "::", 0},
      {"[2001:db8::1]:443", "2001:db8::1", 443},
      {"[::ffff:10.0.0.1]:80", "::ffff:10.0.0.1", 80},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    auto e = parse_endpoint(r.text);
    REQUIRE(e.has_value());
    CHECK(e->host == r.host);
    CHECK(e->port == r.port);
  }
}

TEST_CASE("parse_endpoint rejects bad addresses", "[conf][endpoint]") {
  for (const char* text :
       {"", ":80", "8080", "localhost", "localhost:", "localhost:65536", "localhost:-1",
        "localhost:+80", "localhost:http", "localhost:080800", "::1:8080", "[::1]", "[::1]8080",
        "[::1:8080", "[nothost]:80", "[127.0.0.1]:80", "256.0.0.1:80", "1.2.3:80", "a..b:80",
        ".a:80", "bad host:80", "bad/host:80", "[]:80"}) {
    INFO(text);
    CHECK_FALSE(parse_endpoint(text).has_value());
  }
}

TEST_CASE("Endpoint::to_string brackets IPv6", "[conf][endpoint]") {
  CHECK(Endpoint{"127.0.0.1", 8080}.to_string() == "127.0.0.1:8080");
  CHECK(Endpoint{"::1", 8080}.to_string() == "[::1]:8080");
  CHECK(Endpoint{"example.com", 0}.to_string() == "example.com:0");
  for (const char* text : {"127.0.0.1:8080", "[::1]:8080", "host:1"}) {
    CHECK(parse_endpoint(text)->to_string() == text);
  }
}

TEST_CASE("ConfigError::to_string formats", "[conf]") {
  CHECK(ConfigError{"lacquer.toml", 12, 10, "cache.memory", "expected x, got y"}.to_string() ==
        "lacquer.toml:12:10: cache.memory: expected x, got y");
  CHECK(ConfigError{"command line", 0, 0, "--memory", "expected x, got y"}.to_string() ==
        "command line: --memory: expected x, got y");
  CHECK(ConfigError{"a.toml", 3, 1, "", "TOML syntax error: boom"}.to_string() ==
        "a.toml:3:1: TOML syntax error: boom");
  CHECK(ConfigError{"/nope.toml", 0, 0, "", "cannot read"}.to_string() == "/nope.toml: cannot read");
}
