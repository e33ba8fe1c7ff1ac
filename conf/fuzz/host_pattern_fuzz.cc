// libFuzzer target: arbitrary bytes as a [[site]] host pattern and as a Host to route. The
// parser must never crash; what it accepts must print back to something it accepts again as the
// same pattern, and routing any Host must answer a valid site or kNoSite.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "conf/host_pattern.h"
#include "conf/routing.h"

#ifndef LACQUER_FUZZ_ENTRY
#define LACQUER_FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  using namespace lacquer::conf;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto p = parse_host_pattern(text)) {
    auto again = parse_host_pattern(p->to_string());
    if (!again || !(*again == *p)) std::abort();
  }
  static const Routing routing = [] {
    Config c;
    PoolConfig pool;
    pool.name = "p";
    pool.servers.push_back(PoolServer{"127.0.0.1", 1, 1});
    c.routing.pools.push_back(pool);
    SiteConfig a;
    a.name = "a";
    a.pool = "p";
    a.hosts = {*parse_host_pattern("example.com"), *parse_host_pattern("*.example.com")};
    c.routing.sites.push_back(a);
    return Routing(c);
  }();
  const int site = routing.match(text);
  if (site != Routing::kNoSite && (site < 0 || static_cast<std::size_t>(site) >= routing.site_count())) std::abort();
  (void)strip_port(text);
  return 0;
}
