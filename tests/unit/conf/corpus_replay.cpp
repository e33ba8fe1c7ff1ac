// Replays conf/fuzz/corpus_host_pattern/ through the host pattern fuzz entry point, compiled
// without libFuzzer (see tests/unit/conf/CMakeLists.txt and tests/unit/fuzz_replay.h).
#include "tests/unit/fuzz_replay.h"

extern "C" int lacquer_fuzz_host_pattern(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_cidr(const std::uint8_t*, std::size_t);

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CONF_FUZZ_DIR\n", argv[0]);
    return 2;
  }
  const lacquer::fuzz::ReplayTarget targets[] = {{"corpus_host_pattern", lacquer_fuzz_host_pattern},
                                                   {"corpus_cidr", lacquer_fuzz_cidr}};
  return lacquer::fuzz::replay_corpora(argv[1], targets) == 0 ? 0 : 1;
}
