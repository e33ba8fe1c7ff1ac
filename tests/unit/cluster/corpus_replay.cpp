// Replays cluster/fuzz/corpus/<target>/ through the cluster fuzz entry point, compiled without
// libFuzzer (see tests/unit/cluster/CMakeLists.txt and tests/unit/fuzz_replay.h).
#include "tests/unit/fuzz_replay.h"

extern "C" int lacquer_fuzz_cluster_event(const std::uint8_t*, std::size_t);

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const lacquer::fuzz::ReplayTarget targets[] = {{"event", lacquer_fuzz_cluster_event}};
  return lacquer::fuzz::replay_corpora(argv[1], targets) ? 1 : 0;
}
