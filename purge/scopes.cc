#include "purge/scopes.h"

#include <xxhash.h>

#include "storage/cache_key.h"

namespace lacquer::purge {
namespace {
constexpr std::uint64_t kUrlSeed = 0x6c61637175657255ull;     // "lacquerU"; never change
constexpr std::uint64_t kPrefixSeed = 0x6c61637175657250ull;  // "lacquerP"; never change
// A variant's key is its URL's key followed by the secondary key (storage/cache_key.h): every
// scope is about the URL part.
std::string_view url_part(std::string_view key_text) noexcept {
  return key_text.substr(0, key_text.find(storage::kVariantSeparator));
}
}  // namespace

std::uint64_t url_hash(std::string_view key_text) noexcept {
  key_text = url_part(key_text);
  return XXH3_64bits_withSeed(key_text.data(), key_text.size(), kUrlSeed);
}

std::uint64_t site_scope_hash(std::string_view site_name) noexcept {
  constexpr std::uint64_t kSiteSeed = 0x6c61637175657253ull;  // "lacquerS"; never change
  return XXH3_64bits_withSeed(site_name.data(), site_name.size(), kSiteSeed);
}

std::uint64_t site_tag(std::uint64_t site_scope, std::uint64_t tag_hash) noexcept {
  const std::uint64_t both[2] = {site_scope, tag_hash};
  return XXH3_64bits(both, sizeof both);
}

std::uint64_t prefix_hash(std::string_view prefix_text) noexcept {
  return XXH3_64bits_withSeed(prefix_text.data(), prefix_text.size(), kPrefixSeed);
}

std::string_view normalise_prefix(std::string_view key_text, std::size_t path_begin) noexcept {
  std::size_t q = key_text.find('?', path_begin);
  std::string_view p = key_text.substr(0, q);
  while (p.size() > path_begin && p.back() == '/') p.remove_suffix(1);
  return p;
}

void entry_prefix_hashes(std::string_view key_text, std::size_t path_begin,
                         std::vector<std::uint64_t>& out) {
  out.clear();
  std::string_view whole = normalise_prefix(url_part(key_text), path_begin);
  for (std::size_t i = path_begin; i < whole.size() && out.size() + 1 < kMaxPrefixDepth; ++i)
    if (whole[i] == '/') out.push_back(prefix_hash(whole.substr(0, i)));
  out.push_back(prefix_hash(whole));
}

}  // namespace lacquer::purge
