// Byte ranges (RFC 9110 §14): resolve_range, Content-Range values, multipart/byteranges plans.
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "http/range.h"

using namespace lacquer::http;

namespace {
constexpr std::uint64_t kMax = UINT64_MAX;

// "I" (ignore), "U" (unsatisfiable) or "S:0-4,10-14": one string per outcome, easy to table.
std::string show(const RangeSet& s) {
  switch (s.outcome) {
    case RangeOutcome::Ignore:
      return s.ranges.empty() ? "I" : "I with ranges";
    case RangeOutcome::Unsatisfiable:
      return s.ranges.empty() ? "U" : "U with ranges";
    case RangeOutcome::Satisfiable:
      break;
  }
  std::string out = "S:";
  for (const ByteRange& r : s.ranges) {
    if (out.size() > 2) out += ',';
    out += std::to_string(r.first) + "-" + std::to_string(r.last);
  }
  return out;
}

std::string resolve(std::string_view v, std::uint64_t length, std::size_t max = 16) {
  return show(resolve_range(v, length, max));
}

std::string repeat(std::string_view member, int n) {
  std::string v = "bytes=";
  for (int i = 0; i < n; ++i) {
    if (i) v += ',';
    v += member;
  }
  return v;
}
}  // namespace

TEST_CASE("range: single ranges against 10000 bytes", "[range]") {
  auto [value, expected] = GENERATE(table<std::string, std::string>({
      {"bytes=0-499", "S:0-499"},
      {"bytes=500-999", "S:500-999"},
      {"bytes=0-0", "S:0-0"},
      {"bytes=9999-9999", "S:9999-9999"},
      {"BYTES=1-2", "S:1-2"},  // range-unit is case-insensitive (§14.1)
      {"Bytes=1-2", "S:1-2"},
  }));
  INFO(value);
  CHECK(resolve(value, 10000) == expected);
}

TEST_CASE("range: suffix ranges", "[range]") {
  auto [value, expected] = GENERATE(table<std::string, std::string>({
      {"bytes=-500", "S:9500-9999"},
      {"bytes=-1", "S:9999-9999"},
      {"bytes=-10000", "S:0-9999"},
      {"bytes=-10001", "S:0-9999"},  // longer than the representation: all of it (§14.1.3)
      {"bytes=-0", "U"},             // selects nothing
  }));
  INFO(value);
  CHECK(resolve(value, 10000) == expected);
}

TEST_CASE("range: open ranges", "[range]") {
  CHECK(resolve("bytes=9500-", 10000) == "S:9500-9999");
  CHECK(resolve("bytes=0-", 10000) == "S:0-9999");
  CHECK(resolve("bytes=9999-", 10000) == "S:9999-9999");
}

TEST_CASE("range: last-pos past the end is clipped", "[range]") {
  CHECK(resolve("bytes=0-10000", 10000) == "S:0-9999");
  CHECK(resolve("bytes=9000-99999", 10000) == "S:9000-9999");
  CHECK(resolve("bytes=5-5", 6) == "S:5-5");
  CHECK(resolve("bytes=5-6", 6) == "S:5-5");
}

TEST_CASE("range: overlapping and adjacent ranges coalesce", "[range]") {
  auto [value, expected] = GENERATE(table<std::string, std::string>({
      {"bytes=0-10,5-20", "S:0-20"},
      {"bytes=5-20,0-10", "S:0-20"},
      {"bytes=0-9,10-19", "S:0-19"},     // adjacent
      {"bytes=10-19,0-9", "S:0-19"},
      {"bytes=0-9,11-19", "S:0-9,11-19"},  // one byte apart: two parts
      {"bytes=50-59,0-9", "S:50-59,0-9"},  // order of appearance kept
      {"bytes=0-4,10-14,5-9", "S:0-14"},   // the third joins both
      {"bytes=10-14,0-4,3-11", "S:0-14"},  // the merge sits where the earliest part was
      {"bytes=20-29,10-14,0-4,3-11", "S:20-29,0-14"},
      {"bytes=0-0,0-0,0-0", "S:0-0"},
      {"bytes=-10,9990-9995", "S:9990-9999"},
      {"bytes=0-,500-600", "S:0-9999"},
      {"bytes=-500,0-499", "S:9500-9999,0-499"},
      {"bytes=-5000,0-5000", "S:0-9999"},
  }));
  INFO(value);
  CHECK(resolve(value, 10000) == expected);
}

