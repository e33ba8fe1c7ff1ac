// HTTP-date: parse arbitrary text; anything accepted must format and reparse to the same
// instant; any 8-byte integer must format to 29 bytes that parse back (inside 0000..9999).
#include <cstring>
#include <string>

#include "http/date.h"
#include "http/fuzz/fuzz_common.h"

using namespace lacquer::http;

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::int64_t now : {kRfc850ReferenceTime, std::int64_t{0}, std::int64_t{4102444800}}) {
    const auto t = parse_http_date(text, now);
    if (!t || *t > 253402300799) continue;  // 9999-12-31T23:59:60 cannot be formatted
    const std::string s = format_http_date(*t);
    FUZZ_CHECK(s.size() == 29);
    const auto back = parse_http_date(s);
    FUZZ_CHECK(back && *back == *t);
  }
  if (size >= 8) {
    std::int64_t v;
    std::memcpy(&v, data, 8);
    v %= 253402300800;  // keep inside years 0000..9999 (negative values too, floored below)
    if (v < -62167219200) v = -62167219200;
    char out[29];
    format_http_date(v, out);
    const auto back = parse_http_date(std::string_view(out, 29));
    FUZZ_CHECK(back && *back == v);
  }
  return 0;
}
