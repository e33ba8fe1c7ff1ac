// The cache key: scheme, lower-cased host without its default port, and the request target
// with percent-encodings upper-cased. The same normalised host and target are what we forward
// to the origin ("what you key is what you forward", design: Hostile input).
//
// Two hashes are kept apart (Pingora's primary/variance split): `primary` identifies the URL
// (URL purges and the version table use it), the variant hash (Vary, a later issue) is mixed in
// to make the lookup hash. Hashes index; the full `text` is compared on every hit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lacquer::storage {

// A variant's key (Vary, RFC 9111 §4.1) is its URL's key, then this byte, then the secondary key
// (http/vary.h). The byte cannot occur in a normalised URL.
inline constexpr char kVariantSeparator = '\x1f';

struct CacheKey {
  std::string text;           // "http://example.com/a?b=1"
  std::size_t host_begin = 0; // text[host_begin, path_begin) is the host[:port]
  std::size_t path_begin = 0; // text[path_begin, end) is the normalised target
  std::uint64_t primary = 0;  // seeded xxHash3 of text

  std::string_view host() const { return std::string_view(text).substr(host_begin, path_begin - host_begin); }
  std::string_view target() const { return std::string_view(text).substr(path_begin); }
};

// Builds the key from the request's Host field and target. The target may be origin-form
// ("/a?b") or absolute-form ("http://Host/a?b", whose authority then wins over Host).
// nullopt when the target cannot be keyed (authority-form, asterisk-form, bad percent-encoding).
std::optional<CacheKey> make_cache_key(std::string_view host_header, std::string_view target);

// Where the path starts in a key text made by make_cache_key ("http://host/a?b" -> the '/'):
// for code that holds only the text, such as the disk tier's compaction filter.
std::size_t key_path_begin(std::string_view key_text) noexcept;

// Seed for in-memory index hashes, chosen once per process (hash-flooding defence).
void set_process_hash_seed(std::uint64_t seed);
std::uint64_t hash_key_text(std::string_view text);

}  // namespace lacquer::storage
