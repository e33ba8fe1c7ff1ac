#include "http/h2_response.h"

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

// Adds the field lines of storage[from, end) to `out`, lower-casing each name in place: one pass
// over each name, one memchr per line for its end.
void add_lines(std::string& storage, std::size_t from, std::vector<H2Field>& out) {
  char* p = storage.data() + from;
  char* const end = storage.data() + storage.size();
  while (p < end) {
    char* name = p;
    while (p < end && *p != ':' && *p != '\n') {
      if (*p >= 'A' && *p <= 'Z') *p = static_cast<char>(*p + 32);
      ++p;
    }
    if (p == end) break;  // a last line without a colon
    if (*p == '\n' || p == name) {  // a line without a colon, or an empty name: skipped
      auto* nl = static_cast<char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      if (!nl) break;
      p = nl + 1;
      continue;
    }
    const std::string_view field_name(name, static_cast<std::size_t>(p - name));
    char* value = p + 1;
    auto* nl = static_cast<char*>(std::memchr(value, '\n', static_cast<std::size_t>(end - value)));
    char* value_end = nl ? nl : end;
    p = nl ? nl + 1 : end;
    while (value < value_end && blank(*value)) ++value;
    while (value_end > value && (blank(value_end[-1]) || value_end[-1] == '\r')) --value_end;
    if (dropped(field_name)) continue;
    out.push_back({field_name, std::string_view(value, static_cast<std::size_t>(value_end - value))});
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
