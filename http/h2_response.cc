#include "http/h2_response.h"

#include <cstdint>
#include <cstring>

#include "http/message.h"

namespace lacquer::http {
namespace {

// Connection-specific fields (RFC 9113 §8.2.2); the length picks the one name to compare. Names
// are already lower-cased here.
bool dropped(std::string_view name) {
  switch (name.size()) {
    case 2: return name == "te";
    case 7: return name == "upgrade";
    case 10: return name == "connection" || name == "keep-alive";
    case 16: return name == "proxy-connection";
    case 17: return name == "transfer-encoding";
    default: return false;
  }
}

bool blank(char c) { return c == ' ' || c == '\t'; }

// ASCII upper case to lower case in place, eight bytes at a time (bytes >= 0x80 unchanged).
void lower_in_place(char* p, std::size_t n) {
  constexpr std::uint64_t k7f = 0x7f7f7f7f7f7f7f7fULL, k80 = 0x8080808080808080ULL;
  auto lower8 = [](std::uint64_t x) {
    const std::uint64_t low = x & k7f;
    const std::uint64_t ge_a = low + 0x3f3f3f3f3f3f3f3fULL;  // high bit set where byte >= 'A'
    const std::uint64_t gt_z = low + 0x2525252525252525ULL;  // high bit set where byte > 'Z'
    return x | (((ge_a ^ gt_z) & ~x & k80) >> 2);            // 0x20 added to 'A'..'Z'
  };
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    x = lower8(x);
    std::memcpy(p, &x, 8);
  }
  for (; n > 0; ++p, --n)
    if (*p >= 'A' && *p <= 'Z') *p = static_cast<char>(*p + 32);
}

// Adds the field lines of storage[from, end) to `out`, lower-casing each name in place.
void add_lines(std::string& storage, std::size_t from, std::vector<H2Field>& out) {
  char* p = storage.data() + from;
  char* const end = storage.data() + storage.size();
  while (p < end) {
    auto* nl = static_cast<char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    char* const line_end = nl ? nl : end;
    char* const line = p;
    p = nl ? nl + 1 : end;
    auto* colon = static_cast<char*>(std::memchr(line, ':', static_cast<std::size_t>(line_end - line)));
    if (!colon || colon == line) continue;  // a line without a colon, or an empty name: skipped
    const std::size_t name_len = static_cast<std::size_t>(colon - line);
    lower_in_place(line, name_len);
    const std::string_view name(line, name_len);
    if (dropped(name)) continue;
    char* value = colon + 1;
    char* value_end = line_end;
    while (value < value_end && blank(*value)) ++value;
    while (value_end > value && (blank(value_end[-1]) || value_end[-1] == '\r')) --value_end;
    out.push_back({name, std::string_view(value, static_cast<std::size_t>(value_end - value))});
  }
}

}  // namespace

bool h2_response_fields(std::string_view fields, std::string_view extra, std::string& storage,
                        std::vector<H2Field>& out) {
  out.clear();
  storage.clear();
  // The status line: "HTTP/1.x NNN reason".
  const std::size_t eol = fields.find('\n');
  const std::string_view status_line = fields.substr(0, eol);
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/" || status_line[8] != ' ') return false;
  for (char c : status_line.substr(9, 3))
    if (c < '0' || c > '9') return false;
  if (status_line.size() > 12 && status_line[12] != ' ' && status_line[12] != '\r') return false;
  // Everything is copied once into `storage` (so every view outlives the inputs) and
  // lower-cased there; its size is fixed before any view is taken.
  const std::size_t rest = eol == std::string_view::npos ? fields.size() : eol + 1;
  const bool separate = !extra.empty() && fields.back() != '\n';
  storage.reserve(fields.size() + 1 + extra.size());
  storage.append(fields);
  if (separate) storage.push_back('\n');  // the last field line was unterminated
  storage.append(extra);
  out.push_back({":status", std::string_view(storage.data() + 9, 3)});
  add_lines(storage, rest, out);
  return true;
}

}  // namespace lacquer::http
