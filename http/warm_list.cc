#include "http/warm_list.h"

#include <cstdint>

#include "http/sitemap.h"
#include "http/whitespace.h"

namespace lacquer::http {
namespace {

constexpr std::string_view kSpace = " \t\r\n";

void keep(WarmList& out, std::string url, std::size_t max_urls) {
  if (out.urls.size() < max_urls && is_warmable_url(url)) out.urls.push_back(std::move(url));
  else ++out.rejected;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One JSON string starting at s[i] == '"'; on success `i` is past the closing quote. Escapes are
// decoded; a \u escape outside ASCII gives a byte that is_warmable_url then rejects.
bool json_string(std::string_view s, std::size_t& i, std::string& out) {
  out.clear();
  ++i;
  while (i < s.size()) {
    const char c = s[i++];
    if (c == '"') return true;
    if (static_cast<unsigned char>(c) < 0x20) return false;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i >= s.size()) return false;
    const char e = s[i++];
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        if (i + 4 > s.size()) return false;
        int v = 0;
        for (int k = 0; k < 4; ++k) {
          const int h = hex_value(s[i + k]);
          if (h < 0) return false;
          v = v * 16 + h;
        }
        i += 4;
        out += v < 0x80 ? static_cast<char>(v) : '\x7f';
        break;
      }
      default: return false;
    }
  }
  return false;
}

void parse_json_array(std::string_view s, std::size_t max_urls, WarmList& out) {
  out.format = WarmListFormat::Json;
  std::size_t i = s.find('[') + 1;
  std::string value;
  bool expect_value = true;
  while (true) {
    i = s.find_first_not_of(kSpace, i);
    if (i == std::string_view::npos) break;
    if (s[i] == ']' ) {
      if (!trim_whitespace(s.substr(i + 1)).empty()) break;
      return;
    }
    if (expect_value && s[i] == '"') {
      if (!json_string(s, i, value)) break;
      keep(out, value, max_urls);
      expect_value = false;
      continue;
    }
    if (!expect_value && s[i] == ',') {
      expect_value = true;
      ++i;
      continue;
    }
    break;
  }
  out.error = "expected a JSON array of URL strings";
}

void parse_text(std::string_view s, std::size_t max_urls, WarmList& out) {
  out.format = WarmListFormat::Text;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size();
    const std::string_view line = trim_whitespace(s.substr(pos, nl - pos));
    pos = nl + 1;
    if (line.empty() || line.front() == '#') continue;
    keep(out, std::string(line), max_urls);
  }
}

}  // namespace

std::string_view to_string(WarmListFormat f) noexcept {
  switch (f) {
    case WarmListFormat::Text: return "text";
    case WarmListFormat::Json: return "json";
    case WarmListFormat::Sitemap: return "sitemap";
    case WarmListFormat::SitemapIndex: return "sitemap-index";
  }
  return "?";
}

bool is_warmable_url(std::string_view url) {
  if (url.size() > 8192) return false;
  std::size_t host_at;
  if (url.starts_with("http://")) host_at = 7;
  else if (url.starts_with("https://")) host_at = 8;
  else return false;
  const std::size_t host_end = url.find_first_of("/?#", host_at);
  if (host_end == host_at) return false;  // no host
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

WarmList parse_warm_list(std::string_view body, std::size_t max_urls) {
  WarmList out;
  const std::string_view t = trim_whitespace(body);
  if (t.starts_with("[")) {
    parse_json_array(t, max_urls, out);
  } else if (looks_like_sitemap(t)) {
    Sitemap map = parse_sitemap(t, max_urls);
    out.format = map.index ? WarmListFormat::SitemapIndex : WarmListFormat::Sitemap;
    out.rejected = map.skipped;
    for (auto& u : map.urls) keep(out, std::move(u), max_urls);
  } else {
    parse_text(t, max_urls, out);
  }
  return out;
}

}  // namespace lacquer::http
