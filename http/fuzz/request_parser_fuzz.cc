// Request head parser + request framing + chunked body. Invariants: results are views inside
// the consumed prefix; a Complete head reparses identically from exactly `consumed` bytes and
// is Incomplete one byte shorter; a re-serialized head parses to the same fields.
#include <array>
#include <string>

#include "http/chunked.h"
#include "http/framing.h"
#include "http/parser.h"
#include "http/fuzz/fuzz_common.h"

using namespace lacquer::http;
using lacquer::fuzz::within;

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::array<Header, 16> hs;
  // Small limits so the fuzzer reaches them; the default limits too.
  ParseLimits small;
  small.max_request_line = 64;
  small.max_field = 48;
  small.max_header_bytes = 256;
  for (const ParseLimits& lim : {small, ParseLimits{}}) {
    const auto r = parse_request_head(in, hs, lim);
    if (r.status == ParseStatus::Error) {
      FUZZ_CHECK(r.error != ParseError::None);
      continue;
    }
    FUZZ_CHECK(r.error == ParseError::None);
    if (r.status == ParseStatus::Incomplete) continue;

    FUZZ_CHECK(r.consumed >= 4 && r.consumed <= in.size());
    const std::string_view head = in.substr(0, r.consumed);
    FUZZ_CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
    FUZZ_CHECK(r.header_count <= hs.size());
    FUZZ_CHECK(!r.line.method.empty() && within(r.line.method, head));
    FUZZ_CHECK(!r.line.target.empty() && within(r.line.target, head));
    FUZZ_CHECK(r.line.version_minor == 0 || r.line.version_minor == 1);
    for (std::size_t i = 0; i < r.header_count; ++i) {
      FUZZ_CHECK(!hs[i].name.empty() && within(hs[i].name, head) && within(hs[i].value, head));
      FUZZ_CHECK(hs[i].value.empty() ||
                 (hs[i].value.front() != ' ' && hs[i].value.back() != ' ' &&
                  hs[i].value.front() != '\t' && hs[i].value.back() != '\t'));
      for (char c : hs[i].value) FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0');
    }
    // Exactly `consumed` bytes suffice; one fewer is Incomplete.
    std::array<Header, 16> hs2;
    const auto again = parse_request_head(head, hs2, lim);
    FUZZ_CHECK(again.status == ParseStatus::Complete && again.consumed == r.consumed);
    const auto shorter = parse_request_head(head.substr(0, head.size() - 1), hs2, lim);
    FUZZ_CHECK(shorter.status == ParseStatus::Incomplete);

    // Round trip through a canonical serialization.
    std::string canon;
    canon.append(r.line.method).append(" ").append(r.line.target);
    canon.append(r.line.version_minor ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    for (std::size_t i = 0; i < r.header_count; ++i)
      canon.append(hs[i].name).append(": ").append(hs[i].value).append("\r\n");
    canon.append("\r\n");
    const auto rt = parse_request_head(canon, hs2, ParseLimits{1 << 20, 1 << 20, 1 << 20});
    FUZZ_CHECK(rt.status == ParseStatus::Complete && rt.consumed == canon.size());
    FUZZ_CHECK(rt.header_count == r.header_count);
    FUZZ_CHECK(rt.line.method == r.line.method && rt.line.target == r.line.target);
    for (std::size_t i = 0; i < r.header_count; ++i)
      FUZZ_CHECK(hs2[i].name == hs[i].name && hs2[i].value == hs[i].value);

    const auto f = request_framing(r.line, std::span<const Header>(hs.data(), r.header_count));
    FUZZ_CHECK(f.ok() || status_for(f.error) >= 400);
    if (f.ok() && f.framing.kind == BodyKind::Chunked) {
      ChunkedDecoder d;
      std::string_view body = in.substr(r.consumed);
      for (int guard = 0; guard < 100000; ++guard) {
        const auto s = d.step(body);
        FUZZ_CHECK(s.consumed <= body.size());
        body.remove_prefix(s.consumed);
        if (s.kind != ChunkStep::Kind::Data) break;
        FUZZ_CHECK(!s.data.empty());
      }
    }
  }
  return 0;
}
