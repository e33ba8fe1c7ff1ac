// Chunked decoder (RFC 9112 §7.1): whole-buffer and byte-at-a-time feeding, every error.
#include <string>

#include <catch2/catch.hpp>

#include "http/chunked.h"

using namespace lacquer::http;
using namespace std::string_literals;

namespace {
struct Outcome {
  ChunkStep::Kind kind = ChunkStep::Kind::NeedMore;
  ParseError error = ParseError::None;
  std::string body;
  std::size_t consumed_total = 0;  // bytes of input consumed when Done/Error
};

// Feeds `in` to a decoder `piece` bytes at a time, re-presenting unconsumed bytes as the
// contract says.
Outcome decode(std::string_view in, std::size_t piece, ChunkedLimits lim = {}) {
  ChunkedDecoder d(lim);
  Outcome o;
  std::string pending;
  std::size_t fed = 0;
  for (;;) {
    auto s = d.step(pending);
    REQUIRE(s.consumed <= pending.size());
    o.consumed_total += s.consumed;
    if (s.kind == ChunkStep::Kind::Data) {
      REQUIRE(s.data.data() >= pending.data());
      REQUIRE(s.data.data() + s.data.size() <= pending.data() + s.consumed);
      o.body += s.data;
      pending.erase(0, s.consumed);
      continue;
    }
    pending.erase(0, s.consumed);
    if (s.kind == ChunkStep::Kind::Done || s.kind == ChunkStep::Kind::Error) {
      o.kind = s.kind;
      o.error = s.error;
      if (s.kind == ChunkStep::Kind::Done) CHECK(d.done());
      return o;
    }
    if (fed == in.size()) {
      o.kind = ChunkStep::Kind::NeedMore;
      return o;
    }
    const std::size_t n = std::min(piece, in.size() - fed);
    pending.append(in.substr(fed, n));
    fed += n;
  }
}
}  // namespace

TEST_CASE("chunked: valid bodies at every feed size", "[chunked]") {
  auto [in, body] = GENERATE(table<std::string, std::string>({
      {"0\r\n\r\n", ""},
      {"5\r\nhello\r\n0\r\n\r\n", "hello"},
      {"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"},
      {"A\r\n0123456789\r\n000\r\n\r\n", "0123456789"},
      {"a;ext=1;q=\"x y\"\r\n0123456789\r\n0;last\r\n\r\n", "0123456789"},
      {"3\r\nabc\r\n0\r\nExpires: never\r\nX-T:\r\n\r\n", "abc"},
      {"2\r\n\r\n\r\n0\r\n\r\n", "\r\n"},
  }));
  auto piece = GENERATE(1, 2, 3, 7, 1000);
  INFO(in << " piece=" << piece);
  auto o = decode(in + "NEXT", piece);
  CHECK(o.kind == ChunkStep::Kind::Done);
  CHECK(o.body == body);
  CHECK(o.consumed_total == in.size());  // stops exactly after the chunked body
}

TEST_CASE("chunked: body_bytes and Data views", "[chunked]") {
  ChunkedDecoder d;
  std::string_view in = "4\r\nabcd\r\n";
  auto s = d.step(in);
  CHECK(s.kind == ChunkStep::Kind::Data);
  CHECK(s.data == "abcd");
  CHECK(s.consumed == 7);
  CHECK(d.body_bytes() == 4);
  s = d.step(in.substr(7));
  CHECK(s.kind == ChunkStep::Kind::NeedMore);
  CHECK(s.consumed == 2);
  s = d.step("0\r\n\r\n");
  CHECK(s.kind == ChunkStep::Kind::Done);
  CHECK(d.done());
  // After Done, nothing more is consumed.
  s = d.step("junk");
  CHECK(s.kind == ChunkStep::Kind::Done);
  CHECK(s.consumed == 0);
}

