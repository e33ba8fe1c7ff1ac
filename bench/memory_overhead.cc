// Memory-tier overhead per object: inserts 1,000,000 small entries (3 surrogate keys each) and
// reports RSS growth per object minus the key, head and body bytes.
//
//   g++ -O2 -std=c++20 -I. bench/memory_overhead.cc storage/memory_tier.cc storage/sieve.cc \
//       storage/cache_key.cc storage/entry.cc -lxxhash -lpthread -o /tmp/memory_overhead
//   /tmp/memory_overhead
#include <cstdio>
#include <fstream>
#include <string>

#include "storage/cache_key.h"
#include "storage/memory_tier.h"

using namespace lacquer::storage;

namespace {
long rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}
}  // namespace

int main() {
  MemoryTier tier(8ull << 30);
  const int n = 1'000'000;
  static const std::uint64_t tags[] = {1, 2, 3};
  const std::string head = "HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\nContent-Length: 16\r\n";
  const std::string body(16, 'x');
  long before = rss_kb();
  double payload = 0;
  for (int i = 0; i < n; ++i) {
    std::string key = "http://example.com/obj/" + std::to_string(i);
    payload += static_cast<double>(key.size() + head.size() + body.size());
    EntryMeta meta;
    meta.lifetime_s = 3600;
    tier.insert(Entry::create(key, hash_key_text(key), head, body, meta, tags));
  }
  double per_object = (rss_kb() - before) * 1024.0 / n;
  std::printf("objects %d, RSS growth per object %.0f bytes, key+head+body %.0f bytes, "
              "overhead %.0f bytes (includes 24 bytes of tag hashes)\n",
              n, per_object, payload / n, per_object - payload / n);
}
