// Surrogate-Key (Fastly/Akamai style): a space-separated list of tags on an origin response, or
// on a PURGE request naming the tags to purge. Pure parsing; tags become 64-bit xxHash3 values
// with a fixed seed, because they are persisted (version table, disk entries) and must hash the
// same in every process. Flooding of in-memory maps is handled where they index these values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace lacquer::purge {

struct SurrogateKeyLimits {
  std::size_t max_key_bytes = 1024;         // longer keys are dropped
  std::size_t max_header_bytes = 16 * 1024; // all Surrogate-Key field values together
  std::size_t max_keys = 128;               // keys beyond this are dropped
};

struct SurrogateKeys {
  std::vector<std::uint64_t> hashes;  // distinct, in order of first appearance
  std::size_t dropped = 0;            // keys over a limit (too long, too many, past the size cap)
  bool over_header_limit = false;     // the fields together exceeded max_header_bytes
};

// Hash of one tag. Stable across processes and versions: part of the persisted format.
std::uint64_t tag_hash(std::string_view tag) noexcept;

// Calls fn(key) for every key in one Surrogate-Key field value (separated by SP or HTAB).
template <class Fn>
void for_each_surrogate_key(std::string_view value, Fn&& fn) {
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < value.size() && value[i] != ' ' && value[i] != '\t') ++i;
    if (i > start) fn(value.substr(start, i - start), i);
  }
}

// Parses every Surrogate-Key field in `headers`. Keys are separated by SP or HTAB; a key is any
// run of visible ASCII (VCHAR). Over-limit keys are dropped and counted, never fatal: an origin
// response is still served and stored with the keys that fit.
SurrogateKeys parse_surrogate_keys(std::span<const http::Header> headers,
                                   const SurrogateKeyLimits& limits = {});

}  // namespace lacquer::purge
