// Shared bits of the libFuzzer targets. Each target defines LACQUER_FUZZ_ENTRY, which is
// LLVMFuzzerTestOneInput under libFuzzer and a distinct name when the sources are compiled
// (without libFuzzer) into the corpus replay test (tests/unit/http/corpus_replay.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "http/message.h"

#ifndef LACQUER_FUZZ_ENTRY
#define LACQUER_FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

// An invariant violation: abort so libFuzzer records a crash and the replay test fails.
#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

namespace lacquer::fuzz {
// True when `inner` lies entirely within `outer`.
inline bool within(std::string_view inner, std::string_view outer) {
  if (inner.empty()) return true;
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

// "Name: value" lines separated by '\n' as header fields (views into `text`); lines without a
// colon are skipped, and at most `max` fields are kept.
inline std::vector<lacquer::http::Header> split_fields(std::string_view text, std::size_t max) {
  std::vector<lacquer::http::Header> hs;
  std::size_t pos = 0;
  while (pos <= text.size() && hs.size() < max) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      hs.push_back({line.substr(0, colon), v});
    }
    pos = nl + 1;
  }
  return hs;
}
}  // namespace lacquer::fuzz
