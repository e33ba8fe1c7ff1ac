#include <string>

#include <catch2/catch.hpp>

#include "http/chunked.h"
#include "http/parser.h"
#include "http/serializer.h"

using namespace lacquer::http;

TEST_CASE("serializer writes heads the parser accepts", "[serializer]") {
  std::string out;
  append_status_line(out, 200);
  append_header(out, "Content-Length", std::uint64_t{1234567890123});
  append_header(out, "Cache-Status", "lacquer; hit; ttl=120");
  out += "\r\n";
  CHECK(out ==
        "HTTP/1.1 200 OK\r\nContent-Length: 1234567890123\r\n"
        "Cache-Status: lacquer; hit; ttl=120\r\n\r\n");
  std::array<Header, 4> hs;
  auto r = parse_response_head(out, hs, {});
  REQUIRE(r.status == ParseStatus::Complete);
  CHECK(r.line.status == 200);
  CHECK(hs[0].value == "1234567890123");

  out.clear();
  append_request_line(out, "GET", "/x?y");
  append_header(out, "Host", "h");
  out += "\r\n";
  CHECK(out == "GET /x?y HTTP/1.1\r\nHost: h\r\n\r\n");
  CHECK(parse_request_head(out, hs, {}).status == ParseStatus::Complete);
}

TEST_CASE("status lines and reason phrases", "[serializer]") {
  auto [status, reason, line] = GENERATE(table<int, std::string, std::string>({
      {404, "", "HTTP/1.1 404 Not Found\r\n"},
      {504, "", "HTTP/1.1 504 Gateway Timeout\r\n"},
      {299, "", "HTTP/1.1 299 Unknown\r\n"},
      {200, "Fine", "HTTP/1.1 200 Fine\r\n"},
      {431, "", "HTTP/1.1 431 Request Header Fields Too Large\r\n"},
  }));
  std::string out;
  append_status_line(out, status, reason);
  CHECK(out == line);
  CHECK(reason_phrase(304) == "Not Modified");
  CHECK(reason_phrase(799) == "Unknown");
}

TEST_CASE("chunk framing round-trips through the decoder", "[serializer]") {
  std::string out;
  append_chunk_header(out, 0x1a2b);
  CHECK(out == "1a2b\r\n");
  out.clear();
  const std::string a(300, 'a'), b = "hello";
  append_chunk_header(out, a.size());
  out += a;
  out += kChunkTrailer;
  append_chunk_header(out, b.size());
  out += b;
  out += kChunkTrailer;
  out += kLastChunk;
  ChunkedDecoder d;
  std::string body;
  std::string_view in = out;
  for (;;) {
    auto s = d.step(in);
    in.remove_prefix(s.consumed);
    if (s.kind == ChunkStep::Kind::Data) body += s.data;
    if (s.kind != ChunkStep::Kind::Data) {
      CHECK(s.kind == ChunkStep::Kind::Done);
      break;
    }
  }
  CHECK(body == a + b);
  CHECK(in.empty());
}
