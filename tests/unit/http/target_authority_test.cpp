// The authority of a request without Host (RFC 9112 §3.3).
#include <catch2/catch.hpp>

#include "http/target_authority.h"

using namespace lacquer::http;

TEST_CASE("target authority: Host, else the default name, else the local address", "[authority]") {
  CHECK(target_authority(std::string_view("a.example"), "d.example", "127.0.0.1:80") == "a.example");
  CHECK(target_authority(std::nullopt, "d.example", "127.0.0.1:80") == "d.example");
  CHECK(target_authority(std::string_view(""), "d.example", "127.0.0.1:80") == "d.example");
  CHECK(target_authority(std::nullopt, "", "[::1]:8080") == "[::1]:8080");
}
