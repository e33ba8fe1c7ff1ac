// Entity-tags and conditional requests (RFC 9110 §8.8.3, §13).
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "http/conditional.h"

using namespace lacquer::http;

namespace {
constexpr std::int64_t kLm = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
const char* const kLmText = "Sun, 06 Nov 1994 08:49:37 GMT";
const char* const kBefore = "Sun, 06 Nov 1994 08:49:36 GMT";  // kLm - 1
const char* const kAfter = "Sun, 06 Nov 1994 08:49:38 GMT";   // kLm + 1

using P = std::pair<std::string, std::string>;
Precondition eval(std::vector<P> fields, std::string_view etag, std::optional<std::int64_t> lm,
                  std::optional<std::int64_t> date = std::nullopt) {
  std::vector<Header> hs;
  for (auto& [n, v] : fields) hs.push_back({n, v});
  return evaluate_preconditions(hs, etag, lm, date);
}
}  // namespace

TEST_CASE("etag: parse", "[conditional]") {
  auto t = parse_entity_tag("\"xyzzy\"");
  REQUIRE(t);
  CHECK_FALSE(t->weak);
  CHECK(t->opaque == "\"xyzzy\"");
  t = parse_entity_tag(" W/\"xyzzy\"\t");
  REQUIRE(t);
  CHECK(t->weak);
  CHECK(t->opaque == "\"xyzzy\"");
  t = parse_entity_tag("\"\"");
  REQUIRE(t);
  CHECK(t->opaque == "\"\"");
  t = parse_entity_tag("\"a,b\\c\x80\xff\"");  // ',', '\' and obs-text are etagc
  REQUIRE(t);
  CHECK(t->opaque.size() == 9);
}

TEST_CASE("etag: malformed", "[conditional]") {
  auto s = GENERATE(as<std::string>{}, "", "xyzzy", "\"xyzzy", "xyzzy\"", "w/\"x\"", "W/x",
                    "W/", "W /\"x\"", "W/ \"x\"", "\"a b\"", "\"a\tb\"", "\"a\"b\"", "\"a\"\"b\"",
                    "\"a\" \"b\"", "\"a\",", "\"\x7f\"", std::string("\"\0\"", 3), "*");
  INFO(s);
  CHECK_FALSE(parse_entity_tag(s));
}

TEST_CASE("etag: weak and strong comparison (RFC 9110 §8.8.3.2)", "[conditional]") {
  auto [a, b, strong, weak] = GENERATE(table<std::string, std::string, bool, bool>({
      {"W/\"1\"", "W/\"1\"", false, true},
      {"W/\"1\"", "W/\"2\"", false, false},
      {"W/\"1\"", "\"1\"", false, true},
      {"\"1\"", "\"1\"", true, true},
      {"\"1\"", "W/\"1\"", false, true},
      {"\"1\"", "\"2\"", false, false},
      {"\"1\"", "\"01\"", false, false},
      {"\"a\"", "\"A\"", false, false},  // opaque-tags are case-sensitive
  }));
  INFO(a << " vs " << b);
  const auto ta = parse_entity_tag(a), tb = parse_entity_tag(b);
  REQUIRE(ta);
  REQUIRE(tb);
  CHECK(strong_match(*ta, *tb) == strong);
  CHECK(weak_match(*ta, *tb) == weak);
  CHECK(strong_match(*tb, *ta) == strong);
  CHECK(weak_match(*tb, *ta) == weak);
}

TEST_CASE("if-none-match: lists, star, whitespace, malformed members", "[conditional]") {
  auto [field, stored, matches] = GENERATE(table<std::string, std::string, bool>({
      {"\"a\"", "\"a\"", true},
      {"\"a\"", "W/\"a\"", true},  // weak comparison
      {"W/\"a\"", "\"a\"", true},
      {"\"b\"", "\"a\"", false},
      {"\"x\", \"y\", \"a\"", "\"a\"", true},
      {"\"x\",\"a\"", "\"a\"", true},
      {"\"x\"\t,\t\"a\"", "\"a\"", true},
      {"  \"a\"  ", "\"a\"", true},
      {", ,\"a\",", "\"a\"", true},           // empty members
      {"\"a,b\"", "\"a,b\"", true},            // a comma inside an opaque-tag
      {"\"a,b\"", "\"a\"", false},
      {"\"x\\\", \"a\"", "\"a\"", true},       // '\' escapes nothing in an entity-tag
      {"bogus, \"a\"", "\"a\"", true},          // malformed member skipped
      {"\"x, \"a\"", "\"a\"", true},            // `"x` is malformed (SP is no etagc)
      {"\"x,\"a\"", "\"a\"", true},             // `"x,"a"` is malformed, then `"a"`
      {"\"x\" junk, \"a\"", "\"a\"", true},
      {"W/\"x\"W/\"a\"", "\"a\"", false},
      {"\"a\" \"a\"", "\"a\"", false},
      {"*", "\"a\"", true},
      {" * ", "\"a\"", true},
      {"*", "", true},                           // a stored representation exists
      {"\"a\", *", "\"b\"", false},             // "*" only counts as the whole field
      {"\"a\"", "", false},                      // no stored ETag
      {"\"a\"", "garbage", false},
      {"", "\"a\"", false},
      {"W/\"\"", "\"\"", true},
  }));
  INFO(field << " / " << stored);
  CHECK(if_none_match_matches(field, stored) == matches);
}

