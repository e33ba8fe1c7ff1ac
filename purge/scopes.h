// Stable hashes for the URL and path-prefix scopes of the version table. Like tag hashes they
// are persisted, so they use fixed seeds, never the per-process index seed.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace lacquer::purge {

inline constexpr std::size_t kMaxPrefixDepth = 32;

// Hash of a normalised cache key text ("http://host/path?query"): the URL scope.
std::uint64_t url_hash(std::string_view key_text) noexcept;

// Hash of a path prefix as the purge API names it: the key text up to (not including) a '/'
// boundary, with any trailing '/' removed ("http://host" covers the whole host).
std::uint64_t prefix_hash(std::string_view prefix_text) noexcept;

// Every prefix scope an entry with this key belongs to: the host, then each path segment
// boundary, then the whole path (query excluded), at most kMaxPrefixDepth of them.
// `path_begin` is where the path starts in `key_text`.
void entry_prefix_hashes(std::string_view key_text, std::size_t path_begin,
                         std::vector<std::uint64_t>& out);

// Normalises a purge prefix (already in key form, e.g. "http://host/a/b/") to what
// prefix_hash takes: query removed, trailing slashes removed.
std::string_view normalise_prefix(std::string_view key_text, std::size_t path_begin) noexcept;

// Per-site purge scopes (explicit [[site]] tables). A site's surrogate keys are its own: each tag
// hash is combined with the site's scope hash, at store time and at purge time alike. Every
// entry of the site also carries the scope hash itself as one more tag, so a purge of the whole
// site is one tag purge: O(1), durable and replayed like any other.
std::uint64_t site_scope_hash(std::string_view site_name) noexcept;
std::uint64_t site_tag(std::uint64_t site_scope, std::uint64_t tag_hash) noexcept;

}  // namespace lacquer::purge