TEST_CASE("range: unsatisfiable (416)", "[range]") {
  auto [value, length, expected] = GENERATE(table<std::string, std::uint64_t, std::string>({
      {"bytes=10000-", 10000, "U"},
      {"bytes=10000-10001", 10000, "U"},
      {"bytes=20000-30000", 10000, "U"},
      {"bytes=-0", 10000, "U"},
      {"bytes=-0,20000-", 10000, "U"},
      {"bytes=0-", 0, "U"},
      {"bytes=0-0", 0, "U"},
      {"bytes=-0", 0, "U"},
      {"bytes=20000-,0-1", 10000, "S:0-1"},  // one satisfiable member is enough
  }));
  INFO(value << " / " << length);
  CHECK(resolve(value, length) == expected);
}

TEST_CASE("range: a suffix on an empty representation is served as 200", "[range]") {
  // §14.1.1 calls it satisfiable, but a 206 cannot carry an empty range.
  CHECK(resolve("bytes=-5", 0) == "I");
  CHECK(resolve("bytes=0-,-5", 0) == "I");
}

TEST_CASE("range: numbers past 2^64", "[range]") {
  auto [value, length, expected] = GENERATE(table<std::string, std::uint64_t, std::string>({
      // first-pos overflows: beyond any length, an unsatisfiable member
      {"bytes=18446744073709551616-", 10, "U"},
      {"bytes=99999999999999999999999-", kMax, "U"},
      {"bytes=99999999999999999999998-99999999999999999999999", 10, "U"},
      {"bytes=99999999999999999999999-,0-1", 10, "S:0-1"},
      // last-pos below an overflowing first-pos: invalid, the field is ignored
      {"bytes=99999999999999999999999-5", 10, "I"},
      {"bytes=99999999999999999999999-99999999999999999999998", 10, "I"},
      {"bytes=18446744073709551616-18446744073709551615", 10, "I"},
      // last-pos overflows: clipped
      {"bytes=0-18446744073709551616", 10, "S:0-9"},
      {"bytes=3-99999999999999999999999", kMax, "S:3-18446744073709551614"},
      // suffix-length overflows: the whole representation
      {"bytes=-99999999999999999999999", 10, "S:0-9"},
      // exactly 2^64 - 1
      {"bytes=18446744073709551615-", kMax, "U"},
      {"bytes=18446744073709551614-", kMax, "S:18446744073709551614-18446744073709551614"},
      {"bytes=0-", kMax, "S:0-18446744073709551614"},
      {"bytes=-18446744073709551615", kMax, "S:0-18446744073709551614"},
      // leading zeros do not count as magnitude
      {"bytes=000000000000000000000000001-2", 10, "S:1-2"},
      {"bytes=5-0000000000000000000000004", 10, "I"},
      {"bytes=5-0000000000000000000000005", 10, "S:5-5"},
  }));
  INFO(value);
  CHECK(resolve(value, length) == expected);
}

TEST_CASE("range: invalid fields are ignored (200)", "[range]") {
  auto value = GENERATE(as<std::string>{}, "", "bytes", "bytes=", "bytes=,", "bytes= ,",
                        "=0-1", "items=0-1", "none", "bytes =0-1", "bytes= 0-1", "bytes=0 -1",
                        "bytes=0- 1", "bytes=0-1;", "bytes=5-1", "bytes=0-1,5-1", "bytes=--1",
                        "bytes=1-2-3", "bytes=0x10-", "bytes=-", "bytes=+1-2", "bytes=-+1",
                        "bytes=a-b", "bytes=1", "bytes=0-1 2-3", "bytes=0-1;2-3", "bytes=\"0-1\"",
                        "bytes=0-1,x", "bytes=\xd9\xa1-2", "bytes=0-1\r\n");
  INFO(value);
  CHECK(resolve(value, 10000) == "I");
}