TEST_CASE("if-match: strong comparison", "[conditional]") {
  auto [field, stored, matches] = GENERATE(table<std::string, std::string, bool>({
      {"\"a\"", "\"a\"", true},
      {"\"x\", \"a\"", "\"a\"", true},
      {"W/\"a\"", "\"a\"", false},
      {"\"a\"", "W/\"a\"", false},
      {"*", "W/\"a\"", true},
      {"*", "", true},
      {"\"a\"", "", false},
      {"bogus", "\"a\"", false},
  }));
  INFO(field << " / " << stored);
  CHECK(if_match_matches(field, stored) == matches);
}

TEST_CASE("preconditions: If-None-Match", "[conditional]") {
  CHECK(eval({{"If-None-Match", "\"a\""}}, "\"a\"", kLm) == Precondition::NotModified);
  CHECK(eval({{"If-None-Match", "\"b\""}}, "\"a\"", kLm) == Precondition::Proceed);
  CHECK(eval({{"if-none-match", "W/\"a\""}}, "\"a\"", kLm) == Precondition::NotModified);
  // several lines are one list
  CHECK(eval({{"If-None-Match", "\"x\""}, {"If-None-Match", "\"a\""}}, "\"a\"", kLm) ==
        Precondition::NotModified);
  CHECK(eval({{"If-None-Match", "\"x\""}, {"If-None-Match", "\"y\""}}, "\"a\"", kLm) ==
        Precondition::Proceed);
}

TEST_CASE("preconditions: If-None-Match beats If-Modified-Since", "[conditional]") {
  // INM does not match: IMS would say 304, but it is ignored (§13.1.3).
  CHECK(eval({{"If-None-Match", "\"b\""}, {"If-Modified-Since", kLmText}}, "\"a\"", kLm) ==
        Precondition::Proceed);
  // INM matches: IMS would say 200, but INM decides.
  CHECK(eval({{"If-Modified-Since", kBefore}, {"If-None-Match", "\"a\""}}, "\"a\"", kLm) ==
        Precondition::NotModified);
  // even a malformed INM (no member parses) displaces IMS
  CHECK(eval({{"If-None-Match", "junk"}, {"If-Modified-Since", kLmText}}, "\"a\"", kLm) ==
        Precondition::Proceed);
}

TEST_CASE("preconditions: If-Modified-Since", "[conditional]") {
  auto [ims, expected] = GENERATE(table<std::string, Precondition>({
      {kLmText, Precondition::NotModified},
      {kAfter, Precondition::NotModified},
      {kBefore, Precondition::Proceed},
      {"Sunday, 06-Nov-94 08:49:37 GMT", Precondition::NotModified},
      {"Sun Nov  6 08:49:37 1994", Precondition::NotModified},
      {"yesterday", Precondition::Proceed},  // invalid date: ignored
      {"Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:38 GMT", Precondition::Proceed},
      {"", Precondition::Proceed},
  }));
  INFO(ims);
  CHECK(eval({{"If-Modified-Since", ims}}, "", kLm) == expected);
}

TEST_CASE("preconditions: If-Modified-Since details", "[conditional]") {
  // Without Last-Modified the stored Date stands in (RFC 9111 §4.3.2).
  CHECK(eval({{"If-Modified-Since", kLmText}}, "", std::nullopt, kLm) ==
        Precondition::NotModified);
  CHECK(eval({{"If-Modified-Since", kBefore}}, "", std::nullopt, kLm) == Precondition::Proceed);
  // Last-Modified wins over Date when both exist.
  CHECK(eval({{"If-Modified-Since", kLmText}}, "", kLm, kLm - 100) == Precondition::NotModified);
  CHECK(eval({{"If-Modified-Since", kBefore}}, "", kLm, kLm - 100) == Precondition::Proceed);
  // Neither: nothing to compare.
  CHECK(eval({{"If-Modified-Since", kLmText}}, "", std::nullopt) == Precondition::Proceed);
  // Two lines are a list, which is not a valid HTTP-date: ignored.
  CHECK(eval({{"If-Modified-Since", kLmText}, {"If-Modified-Since", kLmText}}, "", kLm) ==
        Precondition::Proceed);
}

