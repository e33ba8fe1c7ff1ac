// HTTP-date (RFC 9110 §5.6.7).
#include <string>

#include <catch2/catch.hpp>

#include "http/date.h"

using namespace lacquer::http;

TEST_CASE("http-date: the three forms", "[date]") {
  auto [text, epoch] = GENERATE(table<std::string, std::int64_t>({
      {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},
      {"Sunday, 06-Nov-94 08:49:37 GMT", 784111777},
      {"Sun Nov  6 08:49:37 1994", 784111777},
      {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
      {"Wed, 31 Dec 1969 23:59:59 GMT", -1},
      {"Tue, 29 Feb 2000 12:00:00 GMT", 951825600},
      {"Thu, 29 Feb 2024 00:00:00 GMT", 1709164800},
      {"Fri, 31 Dec 9999 23:59:59 GMT", 253402300799},
      {"Sat Jan 01 00:00:00 2000", 946684800},
      {"Tue, 19 Jan 2038 03:14:08 GMT", 2147483648},
      // RFC 9111 §4.2: caches match day, month and zone names in any case
      {"sun, 06 nov 1994 08:49:37 gmt", 784111777},
      {"SUN, 06 NOV 1994 08:49:37 GMT", 784111777},
      {"Sun, 06 nov 1994 08:49:37 Gmt", 784111777},
      {"SUNDAY, 06-NOV-94 08:49:37 GMT", 784111777},
      {"sunday, 06-nov-94 08:49:37 gmt", 784111777},
      {"sun nov  6 08:49:37 1994", 784111777},
      {"SUN NOV 06 08:49:37 1994", 784111777},
  }));
  INFO(text);
  auto t = parse_http_date(text);
  REQUIRE(t);
  CHECK(*t == epoch);
}

TEST_CASE("http-date: invalid", "[date]") {
  auto text = GENERATE(as<std::string>{},
      "", "0", "-1", "Sun, 06 Nov 1994 08:49:37 UTC", "sun, 06 Nov 1994 08:49:37 utc",
      "Sun, 06 Nov 1994 08:49:37 +0000", "Sun, 06 November 1994 08:49:37 GMT",
      "Sunday, 06 Nov 1994 08:49:37 GMT", "Sun,06 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 08:49:37 GMTx", "Sun, 06 Nov 1994 08:49:37 GM", "Sun, 06 Nov 1994",
      "Sun, 06 Nov 1994 8:49:37 GMT", "Sun, 06 Nov 1994 08.49.37 GMT", "1994-11-06T08:49:37Z",
      "Sun, 06 Nov 1994 08:49:37 GMT\r", "Sun, 06 Nov 1994 08:49:37 GMT, Mon",
      "Sun  Nov  6 08:49:37 1994", "Sund, 06-Nov-94 08:49:37 GMT", "Sun, 06 Nox 1994 08:49:37 GMT",
      "Sun, 6 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT ",
      " Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
      "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:61 GMT",
      "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 1900 08:49:37 GMT",
      "Sun, 00 Nov 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 08:49:37", "Sunday, 06-Nov-1994 08:49:37 GMT",
      "Sunday, 06 Nov 94 08:49:37 GMT", "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94",
      "Sun Nov 06 08:49:37 1994 GMT", "Sun, 06 Nov 1994 08:49:3\x00 GMT");
  INFO(text);
  CHECK_FALSE(parse_http_date(text));
}

TEST_CASE("http-date: RFC 850 two-digit years are at most 50 years ahead", "[date]") {
  const std::int64_t now_2025 = 1735689600;  // 2025-01-01
  // 75 -> 2075 (exactly 50 years ahead), 76 -> 1976
  CHECK(*parse_http_date("Tuesday, 01-Jan-75 00:00:00 GMT", now_2025) == 3313526400);
  CHECK(*parse_http_date("Thursday, 01-Jan-76 00:00:00 GMT", now_2025) == 189302400);
  CHECK(*parse_http_date("Saturday, 01-Jan-00 00:00:00 GMT", now_2025) == 946684800);
  // relative to 1990: 40 -> 2040 is 50 years ahead (kept), 41 -> 1941, 50 -> 1950
  const std::int64_t now_1990 = 631152000;
  CHECK(*parse_http_date("Sunday, 01-Jan-40 00:00:00 GMT", now_1990) == 2208988800);
  CHECK(*parse_http_date("Wednesday, 01-Jan-41 00:00:00 GMT", now_1990) == -915148800);
  // relative to 2090: 05 -> 2105 (the next century)
  const std::int64_t now_2090 = 3786912000;
  CHECK(*parse_http_date("Thursday, 01-Jan-05 00:00:00 GMT", now_2090) == 4260211200);
  CHECK(*parse_http_date("Sunday, 01-Jan-50 00:00:00 GMT", now_1990) == -631152000);
  // the one-argument form uses the reference time
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") ==
        parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", kRfc850ReferenceTime));
}

TEST_CASE("http-date: formatting", "[date]") {
  CHECK(format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(format_http_date(-1) == "Wed, 31 Dec 1969 23:59:59 GMT");
  CHECK(format_http_date(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
  CHECK(format_http_date(INT64_MAX) == "Fri, 31 Dec 9999 23:59:59 GMT");
  CHECK(format_http_date(INT64_MIN) == "Sat, 01 Jan 0000 00:00:00 GMT");
  char buf[29];
  format_http_date(1700000000, buf);
  CHECK(std::string(buf, 29) == "Tue, 14 Nov 2023 22:13:20 GMT");
}

TEST_CASE("http-date: format and parse round-trip", "[date]") {
  auto t = GENERATE(std::int64_t{0}, std::int64_t{1}, std::int64_t{86399}, std::int64_t{86400},
                    std::int64_t{-86401}, std::int64_t{1234567890}, std::int64_t{4102444800},
                    std::int64_t{-2208988800}, std::int64_t{253402300799});
  auto back = parse_http_date(format_http_date(t));
  REQUIRE(back);
  CHECK(*back == t);
}
