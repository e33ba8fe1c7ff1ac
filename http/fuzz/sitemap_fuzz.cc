// The POST /warm body parsers (http/warm_list.h, http/sitemap.h). Input: any bytes, parsed as a
// warm list and as a sitemap. Invariants: the bounds hold, every URL kept is warmable (warm list)
// or non-empty and within kMaxSitemapLoc (sitemap), a JSON error keeps no promise about URLs but
// never crashes, and parsing is deterministic.
#include <string>

#include "http/fuzz/fuzz_common.h"
#include "http/sitemap.h"
#include "http/warm_list.h"

using namespace lacquer::http;

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t max = 16;
  const WarmList w = parse_warm_list(text, max);
  FUZZ_CHECK(w.urls.size() <= max);
  for (const auto& u : w.urls) FUZZ_CHECK(is_warmable_url(u));
  const WarmList again = parse_warm_list(text, max);
  FUZZ_CHECK(again.urls == w.urls && again.rejected == w.rejected && again.error == w.error);

  const Sitemap m = parse_sitemap(text, max);
  FUZZ_CHECK(m.urls.size() <= max);
  for (const auto& u : m.urls) FUZZ_CHECK(!u.empty() && u.size() <= kMaxSitemapLoc);
  // Never more URLs than <loc> start tags in the input.
  std::size_t locs = 0;
  for (std::size_t i = text.find("<loc"); i != std::string_view::npos; i = text.find("<loc", i + 1)) ++locs;
  FUZZ_CHECK(m.urls.size() + m.skipped <= locs);
  return 0;
}
