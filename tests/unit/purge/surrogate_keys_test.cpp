#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "purge/surrogate_keys.h"

using namespace lacquer::purge;
using lacquer::http::Header;

TEST_CASE("surrogate keys split on spaces and tabs, deduplicated") {
  std::vector<Header> h = {{"Surrogate-Key", "article-42  section-sport\tarticle-42"}};
  auto k = parse_surrogate_keys(h);
  REQUIRE(k.hashes.size() == 2);
  CHECK(k.hashes[0] == tag_hash("article-42"));
  CHECK(k.hashes[1] == tag_hash("section-sport"));
  CHECK(k.dropped == 0);
}

TEST_CASE("several Surrogate-Key fields add up; other fields are ignored") {
  std::vector<Header> h = {{"surrogate-key", "a"}, {"X-Other", "b"}, {"Surrogate-Key", "c"}};
  auto k = parse_surrogate_keys(h);
  CHECK(k.hashes == std::vector<std::uint64_t>{tag_hash("a"), tag_hash("c")});
}

TEST_CASE("over-limit keys are dropped and counted, the rest kept") {
  SurrogateKeyLimits limits;
  limits.max_key_bytes = 8;
  limits.max_keys = 2;
  std::vector<Header> h = {{"Surrogate-Key", "short waytoolongkey b c d"}};
  auto k = parse_surrogate_keys(h, limits);
  CHECK(k.hashes == std::vector<std::uint64_t>{tag_hash("short"), tag_hash("b")});
  CHECK(k.dropped == 3);
}

TEST_CASE("the header size cap drops whole keys, never half of one") {
  SurrogateKeyLimits limits;
  limits.max_header_bytes = 10;
  std::vector<Header> h = {{"Surrogate-Key", "abcd efgh ijkl"}};
  auto k = parse_surrogate_keys(h, limits);
  CHECK(k.hashes == std::vector<std::uint64_t>{tag_hash("abcd"), tag_hash("efgh")});
  CHECK(k.over_header_limit);
  CHECK(k.dropped == 1);
}

TEST_CASE("tag hashes are stable across processes") {
  // Persisted format: this value must never change.
  CHECK(tag_hash("article-42") == tag_hash(std::string("article-") + "42"));
  CHECK(tag_hash("a") != tag_hash("b"));
}
