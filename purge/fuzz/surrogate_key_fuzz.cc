// Surrogate-Key parsing. Input: three limit bytes (max_key_bytes - 1, max_header_bytes / 16,
// max_keys; 0xff / 0 / 0xff mean the defaults), then "Name: value" lines separated by '\n'.
// Invariants: the splitter yields non-empty keys inside the value, free of SP/HTAB, with `end`
// just past each key and only SP/HTAB between them; parsing keeps distinct hashes of visible,
// short-enough keys, at most max_keys of them, drops at most what it saw, and drops nothing
// when nothing is over a limit.
#include <set>
#include <string>
#include <vector>

#include "http/fuzz/fuzz_common.h"
#include "purge/surrogate_keys.h"

using namespace lacquer::purge;
using lacquer::fuzz::within;
using lacquer::http::Header;

namespace {
bool visible(std::string_view k) {
  for (char c : k)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return false;
  return true;
}
}  // namespace

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  SurrogateKeyLimits limits;
  if (data[0] != 0xff) limits.max_key_bytes = 1u + data[0];
  if (data[1] != 0) limits.max_header_bytes = 16u * data[1];
  if (data[2] != 0xff) limits.max_keys = data[2];
  const std::string_view text(reinterpret_cast<const char*>(data + 3), size - 3);
  const std::vector<Header> hs = lacquer::fuzz::split_fields(text, 32);

  std::size_t total = 0, header_bytes = 0;
  bool over_key_limit = false;
  std::set<std::uint64_t> allowed;  // hashes parse_surrogate_keys may return
  for (const Header& h : hs) {
    if (!lacquer::http::iequals(h.name, "Surrogate-Key")) continue;
    std::size_t prev_end = 0;
    for_each_surrogate_key(h.value, [&](std::string_view key, std::size_t end) {
      FUZZ_CHECK(!key.empty() && within(key, h.value));
      FUZZ_CHECK(end == static_cast<std::size_t>(key.data() - h.value.data()) + key.size());
      FUZZ_CHECK(key.find_first_of(" \t") == std::string_view::npos);
      for (std::size_t i = prev_end; i < end - key.size(); ++i)
        FUZZ_CHECK(h.value[i] == ' ' || h.value[i] == '\t');
      prev_end = end;
      ++total;
      const bool ok = visible(key) && key.size() <= limits.max_key_bytes;
      over_key_limit = over_key_limit || !ok;
      if (ok) allowed.insert(tag_hash(key));
    });
    for (std::size_t i = prev_end; i < h.value.size(); ++i)
      FUZZ_CHECK(h.value[i] == ' ' || h.value[i] == '\t');
    header_bytes += h.value.size() + 1;
  }

  const SurrogateKeys k = parse_surrogate_keys(hs, limits);
  FUZZ_CHECK(k.hashes.size() <= limits.max_keys);
  FUZZ_CHECK(k.hashes.size() + k.dropped <= total);
  FUZZ_CHECK(!k.over_header_limit || k.dropped > 0);
  FUZZ_CHECK(std::set<std::uint64_t>(k.hashes.begin(), k.hashes.end()).size() == k.hashes.size());
  for (std::uint64_t hash : k.hashes) FUZZ_CHECK(allowed.count(hash) == 1);
  if (!over_key_limit && total <= limits.max_keys && header_bytes <= limits.max_header_bytes) {
    FUZZ_CHECK(k.dropped == 0 && !k.over_header_limit);
    FUZZ_CHECK(k.hashes.size() == allowed.size());
  }
  return 0;
}
