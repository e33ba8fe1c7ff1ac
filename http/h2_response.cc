#include "http/h2_response.h"

#include "http/message.h"

namespace lacquer::http {
namespace {

// Connection-specific fields (RFC 9113 §8.2.2); the length picks the one name to compare.
bool dropped(std::string_view name) {
  switch (name.size()) {
    case 2: return iequals(name, "te");
    case 7: return iequals(name, "upgrade");
    case 10: return iequals(name, "connection") || iequals(name, "keep-alive");
    case 16: return iequals(name, "proxy-connection");
    case 17: return iequals(name, "transfer-encoding");
    default: return false;
  }
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

// Calls f(line) for each line of `text` (CRLF or LF ended, the last one may be unterminated).
template <typename F>
void each_line(std::string_view text, F&& f) {
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

}  // namespace

bool h2_response_fields(std::string_view fields, std::string_view extra, std::string& storage,
                        std::vector<H2Field>& out) {
  out.clear();
  storage.clear();
  // The status line: "HTTP/1.x NNN reason".
  std::size_t eol = fields.find('\n');
  std::string_view status_line = fields.substr(0, eol);
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/" || status_line[8] != ' ') return false;
  std::string_view status = status_line.substr(9, 3);
  for (char c : status)
    if (c < '0' || c > '9') return false;
  if (status_line.size() > 12 && status_line[12] != ' ' && status_line[12] != '\r') return false;
  // Lower-cased names are written into `storage`; reserve once so the views stay valid.
  storage.reserve(fields.size() + extra.size());
  out.push_back({":status", status});
  auto add = [&](std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return;
    const std::string_view name = line.substr(0, colon);
    if (dropped(name)) return;
    const std::size_t at = storage.size();
    storage.resize(at + name.size());  // within the reserve: earlier views stay valid
    char* lower = storage.data() + at;
    for (std::size_t i = 0; i < name.size(); ++i) {
      const char c = name[i];
      lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    }
    out.push_back({std::string_view(lower, name.size()), trim(line.substr(colon + 1))});
  };
  if (eol != std::string_view::npos) each_line(fields.substr(eol + 1), add);
  each_line(extra, add);
  return true;
}

}  // namespace lacquer::http
