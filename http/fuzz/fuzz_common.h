// Shared bits of the libFuzzer targets. Each target defines LACQUER_FUZZ_ENTRY, which is
// LLVMFuzzerTestOneInput under libFuzzer and a distinct name when the sources are compiled
// (without libFuzzer) into the corpus replay test (tests/unit/http/corpus_replay.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

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
}  // namespace lacquer::fuzz