TEST_CASE("range: OWS around commas and empty members", "[range]") {
  CHECK(resolve("bytes=0-1 , 5-6", 100) == "S:0-1,5-6");
  CHECK(resolve("bytes=0-1,\t5-6", 100) == "S:0-1,5-6");
  CHECK(resolve("bytes=0-1 ,5-6", 100) == "S:0-1,5-6");
  CHECK(resolve("bytes=0-1,,5-6", 100) == "S:0-1,5-6");
  CHECK(resolve("bytes=,0-1", 100) == "S:0-1");
  CHECK(resolve("bytes=0-1,", 100) == "S:0-1");
  CHECK(resolve("  bytes=0-1  ", 100) == "S:0-1");  // around the field value
}

TEST_CASE("range: too many ranges are ignored", "[range]") {
  CHECK(resolve(repeat("0-0", 16), 100) == "S:0-0");
  CHECK(resolve(repeat("0-0", 17), 100) == "I");  // counted before coalescing
  CHECK(resolve(repeat("200-", 17), 100) == "I");  // unsatisfiable members count too
  CHECK(resolve("bytes=0-1,4-5,8-9", 100, 2) == "I");
  CHECK(resolve("bytes=0-1,4-5", 100, 2) == "S:0-1,4-5");
  CHECK(resolve("bytes=0-1,,,,,4-5", 100, 2) == "S:0-1,4-5");  // empty members do not count
}

TEST_CASE("range: Content-Range values", "[range]") {
  std::string s;
  append_content_range(s, {0, 99}, 1234);
  CHECK(s == "bytes 0-99/1234");
  s = "x: ";
  append_content_range(s, {kMax - 1, kMax - 1}, kMax);
  CHECK(s == "x: bytes 18446744073709551614-18446744073709551614/18446744073709551615");
  s.clear();
  append_unsatisfied_range(s, 1234);
  CHECK(s == "bytes */1234");
  s.clear();
  append_unsatisfied_range(s, 0);
  CHECK(s == "bytes */0");
}

TEST_CASE("range: multipart/byteranges plan", "[range]") {
  const std::string body = "0123456789abcdefghijklmnopqrstuvwxyz";  // 36 bytes
  const std::vector<ByteRange> ranges = {{30, 35}, {0, 3}, {10, 10}};
  const std::string ct = GENERATE(as<std::string>{}, "text/plain", "");
  const MultipartPlan plan = plan_multipart(ranges, body.size(), ct, "BOUNDARY");
  CHECK(plan.content_type == "multipart/byteranges; boundary=BOUNDARY");
  REQUIRE(plan.part_heads.size() == 3);

  std::string sent;
  for (std::size_t i = 0; i < ranges.size(); ++i)
    sent += plan.part_heads[i] + body.substr(ranges[i].first, ranges[i].size());
  sent += plan.closing;
  CHECK(plan.body_length == sent.size());

  const std::string type_line = ct.empty() ? "" : "Content-Type: text/plain\r\n";
  CHECK(sent == "--BOUNDARY\r\n" + type_line + "Content-Range: bytes 30-35/36\r\n\r\nuvwxyz" +
                    "\r\n--BOUNDARY\r\n" + type_line + "Content-Range: bytes 0-3/36\r\n\r\n0123" +
                    "\r\n--BOUNDARY\r\n" + type_line + "Content-Range: bytes 10-10/36\r\n\r\na" +
                    "\r\n--BOUNDARY--\r\n");
}

TEST_CASE("range: multipart plan for a resolved set", "[range]") {
  const RangeSet s = resolve_range("bytes=-2,0-1,4-5", 8);
  REQUIRE(s.outcome == RangeOutcome::Satisfiable);
  const MultipartPlan plan = plan_multipart(s.ranges, 8, "application/octet-stream", "b");
  std::uint64_t expected = plan.closing.size();
  for (std::size_t i = 0; i < s.ranges.size(); ++i)
    expected += plan.part_heads[i].size() + s.ranges[i].size();
  CHECK(plan.body_length == expected);
}

TEST_CASE("range: boundaries from the caller's random bits", "[range]") {
  CHECK(make_multipart_boundary(0, 0) == std::string(32, '0'));
  CHECK(make_multipart_boundary(0x0123456789abcdef, 0xfedcba9876543210) ==
        "0123456789abcdeffedcba9876543210");
  CHECK(make_multipart_boundary(1, 0) != make_multipart_boundary(0, 1));
}
