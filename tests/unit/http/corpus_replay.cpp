// Replays every file of http/fuzz/corpus/<target>/ through the corresponding fuzz entry point,
// compiled without libFuzzer (see tests/unit/http/CMakeLists.txt and tests/unit/fuzz_replay.h).
#include "tests/unit/fuzz_replay.h"

extern "C" int lacquer_fuzz_request_parser(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_response_parser(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_chunked(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_cache_control(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_structured_field(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_date(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_range(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_conditional(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_vary(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_h2_request(const std::uint8_t*, std::size_t);
extern "C" int lacquer_fuzz_sitemap(const std::uint8_t*, std::size_t);

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const lacquer::fuzz::ReplayTarget targets[] = {{"request_parser", lacquer_fuzz_request_parser},
                                                 {"response_parser", lacquer_fuzz_response_parser},
                                                 {"chunked", lacquer_fuzz_chunked},
                                                 {"cache_control", lacquer_fuzz_cache_control},
                                                 {"structured_field", lacquer_fuzz_structured_field},
                                                 {"date", lacquer_fuzz_date},
                                                 {"range", lacquer_fuzz_range},
                                                 {"conditional", lacquer_fuzz_conditional},
                                                 {"vary", lacquer_fuzz_vary},
                                                 {"h2_request", lacquer_fuzz_h2_request},
                                                 {"sitemap", lacquer_fuzz_sitemap}};
  return lacquer::fuzz::replay_corpora(argv[1], targets) ? 1 : 0;
}
