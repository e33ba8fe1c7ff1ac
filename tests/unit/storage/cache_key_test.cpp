#include <catch2/catch.hpp>

#include "storage/cache_key.h"

using lacquer::storage::make_cache_key;

TEST_CASE("cache key normalises host case, default port and percent-encoding case") {
  auto a = make_cache_key("EXAMPLE.com", "/a%2fb?x=%7e");
  auto b = make_cache_key("example.com:80", "/a%2Fb?x=%7E");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->text == "http://example.com/a%2Fb?x=%7E");
  CHECK(a->text == b->text);
  CHECK(a->primary == b->primary);
  CHECK(a->host() == "example.com");
  CHECK(a->target() == "/a%2Fb?x=%7E");
}

TEST_CASE("cache key keeps what distinguishes resources") {
  auto base = make_cache_key("example.com", "/a?x=1");
  auto SECTION_values = GENERATE(as<std::pair<std::string, std::string>>{},
                                 std::pair{"example.com", "/a?x=2"},
                                 std::pair{"example.com", "/A?x=1"},
                                 std::pair{"example.com:8080", "/a?x=1"},
                                 std::pair{"other.com", "/a?x=1"},
                                 std::pair{"example.com", "/a"});
  auto other = make_cache_key(SECTION_values.first, SECTION_values.second);
  REQUIRE(other);
  CHECK(other->text != base->text);
}

TEST_CASE("absolute-form target wins over Host") {
  auto k = make_cache_key("ignored.example", "http://Real.Example:80/p?q");
  REQUIRE(k);
  CHECK(k->text == "http://real.example/p?q");
}

TEST_CASE("targets that cannot be keyed are refused") {
  auto target = GENERATE(as<std::string>{}, "*", "example.com:443", "", "/a%zz", "/a%2", "/a#frag",
                         "https://example.com/");
  CHECK_FALSE(make_cache_key("example.com", target));
}

TEST_CASE("hosts with characters that could split the key are refused") {
  auto host = GENERATE(as<std::string>{}, "", "a/b", "a b", "user@host", "a?b");
  CHECK_FALSE(make_cache_key(host, "/"));
}

TEST_CASE("the process seed changes index hashes but not key text") {
  auto before = make_cache_key("example.com", "/x");
  lacquer::storage::set_process_hash_seed(12345);
  auto after = make_cache_key("example.com", "/x");
  CHECK(before->text == after->text);
  CHECK(before->primary != after->primary);
}

TEST_CASE("cache key text around escapes, bytes above ASCII and the end of the target") {
  auto k = make_cache_key("Example.COM:8080", "/%e2%82%ac/\xc3\xa9t\xc3\xa9/%41?q=%2a&r=%20");
  REQUIRE(k);
  CHECK(k->text == "http://example.com:8080/%E2%82%AC/\xc3\xa9t\xc3\xa9/%41?q=%2A&r=%20");
  CHECK(k->target() == "/%E2%82%AC/\xc3\xa9t\xc3\xa9/%41?q=%2A&r=%20");
  auto query_only = make_cache_key("example.com", "http://example.com?x=%7e");
  REQUIRE(query_only);
  CHECK(query_only->text == "http://example.com/?x=%7E");
  auto bad = GENERATE(as<std::string>{}, "/a%", "/a%4", "/ok/%4g", "/a b", "/a\x7f", "/a\tb", "/a%41#x");
  CHECK_FALSE(make_cache_key("example.com", bad));
}
