// HTTP/2 request fields -> HTTP/1.1 head, and response head -> HTTP/2 fields. Input: "name:
// value" lines (a leading ':' for pseudo-headers is kept by splitting at the second colon).
// Invariants: an accepted field list builds a head our HTTP/1.1 parser accepts, whose method,
// target and Host are the pseudo-headers'; the response conversion never yields an uppercase
// name or a connection-specific field.
#include <array>
#include <string>

#include "http/fuzz/fuzz_common.h"
#include "http/h2_request.h"
#include "http/h2_response.h"
#include "http/parser.h"

using namespace lacquer::http;

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  H2RequestHead head(4096);
  std::size_t pos = 0;
  while (pos < in.size()) {
    std::size_t nl = in.find('\n', pos);
    if (nl == std::string_view::npos) nl = in.size();
    std::string_view line = in.substr(pos, nl - pos);
    pos = nl + 1;
    const std::size_t colon = line.find(':', line.empty() || line.front() != ':' ? 0 : 1);
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    head.add(line.substr(0, colon), value);
  }
  if (head.finish() == H2FieldError::None) {
    FUZZ_CHECK(head.bytes() <= 4096);
    std::string raw;
    head.build(raw, size % 3);
    std::array<Header, 1024> hs;  // 4096 bytes of fields at 5 bytes each at least
    const auto p = parse_request_head(raw, hs, ParseLimits{1 << 20, 1 << 20, 1 << 20});
    FUZZ_CHECK(p.status == ParseStatus::Complete && p.consumed == raw.size());
    FUZZ_CHECK(p.line.method == head.method());
    FUZZ_CHECK(p.header_count >= 1 && hs[0].name == "Host");
  }
  std::string storage;
  std::vector<H2Field> out;
  if (h2_response_fields(in, in.substr(in.size() / 2), storage, out)) {
    FUZZ_CHECK(!out.empty() && out[0].name == ":status" && out[0].value.size() == 3);
    for (std::size_t i = 1; i < out.size(); ++i) {
      for (char c : out[i].name) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
      FUZZ_CHECK(out[i].name != "connection" && out[i].name != "transfer-encoding");
    }
  }
  return 0;
}
