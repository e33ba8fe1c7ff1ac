// Replays fuzz corpora through fuzz entry points compiled without libFuzzer: every file of
// <corpus_dir>/<target>/, and every prefix of it (up to 4096 bytes). A crash or a violated
// invariant aborts; a missing or empty corpus directory is a failure. Shared by the
// *_fuzz_corpus_replay tests of each module.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <vector>

namespace lacquer::fuzz {

struct ReplayTarget {
  const char* name;  // the corpus subdirectory
  int (*fn)(const std::uint8_t*, std::size_t);
};

// Returns the number of targets without a usable corpus (0 means success).
inline int replay_corpora(const char* corpus_dir, std::span<const ReplayTarget> targets) {
  namespace fs = std::filesystem;
  int failures = 0;
  for (const ReplayTarget& t : targets) {
    const fs::path dir = fs::path(corpus_dir) / t.name;
    std::size_t files = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream f(entry.path(), std::ios::binary);
      std::vector<char> bytes((std::istreambuf_iterator<char>(f)),
                              std::istreambuf_iterator<char>());
      // A copy of exactly the file's size, so ASan builds catch over-reads.
      std::vector<std::uint8_t> buf(bytes.begin(), bytes.end());
      t.fn(buf.data(), buf.size());
      // Every prefix as well: truncated input is what a network gives us.
      for (std::size_t n = 0; n < buf.size() && n < 4096; ++n) {
        std::vector<std::uint8_t> prefix(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
        t.fn(prefix.data(), prefix.size());
      }
      ++files;
    }
    std::printf("%-16s %zu files\n", t.name, files);
    if (ec || files == 0) {
      std::fprintf(stderr, "no corpus for %s in %s\n", t.name, dir.c_str());
      ++failures;
    }
  }
  return failures;
}

}  // namespace lacquer::fuzz
