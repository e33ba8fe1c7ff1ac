#include "purge/surrogate_keys.h"

#include <xxhash.h>

#include <algorithm>

namespace lacquer::purge {
namespace {
constexpr std::uint64_t kTagSeed = 0x6c61637175657254ull;  // "lacquerT"; never change
}

std::uint64_t tag_hash(std::string_view tag) noexcept {
  return XXH3_64bits_withSeed(tag.data(), tag.size(), kTagSeed);
}

SurrogateKeys parse_surrogate_keys(std::span<const http::Header> headers,
                                   const SurrogateKeyLimits& limits) {
  SurrogateKeys out;
  std::size_t seen_bytes = 0;  // of all Surrogate-Key values so far
  for (const auto& h : headers) {
    if (!http::iequals(h.name, "Surrogate-Key")) continue;
    std::string_view value = h.value;
    // `end` is where the key ends in this field: what the size cap counts.
    for_each_surrogate_key(value, [&](std::string_view key, std::size_t end) {
      if (seen_bytes + end > limits.max_header_bytes) {
        out.over_header_limit = true;  // whole keys past the cap are dropped, never cut
        ++out.dropped;
        return;
      }
      bool visible = std::all_of(key.begin(), key.end(), [](char c) {
        return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
      });
      if (!visible || key.size() > limits.max_key_bytes || out.hashes.size() >= limits.max_keys) {
        ++out.dropped;
        return;
      }
      std::uint64_t hash = tag_hash(key);
      if (std::find(out.hashes.begin(), out.hashes.end(), hash) == out.hashes.end())
        out.hashes.push_back(hash);
    });
    seen_bytes += value.size() + 1;
  }
  return out;
}

}  // namespace lacquer::purge