TEST_CASE("chunked: errors at every feed size", "[chunked]") {
  auto [in, err] = GENERATE(table<std::string, ParseError>({
      {"\r\n", ParseError::BadChunkSize},                    // empty size
      {"g\r\n", ParseError::BadChunkSize},
      {" 5\r\nhello\r\n0\r\n\r\n", ParseError::BadChunkSize},
      {"5 \r\nhello\r\n0\r\n\r\n", ParseError::BadChunkSize},
      {"5 ;x\r\nhello\r\n0\r\n\r\n", ParseError::BadChunkSize},  // BWS rejected
      {"-5\r\n", ParseError::BadChunkSize},
      {"0x5\r\n", ParseError::BadChunkSize},
      {";x\r\n", ParseError::BadChunkSize},
      {"11111111111111111\r\n", ParseError::BadChunkSize},  // 17 digits
      {"8000000000000001\r\n", ParseError::BadChunkSize},   // > 2^63
      {"FFFFFFFFFFFFFFFF\r\n", ParseError::BadChunkSize},
      {"5;a\x01\r\nhello\r\n", ParseError::BadChunkSize},   // CTL in extension
      {"5\nhello\r\n0\r\n\r\n", ParseError::BadChunkTerminator},
      {"5\rhello\r\n0\r\n\r\n", ParseError::BadChunkTerminator},
      {"5;x\nhello\r\n", ParseError::BadChunkTerminator},
      {"5\r\nhelloX\r\n0\r\n\r\n", ParseError::BadChunkTerminator},
      {"5\r\nhello\n0\r\n\r\n", ParseError::BadChunkTerminator},
      {"5\r\nhello\rX0\r\n\r\n", ParseError::BadChunkTerminator},
      {"0\r\n\n", ParseError::BadChunkTerminator},
      {"0\r\n\rX", ParseError::BadChunkTerminator},
      {"0\r\nA: b\n\r\n", ParseError::BadChunkTerminator},
      {"0\r\nA: b\r\n c\r\n\r\n", ParseError::ObsFold},
      {"0\r\nA : b\r\n\r\n", ParseError::WhitespaceBeforeColon},
      {"0\r\nNoColon\r\n\r\n", ParseError::BadHeaderName},
      {"0\r\n: v\r\n\r\n", ParseError::BadHeaderName},
      {"0\r\nA: \x01\r\n\r\n", ParseError::BadHeaderValue},
  }));
  auto piece = GENERATE(1, 3, 1000);
  INFO(in << " piece=" << piece);
  auto o = decode(in, piece);
  CHECK(o.kind == ChunkStep::Kind::Error);
  CHECK(o.error == err);
}

TEST_CASE("chunked: limits", "[chunked]") {
  ChunkedLimits lim;
  lim.max_size_digits = 4;
  lim.max_extension = 8;
  lim.max_trailer_bytes = 16;
  auto piece = GENERATE(1, 1000);
  SECTION("size digits") {
    CHECK(decode("0fff\r\n", piece, lim).kind == ChunkStep::Kind::NeedMore);
    CHECK(decode("0ffff\r\n", piece, lim).error == ParseError::BadChunkSize);
    // the default allows 16 digits, the largest value being 2^63
    CHECK(decode("8000000000000000\r\n", piece).kind == ChunkStep::Kind::NeedMore);
  }
  SECTION("body size, refused at the size line") {
    ChunkedLimits body_lim;
    body_lim.max_body_bytes = 10;
    CHECK(decode("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", piece, body_lim).kind ==
          ChunkStep::Kind::Done);
    auto o = decode("5\r\nhello\r\n6\r\n", piece, body_lim);  // no data needed to refuse
    CHECK(o.error == ParseError::BodyTooLarge);
    CHECK(status_for(o.error) == 413);
    CHECK(decode("7fffffffffffffff\r\n", piece, body_lim).error == ParseError::BodyTooLarge);
  }
  SECTION("extension") {
    CHECK(decode("1;12345678\r\nx\r\n0\r\n\r\n", piece, lim).kind == ChunkStep::Kind::Done);
    auto o = decode("1;123456789\r\nx\r\n0\r\n\r\n", piece, lim);
    CHECK(o.error == ParseError::ChunkExtensionTooLong);
  }
  SECTION("trailer") {
    CHECK(decode("0\r\nA: 012345678\r\n\r\n", piece, lim).kind == ChunkStep::Kind::Done);
    auto o = decode("0\r\nA: 0123456789\r\n\r\n", piece, lim);
    CHECK(o.error == ParseError::TrailerTooLarge);
    CHECK(status_for(o.error) == 431);
    // an endless trailer line is cut off at the limit even with no line end in sight
    o = decode("0\r\nA: " + std::string(100, 'x'), piece, lim);
    CHECK(o.error == ParseError::TrailerTooLarge);
  }
}

TEST_CASE("chunked: error is sticky", "[chunked]") {
  ChunkedDecoder d;
  auto s = d.step("zz");
  REQUIRE(s.kind == ChunkStep::Kind::Error);
  s = d.step("5\r\nhello\r\n");
  CHECK(s.kind == ChunkStep::Kind::Error);
  CHECK(s.error == ParseError::BadChunkSize);
  CHECK(s.consumed == 0);
}
