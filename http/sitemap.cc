#include "http/sitemap.h"

#include <cstdint>

#include "http/whitespace.h"

namespace lacquer::http {
namespace {

constexpr std::string_view kSpace = " \t\r\n";

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// "&amp;" -> '&' and friends; false on an entity we do not know (the <loc> is skipped).
bool decode_entity(std::string_view ent, std::string& out) {
  if (ent == "amp") out += '&';
  else if (ent == "lt") out += '<';
  else if (ent == "gt") out += '>';
  else if (ent == "quot") out += '"';
  else if (ent == "apos") out += '\'';
  else if (ent.size() >= 2 && ent[0] == '#') {
    const bool hex = ent[1] == 'x' || ent[1] == 'X';
    std::string_view digits = ent.substr(hex ? 2 : 1);
    if (digits.empty() || digits.size() > 8) return false;
    std::uint32_t cp = 0;
    for (char c : digits) {
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else return false;
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      if (cp > 0x10ffff) return false;
    }
    if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    append_utf8(out, cp);
  } else {
    return false;
  }
  return true;
}

// The text of one <loc> element: CDATA as is, entities decoded. False when it does not decode.
bool loc_text(std::string_view raw, std::string& out) {
  out.clear();
  std::size_t i = 0;
  while (i < raw.size()) {
    if (raw.substr(i).starts_with("<![CDATA[")) {
      const auto end = raw.find("]]>", i + 9);
      if (end == std::string_view::npos) return false;
      out.append(raw.substr(i + 9, end - i - 9));
      i = end + 3;
    } else if (raw[i] == '&') {
      const auto semi = raw.find(';', i);
      if (semi == std::string_view::npos || semi - i > 12) return false;
      if (!decode_entity(raw.substr(i + 1, semi - i - 1), out)) return false;
      i = semi + 1;
    } else if (raw[i] == '<') {
      return false;  // markup inside <loc>
    } else {
      out += raw[i++];
    }
  }
  const std::string_view t = trim_whitespace(out);
  out = std::string(t);
  return !out.empty() && out.size() <= kMaxSitemapLoc;
}

// Skips a comment, processing instruction or declaration starting at `i` ('<' there); returns
// the position after it, or npos when it does not end.
std::size_t skip_special(std::string_view xml, std::size_t i) {
  if (xml.substr(i).starts_with("<!--")) {
    const auto e = xml.find("-->", i + 4);
    return e == std::string_view::npos ? e : e + 3;
  }
  if (xml.substr(i).starts_with("<![CDATA[")) {
    const auto e = xml.find("]]>", i + 9);
    return e == std::string_view::npos ? e : e + 3;
  }
  const auto e = xml.find('>', i);
  return e == std::string_view::npos ? e : e + 1;
}

}  // namespace

Sitemap parse_sitemap(std::string_view xml, std::size_t max_urls) {
  Sitemap out;
  bool root_seen = false;
  std::string text;
  std::size_t i = 0;
  while ((i = xml.find('<', i)) != std::string_view::npos) {
    const std::string_view rest = xml.substr(i);
    if (rest.starts_with("<!") || rest.starts_with("<?")) {
      i = skip_special(xml, i);
      if (i == std::string_view::npos) break;
      continue;
    }
    if (!root_seen && rest.size() > 1 && rest[1] != '/') {
      root_seen = true;
      out.index = rest.starts_with("<sitemapindex") &&
                  (rest.size() == 13 || kSpace.find(rest[13]) != std::string_view::npos || rest[13] == '>');
    }
    if (rest.starts_with("<loc>") || rest.starts_with("<loc ")) {
      const auto open_end = xml.find('>', i);
      const auto close = xml.find("</loc>", open_end);
      if (close == std::string_view::npos) {
        ++out.skipped;
        break;
      }
      if (out.urls.size() < max_urls && loc_text(xml.substr(open_end + 1, close - open_end - 1), text))
        out.urls.push_back(text);
      else
        ++out.skipped;
      i = close + 6;
      continue;
    }
    ++i;
  }
  return out;
}

bool looks_like_sitemap(std::string_view text) {
  const auto b = text.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return false;
  text.remove_prefix(b);
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);  // UTF-8 byte order mark
  return text.starts_with("<?xml") || text.starts_with("<urlset") || text.starts_with("<sitemapindex") ||
         text.starts_with("<!--");
}

}  // namespace lacquer::http
