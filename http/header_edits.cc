#include "http/header_edits.h"

#include "http/message.h"

namespace lacquer::http {

bool drops(const HeaderEdits& edits, std::string_view name) noexcept {
  for (const std::string& d : edits.drop)
    if (iequals(d, name)) return true;
  return false;
}

void append_without_dropped(std::string& out, std::string_view lines, bool has_start_line, const HeaderEdits& edits) {
  std::size_t at = 0;
  if (has_start_line) {
    const std::size_t end = lines.find("\r\n");
    at = end == std::string_view::npos ? lines.size() : end + 2;
    out.append(lines.substr(0, at));
  }
  while (at < lines.size()) {
    std::size_t end = lines.find("\r\n", at);
    end = end == std::string_view::npos ? lines.size() : end + 2;
    const std::string_view line = lines.substr(at, end - at);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !drops(edits, line.substr(0, colon))) out.append(line);
    at = end;
  }
}

}  // namespace lacquer::http