TEST_CASE("preconditions: If-Match", "[conditional]") {
  CHECK(eval({{"If-Match", "\"a\""}}, "\"a\"", kLm) == Precondition::Proceed);
  CHECK(eval({{"If-Match", "\"b\""}}, "\"a\"", kLm) == Precondition::Failed);
  CHECK(eval({{"If-Match", "W/\"a\""}}, "W/\"a\"", kLm) == Precondition::Failed);
  CHECK(eval({{"If-Match", "*"}}, "", kLm) == Precondition::Proceed);
  CHECK(eval({{"If-Match", "\"x\""}, {"If-Match", "\"a\""}}, "\"a\"", kLm) ==
        Precondition::Proceed);
  // 412 comes before 304
  CHECK(eval({{"If-None-Match", "\"a\""}, {"If-Match", "\"b\""}}, "\"a\"", kLm) ==
        Precondition::Failed);
  // If-Match passes, If-None-Match then decides
  CHECK(eval({{"If-Match", "\"a\""}, {"If-None-Match", "\"a\""}}, "\"a\"", kLm) ==
        Precondition::NotModified);
}

TEST_CASE("preconditions: If-Unmodified-Since", "[conditional]") {
  CHECK(eval({{"If-Unmodified-Since", kLmText}}, "", kLm) == Precondition::Proceed);
  CHECK(eval({{"If-Unmodified-Since", kAfter}}, "", kLm) == Precondition::Proceed);
  CHECK(eval({{"If-Unmodified-Since", kBefore}}, "", kLm) == Precondition::Failed);
  CHECK(eval({{"If-Unmodified-Since", "nonsense"}}, "", kLm) == Precondition::Proceed);
  // no Last-Modified: ignored (§13.1.4), Date does not stand in
  CHECK(eval({{"If-Unmodified-Since", kBefore}}, "", std::nullopt, kLm) == Precondition::Proceed);
  // If-Match present: If-Unmodified-Since is not evaluated
  CHECK(eval({{"If-Match", "\"a\""}, {"If-Unmodified-Since", kBefore}}, "\"a\"", kLm) ==
        Precondition::Proceed);
  // IUS passes, then IMS says not modified
  CHECK(eval({{"If-Unmodified-Since", kAfter}, {"If-Modified-Since", kAfter}}, "", kLm) ==
        Precondition::NotModified);
  // IUS fails before IMS is looked at
  CHECK(eval({{"If-Unmodified-Since", kBefore}, {"If-Modified-Since", kAfter}}, "", kLm) ==
        Precondition::Failed);
}

TEST_CASE("preconditions: none", "[conditional]") {
  CHECK(eval({}, "\"a\"", kLm, kLm) == Precondition::Proceed);
  CHECK(eval({{"Range", "bytes=0-1"}, {"If-Range", "\"a\""}}, "\"a\"", kLm) ==
        Precondition::Proceed);
}

TEST_CASE("if-range: entity-tags", "[conditional]") {
  auto [value, stored, allows] = GENERATE(table<std::string, std::string, bool>({
      {"\"a\"", "\"a\"", true},
      {" \"a\" ", "\"a\"", true},
      {"\"a\"", "\"b\"", false},
      {"\"a\"", "W/\"a\"", false},  // a weak stored ETag never matches
      {"W/\"a\"", "\"a\"", false},
      {"W/\"a\"", "W/\"a\"", false},
      {"\"a\"", "", false},
      {"\"a\", \"b\"", "\"a\"", false},  // one entity-tag, not a list
      {"\"a", "\"a\"", false},
  }));
  INFO(value << " / " << stored);
  CHECK(if_range_allows(value, stored, kLm, kLm + 10) == allows);
}

TEST_CASE("if-range: dates", "[conditional]") {
  auto [value, lm, date, allows] = GENERATE(
      table<std::string, std::optional<std::int64_t>, std::optional<std::int64_t>, bool>({
          {kLmText, kLm, kLm + 1, true},      // Last-Modified 1 s before Date: strong
          {kLmText, kLm, kLm + 3600, true},
          {kLmText, kLm, kLm, false},         // same second as Date: weak
          {kLmText, kLm, kLm - 5, false},
          {kLmText, kLm, std::nullopt, false},  // cannot tell: weak
          {kLmText, std::nullopt, kLm + 10, false},
          {kAfter, kLm, kLm + 10, false},     // must be equal, not later
          {kBefore, kLm, kLm + 10, false},
          {"Sun Nov  6 08:49:37 1994", kLm, kLm + 10, true},
          {"not a date", kLm, kLm + 10, false},
          {"", kLm, kLm + 10, false},
      }));
  INFO(value);
  CHECK(if_range_allows(value, "\"a\"", lm, date) == allows);
}
