// The body of POST /warm as a list of absolute URLs to fetch: a JSON array of strings
// (["http://example.com/a", ...]), a sitemap document (http/sitemap.h), or text with one URL per
// line (blank lines and lines starting with '#' ignored). Every URL must be absolute http(s) with
// a host and no whitespace or control characters; the others are counted as rejected, never
// fetched. Pure; bounded by `max_urls` (beyond it URLs are counted as rejected too).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lacquer::http {

enum class WarmListFormat : unsigned char { Text, Json, Sitemap, SitemapIndex };
std::string_view to_string(WarmListFormat f) noexcept;

struct WarmList {
  WarmListFormat format = WarmListFormat::Text;
  std::vector<std::string> urls;  // for SitemapIndex: sitemap URLs
  std::size_t rejected = 0;
  std::string error;  // set when the body is not any of the formats (a JSON array that does not parse)
};

WarmList parse_warm_list(std::string_view body, std::size_t max_urls);

// An absolute http:// or https:// URL with a host, printable ASCII without spaces, at most 8 KiB.
bool is_warmable_url(std::string_view url);

}  // namespace lacquer::http
