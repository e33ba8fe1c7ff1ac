#include <catch2/catch.hpp>

#include "edge/admin/query.h"

using namespace lacquer::edge;

TEST_CASE("query parameters are found and percent-decoded") {
  CHECK(query_param("/purge/url?url=http%3A%2F%2Fa%2Fb%3Fc%3D1&soft=1", "url") == "http://a/b?c=1");
  CHECK(query_param("/x?soft=1", "soft") == "1");
  CHECK(query_param("/x?soft", "soft") == "");
  CHECK_FALSE(query_param("/x?softer=1", "soft"));
  CHECK_FALSE(query_param("/x", "soft"));
  CHECK_FALSE(query_param("/x?url=%zz", "url"));
  CHECK_FALSE(percent_decode("%4"));
  CHECK(percent_decode("a+b%20c") == "a b c");
}

TEST_CASE("admin URLs split into host and target") {
  auto a = split_url("http://Example.com/a/b?q");
  REQUIRE(a);
  CHECK(a->first == "Example.com");
  CHECK(a->second == "/a/b?q");
  auto b = split_url("example.com");
  REQUIRE(b);
  CHECK(b->second == "/");
  CHECK(split_url("example.com?x")->second == "/?x");
  CHECK_FALSE(split_url("/relative"));
  CHECK_FALSE(split_url(""));
}
