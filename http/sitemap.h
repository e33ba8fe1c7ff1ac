// The URLs of a sitemap (sitemaps.org protocol 0.9): the <loc> of every <url> of a <urlset>, or of
// every <sitemap> of a <sitemapindex> (then the URLs are further sitemaps). Not a general XML
// parser: it finds <loc> elements outside comments, takes CDATA sections as they are, decodes
// the five predefined entities and character references, and trims surrounding whitespace.
// Pure; bounded by `max_urls`; malformed input gives what was found before it and never throws.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lacquer::http {

struct Sitemap {
  bool index = false;             // a <sitemapindex>: `urls` are sitemaps
  std::vector<std::string> urls;  // in document order, at most max_urls
  std::size_t skipped = 0;        // <loc> elements beyond max_urls, empty, unterminated or too long
};

inline constexpr std::size_t kMaxSitemapLoc = 8192;  // longest <loc> kept (sitemaps.org: 2048)

Sitemap parse_sitemap(std::string_view xml, std::size_t max_urls);

// True when `text` looks like a sitemap document (an XML declaration or a <urlset> /
// <sitemapindex> root before anything else), so a POSTed sitemap is told from a URL list.
bool looks_like_sitemap(std::string_view text);

}  // namespace lacquer::http
