#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "storage/memory_tier.h"

using namespace lacquer::storage;

namespace {
EntryRef make_entry(const std::string& key, std::uint64_t hash, std::size_t body_size) {
  return Entry::create(key, hash, "HTTP/1.1 200 OK\r\n", std::string(body_size, 'x'), {});
}
// Not `"k" + std::to_string(i)`: GCC 12 at -O3 reports a false -Wrestrict in that operator+.
std::string k_name(std::uint64_t i) { return std::string("k").append(std::to_string(i)); }
}  // namespace

TEST_CASE("lookup finds what insert stored and compares the full key") {
  MemoryTier tier(1 << 20, 1);
  REQUIRE(tier.insert(make_entry("http://a/1", 7, 10)));
  auto hit = tier.lookup(7, "http://a/1");
  REQUIRE(hit);
  CHECK(hit->body().size() == 10);
  // Same hash, different key: a collision is a miss, never someone else's response.
  CHECK_FALSE(tier.lookup(7, "http://a/2"));
  CHECK_FALSE(tier.lookup(8, "http://a/1"));
}

TEST_CASE("insert replaces the entry with the same key") {
  MemoryTier tier(1 << 20, 1);
  tier.insert(make_entry("k", 1, 10));
  tier.insert(make_entry("k", 1, 20));
  CHECK(tier.lookup(1, "k")->body().size() == 20);
  CHECK(tier.stats().objects == 1);
}

TEST_CASE("the byte budget holds and evictions are counted") {
  const std::uint64_t budget = 64 * 1024;
  MemoryTier tier(budget, 4);
  for (std::uint64_t i = 0; i < 1000; ++i)
    tier.insert(make_entry(k_name(i), i * 0x9e3779b97f4a7c15ull, 1000));
  auto st = tier.stats();
  CHECK(st.bytes <= budget);
  CHECK(st.evictions > 0);
  CHECK(st.objects + st.evictions == 1000);
}

TEST_CASE("an entry larger than the whole budget is refused; one larger than a shard's share is not") {
  MemoryTier tier(4096, 4);
  CHECK_FALSE(tier.insert(make_entry("huge", 1, 5000)));
  CHECK(tier.stats().objects == 0);
  CHECK(tier.insert(make_entry("big", 2, 3000)));  // over 4096/4, under 4096
  CHECK(tier.lookup(2, "big"));
}

TEST_CASE("a looked-up entry outlives its replacement and eviction") {
  MemoryTier tier(8 * 1024, 1);
  tier.insert(make_entry("first", 1, 1000));
  EntryRef held = tier.lookup(1, "first");
  tier.insert(make_entry("first", 1, 10));  // replaced while a hit still sends it
  for (std::uint64_t i = 2; i < 50; ++i) tier.insert(make_entry(k_name(i), i, 1000));
  CHECK(held->body() == std::string(1000, 'x'));  // still readable (ASan would catch a free)
}

TEST_CASE("SIEVE keeps a visited entry through a stream of one-hit wonders") {
  MemoryTier tier(8 * 1024, 1);
  tier.insert(make_entry("hot", 1, 1000));
  REQUIRE(tier.lookup(1, "hot"));
  for (std::uint64_t i = 2; i < 50; ++i) tier.insert(make_entry(k_name(i), i, 1000));
  CHECK(tier.lookup(1, "hot"));
  CHECK(tier.stats().evictions > 40);
}

TEST_CASE("erase removes only the matching key") {
  MemoryTier tier(1 << 20, 1);
  tier.insert(make_entry("k", 1, 10));
  CHECK_FALSE(tier.erase(1, "other"));
  CHECK(tier.erase(1, "k"));
  CHECK_FALSE(tier.lookup(1, "k"));
  CHECK(tier.stats().bytes == 0);
}

TEST_CASE("concurrent hits and inserts keep the tier consistent") {
  MemoryTier tier(256 * 1024, 8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&tier, t] {
      for (std::uint64_t i = 0; i < 5000; ++i) {
        std::uint64_t k = (i * 31 + t) % 700;
        std::string key = k_name(k);
        if (auto e = tier.lookup(k * 0x9e3779b97f4a7c15ull, key)) {
          REQUIRE(e->key() == key);
        } else {
          tier.insert(make_entry(key, k * 0x9e3779b97f4a7c15ull, 500));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(tier.stats().bytes <= 256 * 1024);
}
