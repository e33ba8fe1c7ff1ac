// RFC 8941 Dictionary parsing (http/structured_field) and its use for CDN-Cache-Control
// (http/targeted_cache_control, RFC 9213 §2.1). Cases follow the RFC's algorithms and the
// httpwg structured-field-tests vectors for dictionaries, numbers, strings and tokens.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "http/structured_field.h"
#include "http/targeted_cache_control.h"

using namespace lacquer::http;

namespace {
struct Got {
  std::string key;
  SfType type;
  std::int64_t integer;
  std::string text;
  std::string params;
};
bool parse(std::string_view field, std::vector<Got>& out) {
  out.clear();
  auto visit = [&](const SfMember& m) {
    out.push_back({std::string(m.key), m.type, m.integer, std::string(m.text), std::string(m.params)});
  };
  return parse_sf_dictionary(field, visit);
}
bool valid(std::string_view field) {
  std::vector<Got> ignored;
  return parse(field, ignored);
}
}  // namespace

TEST_CASE("sf dictionary: members and their types", "[structured_field]") {
  std::vector<Got> m;
  REQUIRE(parse(R"(a=1, b="x\"y", c=tok/en:1, d=:aGk=:, e=?0, f, g=-2.5;p=1, h=(1 "2" t);q)", m));
  REQUIRE(m.size() == 8);
  CHECK((m[0].key == "a" && m[0].type == SfType::Integer && m[0].integer == 1));
  CHECK((m[1].type == SfType::String && m[1].text == R"(x\"y)"));
  CHECK((m[2].type == SfType::Token && m[2].text == "tok/en:1"));
  CHECK((m[3].type == SfType::ByteSequence && m[3].text == "aGk="));
  CHECK((m[4].type == SfType::Boolean && m[4].integer == 0));
  CHECK((m[5].key == "f" && m[5].type == SfType::Boolean && m[5].integer == 1));
  CHECK((m[6].type == SfType::Decimal && m[6].integer == -2500 && m[6].params == ";p=1"));
  CHECK((m[7].type == SfType::InnerList && m[7].text == R"((1 "2" t))" && m[7].params == ";q"));
}

TEST_CASE("sf dictionary: whitespace, duplicates and empty fields", "[structured_field]") {
  std::vector<Got> m;
  REQUIRE(parse("  a=1 ,\tb=2  ", m));
  CHECK(m.size() == 2);
  REQUIRE(parse("a=1, a=2", m));  // both visited; the consumer keeps the last
  CHECK((m.size() == 2 && m[1].integer == 2));
  REQUIRE(parse("", m));
  CHECK(m.empty());
  REQUIRE(parse("   ", m));
  CHECK(m.empty());
  REQUIRE(parse("*x.y_z-1=1", m));
  CHECK(m[0].key == "*x.y_z-1");
}

TEST_CASE("sf dictionary: what does not parse", "[structured_field]") {
  const char* bad = GENERATE(
      "a=1,", ",a=1", "a=1,,b=2", "a=1 b=2", "A=1", "1a=1", "-a=1", "a=", "a==1", "\ta=1",
      "a=1.", "a=1.2345", "a=1234567890123.1", "a=1234567890123456", "a=--1", "a=-", "a=\"x",
      "a=\"x\\y\"", "a=\"\x01\"", "a=\"\xc3\xa9\"", "a=:aGk", "a=:a!k:", "a=?2", "a=?", "a=(1 2",
      "a=(1,2)", "a=(1)x", "a=1;", "a=1;P=2", "a=1;p=", "a=#x", "a=@", "a=1 ;p", "max-age=60+30",
      "no-cache=\"a\" ,", "a=(1  \"x\"x)");
  INFO(bad);
  CHECK_FALSE(valid(bad));
}

TEST_CASE("sf dictionary: limits of numbers", "[structured_field]") {
  std::vector<Got> m;
  REQUIRE(parse("a=999999999999999, b=-999999999999999, c=999999999999.999, d=0.1", m));
  CHECK(m[0].integer == 999999999999999);
  CHECK(m[1].integer == -999999999999999);
  CHECK(m[2].integer == 999999999999999);
  CHECK(m[3].integer == 100);
}

TEST_CASE("CDN-Cache-Control: directives with the types RFC 9213 §2.1 implies", "[targeted]") {
  auto c = parse_targeted_cache_control(
      "max-age=600, s-maxage=60;x=1, stale-while-revalidate=5, stale-if-error=99, no-store, "
      "must-revalidate, public, no-cache=\"Set-Cookie\", private, ext=(1 2), other=?0");
  REQUIRE(c);
  CHECK(c->max_age == 600u);
  CHECK(c->s_maxage == 60u);
  CHECK(c->stale_while_revalidate == 5u);
  CHECK(c->stale_if_error == 99u);
  CHECK(c->no_store);
  CHECK(c->must_revalidate);
  CHECK(c->public_);
  CHECK(c->no_cache_fields);
  CHECK_FALSE(c->no_cache);
  CHECK(c->private_);
  auto last = parse_targeted_cache_control("max-age=1, max-age=7");
  REQUIRE(last);
  CHECK(last->max_age == 7u);
  auto huge = parse_targeted_cache_control("max-age=999999999999");
  REQUIRE(huge);
  CHECK(huge->max_age == kDeltaSecondsMax);
}

TEST_CASE("CDN-Cache-Control: ignored as a whole when invalid or wrongly typed", "[targeted]") {
  const char* ignored = GENERATE(
      "", "  ", "max-age=60,", "max-age=60+30", "Max-Age=60", "max-age=\"60\"", "max-age=60.0",
      "max-age=-1", "max-age=sixty", "max-age", "s-maxage=?1", "no-store=?0", "no-store=1",
      "private=tok", "no-cache=1", "stale-if-error=(1)", "max-age=60, no-store=\"yes\"");
  INFO(ignored);
  CHECK_FALSE(parse_targeted_cache_control(ignored));
}

TEST_CASE("CDN-Cache-Control: several field lines are one dictionary", "[targeted]") {
  std::vector<Header> hs{{"CDN-Cache-Control", "max-age=60"}, {"Cache-Control", "x"},
                         {"cdn-cache-control", "no-store"}};
  auto c = targeted_cache_control_fields(hs, "CDN-Cache-Control");
  REQUIRE(c);
  CHECK((c->max_age == 60u && c->no_store));
  hs[2].value = "max-age=x";
  CHECK_FALSE(targeted_cache_control_fields(hs, "CDN-Cache-Control"));
  CHECK_FALSE(targeted_cache_control_fields(std::span(hs).first(1).subspan(1), "CDN-Cache-Control"));
}
