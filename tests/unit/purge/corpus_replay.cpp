// Replays purge/fuzz/corpus/<target>/ through the purge fuzz entry points, compiled without
// libFuzzer (see tests/unit/purge/CMakeLists.txt and tests/unit/fuzz_replay.h).
#include "tests/unit/fuzz_replay.h"

extern "C" int lacquer_fuzz_surrogate_key(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_purge_request(const std::uint8_t*, std::size_t);

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const lacquer::fuzz::ReplayTarget targets[] = {{"surrogate_key", lacquer_fuzz_surrogate_key},
                                                 {"purge_request", lacquer_fuzz_purge_request}};
  return lacquer::fuzz::replay_corpora(argv[1], targets) ? 1 : 0;
}
