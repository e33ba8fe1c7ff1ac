// Replays every file of http/fuzz/corpus/<target>/ through the corresponding fuzz entry point,
// compiled without libFuzzer (see tests/unit/http/CMakeLists.txt). A crash or a violated
// invariant aborts; a missing or empty corpus directory fails the test.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int lacquer_fuzz_request_parser(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_response_parser(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_chunked(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_cache_control(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_date(const std::uint8_t*, std::size_t);

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  struct Target {
    const char* name;
    int (*fn)(const std::uint8_t*, std::size_t);
  };
  const Target targets[] = {{"request_parser", lacquer_fuzz_request_parser},
                            {"response_parser", lacquer_fuzz_response_parser},
                            {"chunked", lacquer_fuzz_chunked},
                            {"cache_control", lacquer_fuzz_cache_control},
                            {"date", lacquer_fuzz_date}};
  namespace fs = std::filesystem;
  int failures = 0;
  for (const Target& t : targets) {
    const fs::path dir = fs::path(argv[1]) / t.name;
    std::size_t files = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream f(entry.path(), std::ios::binary);
      std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
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
  return failures ? 1 : 0;
}
