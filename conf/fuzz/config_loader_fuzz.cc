// libFuzzer target: arbitrary bytes as a TOML config. load_config_text must never throw, and
// whatever it returns must be printable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "conf/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto out = lacquer::conf::load_config_text(text, "fuzz.toml");
    for (const auto& e : out.errors) {
      if (e.to_string().empty()) std::abort();
    }
    if (out.ok()) {
      (void)out.config.server.listen.to_string();
      (void)out.config.origin.address.to_string();
    }
    // The value parsers are shared with the flags: feed them the raw bytes too.
    (void)lacquer::conf::parse_size(text);
    (void)lacquer::conf::parse_duration_ms(text);
    if (auto e = lacquer::conf::parse_endpoint(text)) (void)e->to_string();
  } catch (...) {
    std::abort();  // load_config_text promises not to throw
  }
  return 0;
}
