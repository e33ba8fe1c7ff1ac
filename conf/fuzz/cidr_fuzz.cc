// libFuzzer target: arbitrary bytes as a trusted_proxies CIDR and as a peer address. The parser
// must never crash; a block it accepts must print back to text it parses to the same block and
// must contain its own network address; an address it accepts is in ::/0 and in its own /128.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "conf/cidr.h"

#ifndef LACQUER_FUZZ_ENTRY
#define LACQUER_FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  using namespace lacquer::conf;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto c = parse_cidr(text)) {
    auto again = parse_cidr(c->to_string());
    if (!again || !(*again == *c)) std::abort();
    if (!c->contains(c->network)) std::abort();
    if (c->prefix_bits < 0 || c->prefix_bits > 128 || (c->v4 && c->prefix_bits < 96)) std::abort();
  }
  if (auto ip = parse_ip(text)) {
    static const CidrSet everything(std::vector<std::string>{"::/0"});
    if (!everything.contains(*ip)) std::abort();
    Cidr self{*ip, 128, false};
    if (!self.contains(*ip)) std::abort();
    if (!CidrSet(std::vector<std::string>{std::string(text) + (text.find(':') == std::string_view::npos ? "/32" : "/128")})
             .contains(text))
      std::abort();
  }
  return 0;
}
