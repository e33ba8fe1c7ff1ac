// Vary parsing and secondary keys (RFC 9111 §4.1).
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "http/vary.h"

using namespace lacquer::http;

namespace {
using P = std::pair<std::string, std::string>;
struct Fields {
  std::vector<P> fields;
  std::vector<Header> hs;
  Fields(std::initializer_list<P> f) : fields(f) {
    for (auto& [n, v] : fields) hs.push_back({n, v});
  }
  Fields(const Fields&) = delete;  // hs points into fields
};

std::string vary_of(std::initializer_list<P> f) {
  Fields r(f);
  return serialize_vary(parse_vary(r.hs));
}

std::string key(std::string_view names, std::initializer_list<P> f) {
  Fields r(f);
  std::string out;
  append_variant_key(out, names, r.hs);
  return out;
}
}  // namespace

TEST_CASE("vary: parse and serialise", "[vary]") {
  CHECK(vary_of({}) == "");
  CHECK(vary_of({{"Vary", "Accept-Encoding"}}) == "accept-encoding");
  CHECK(vary_of({{"Vary", "Accept-Language, accept-encoding"}}) ==
        "accept-encoding,accept-language");
  CHECK(vary_of({{"vary", "B"}, {"Content-Type", "x"}, {"VARY", "a, b"}}) == "a,b");
  CHECK(vary_of({{"Vary", " , ,Accept,, "}}) == "accept");     // empty members skipped
  CHECK(vary_of({{"Vary", "Accept, bad name, (x), ok"}}) == "accept,ok");  // not tokens
  CHECK(vary_of({{"Vary", ""}}) == "");
}

TEST_CASE("vary: star anywhere", "[vary]") {
  Fields a{{"Vary", "Accept"}, {"Vary", "*"}};
  const VarySpec s = parse_vary(a.hs);
  CHECK(s.star);
  CHECK(s.fields.empty());
  CHECK(serialize_vary(s) == "*");
  Fields b{{"Vary", "Accept, *, Cookie"}};
  CHECK(parse_vary(b.hs).star);
  Fields c{{"Vary", "*x"}};  // a token, not the star
  CHECK_FALSE(parse_vary(c.hs).star);
  CHECK(parse_vary(c.hs).fields == std::vector<std::string>{"*x"});
}

TEST_CASE("vary: key layout", "[vary]") {
  CHECK(key("", {{"Accept", "x"}}) == "");
  CHECK(key("accept-encoding", {{"Accept-Encoding", "gzip"}}) == "\x1f" "accept-encoding=gzip");
  CHECK(key("accept-encoding,cookie", {{"Cookie", "a=1"}}) ==
        "\x1f" "accept-encoding\x1e" "\x1f" "cookie=a=1");
  CHECK(key("x", {{"X", "1"}, {"Y", "2"}, {"x", "3"}}) == "\x1f" "x=1,3");
  // appends, never clears
  std::string out = "primary";
  Fields r{{"X", "1"}};
  append_variant_key(out, "x", r.hs);
  CHECK(out == "primary\x1f" "x=1");
}

TEST_CASE("vary: absent is not empty", "[vary]") {
  const std::string absent = key("accept-encoding", {});
  const std::string empty = key("accept-encoding", {{"Accept-Encoding", ""}});
  const std::string blank = key("accept-encoding", {{"Accept-Encoding", "  "}});
  CHECK(absent != empty);
  CHECK(empty == blank);
  CHECK(absent == "\x1f" "accept-encoding\x1e");
  CHECK(empty == "\x1f" "accept-encoding=");
}

TEST_CASE("vary: whitespace-equivalent values share a key", "[vary]") {
  auto [a, b] = GENERATE(table<std::string, std::string>({
      {"gzip, br", "gzip,br"},
      {"gzip ,br", "gzip,br"},
      {"  gzip,\tbr  ", "gzip,br"},
      {"text/html;  q=0.9", "text/html; q=0.9"},
      {"a \t b", "a b"},
      {"a,,b", "a,,b"},
  }));
  INFO(a << " vs " << b);
  CHECK(key("x-custom", {{"X-Custom", a}}) == key("x-custom", {{"X-Custom", b}}));
}

TEST_CASE("vary: lines combine like one list", "[vary]") {
  CHECK(key("accept-encoding", {{"Accept-Encoding", "gzip"}, {"Accept-Encoding", "br"}}) ==
        key("accept-encoding", {{"Accept-Encoding", "gzip, br"}}));
}

TEST_CASE("vary: different values keep different keys", "[vary]") {
  auto [a, b] = GENERATE(table<std::string, std::string>({
      {"gzip", "br"},
      {"gzip,br", "br,gzip"},  // order is the client's preference: kept
      {"a b", "ab"},           // inner whitespace is not removed, only collapsed
      {"\"a  b\"", "\"a b\""},  // quoted strings are copied as they are
      {"\"a ,b\"", "\"a,b\""},
      {"Foo", "foo"},          // case kept outside the Accept family
  }));
  INFO(a << " vs " << b);
  CHECK(key("x-custom", {{"X-Custom", a}}) != key("x-custom", {{"X-Custom", b}}));
}

TEST_CASE("vary: Accept* values are case-folded outside quotes", "[vary]") {
  auto name = GENERATE(as<std::string>{}, "accept", "accept-charset", "accept-encoding",
                       "accept-language");
  INFO(name);
  CHECK(key(name, {{name, "GZIP, En-US;Q=0.5"}}) == key(name, {{name, "gzip,en-us;q=0.5"}}));
  CHECK(key(name, {{name, "a;p=\"X\""}}) != key(name, {{name, "a;p=\"x\""}}));
  CHECK(key("user-agent", {{"User-Agent", "X"}}) != key("user-agent", {{"User-Agent", "x"}}));
}

TEST_CASE("vary: quoted strings with escapes", "[vary]") {
  // The escaped quote does not end the string, so the spaces after it are kept.
  CHECK(key("x", {{"X", "\"a\\\"  ,  b\"  ,  c"}}) == "\x1f" "x=\"a\\\"  ,  b\",c");
}

TEST_CASE("vary: request field names match case-insensitively", "[vary]") {
  CHECK(key("accept-language", {{"ACCEPT-LANGUAGE", "de"}}) ==
        key("accept-language", {{"accept-language", "de"}}));
}
