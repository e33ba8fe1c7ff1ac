// Chunked decoder, differential: the whole input at once must give the same body, outcome and
// consumed length as the same input fed in pieces (sizes taken from the first bytes).
#include <string>

#include "http/chunked.h"
#include "http/fuzz/fuzz_common.h"

using namespace lacquer::http;

namespace {
struct Result {
  ChunkStep::Kind kind = ChunkStep::Kind::NeedMore;
  ParseError error = ParseError::None;
  std::string body;
  std::size_t consumed = 0;
};

Result run(std::string_view in, std::size_t piece, const ChunkedLimits& lim) {
  ChunkedDecoder d(lim);
  Result res;
  std::string pending;
  std::size_t fed = 0;
  for (;;) {
    const ChunkStep s = d.step(pending);
    FUZZ_CHECK(s.consumed <= pending.size());
    res.consumed += s.consumed;
    if (s.kind == ChunkStep::Kind::Data) {
      FUZZ_CHECK(!s.data.empty());
      FUZZ_CHECK(s.data.data() >= pending.data() &&
                 s.data.data() + s.data.size() <= pending.data() + s.consumed);
      res.body.append(s.data);
      pending.erase(0, s.consumed);
      continue;
    }
    pending.erase(0, s.consumed);
    if (s.kind == ChunkStep::Kind::Done || s.kind == ChunkStep::Kind::Error) {
      res.kind = s.kind;
      res.error = s.error;
      FUZZ_CHECK((s.kind == ChunkStep::Kind::Error) == (s.error != ParseError::None));
      FUZZ_CHECK(d.done() == (s.kind == ChunkStep::Kind::Done));
      FUZZ_CHECK(d.body_bytes() == res.body.size());
      return res;
    }
    FUZZ_CHECK(pending.empty());  // NeedMore consumes everything it looked at
    if (fed == in.size()) return res;
    const std::size_t n = piece < in.size() - fed ? piece : in.size() - fed;
    pending.append(in.substr(fed, n));
    fed += n;
  }
}
}  // namespace

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0] % 7;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  ChunkedLimits lim;
  if (data[0] & 0x80) {  // small limits half of the time
    lim.max_size_digits = 4;
    lim.max_extension = 16;
    lim.max_trailer_bytes = 64;
  }
  const Result whole = run(in, in.size() ? in.size() : 1, lim);
  const Result pieces = run(in, piece, lim);
  FUZZ_CHECK(whole.kind == pieces.kind);
  FUZZ_CHECK(whole.error == pieces.error);
  FUZZ_CHECK(whole.body == pieces.body);
  if (whole.kind == ChunkStep::Kind::Done) FUZZ_CHECK(whole.consumed == pieces.consumed);
  return 0;
}
