#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "storage/memory_tier.h"

using namespace lacquer::storage;

namespace {
EntryRef make_entry(const std::string& key, std::uint64_t hash, std::size_t body_size) {
  return Entry::create(key, hash, "HTTP/1.1 200 OK\r\n", std::string(body_size, 'x'), {});
}
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
    tier.insert(make_entry('k' + std::to_string(i), i * 0x9e3779b97f4a7c15ull, 1000));
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
  for (std::uint64_t i = 2; i < 50; ++i) tier.insert(make_entry('k' + std::to_string(i), i, 1000));
  CHECK(held->body() == std::string(1000, 'x'));  // still readable (ASan would catch a free)
}

TEST_CASE("SIEVE keeps a visited entry through a stream of one-hit wonders") {
  MemoryTier tier(8 * 1024, 1);
  tier.insert(make_entry("hot", 1, 1000));
  REQUIRE(tier.lookup(1, "hot"));
  for (std::uint64_t i = 2; i < 50; ++i) tier.insert(make_entry('k' + std::to_string(i), i, 1000));
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
  // Catch2 assertions are not thread-safe (TSan reports its counters): the threads count, the
  // main thread checks.
  std::atomic<int> hits{0}, wrong_key{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&tier, &hits, &wrong_key, t] {
      for (std::uint64_t i = 0; i < 5000; ++i) {
        std::uint64_t k = (i * 31 + t) % 700;
        std::string key = 'k' + std::to_string(k);
        if (auto e = tier.lookup(k * 0x9e3779b97f4a7c15ull, key)) {
          hits.fetch_add(1, std::memory_order_relaxed);
          if (e->key() != key) wrong_key.fetch_add(1, std::memory_order_relaxed);
        } else {
          tier.insert(make_entry(key, k * 0x9e3779b97f4a7c15ull, 500));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(hits.load() > 0);
  CHECK(wrong_key.load() == 0);
  CHECK(tier.stats().bytes <= 256 * 1024);
}

namespace {
MemoryTierOptions with_admission(std::size_t shards = 1) {
  MemoryTierOptions o;
  o.shards = shards;
  o.admission = true;
  return o;
}
// What the request path does: a lookup (counted by admission) and, on a miss, an insert.
bool request(MemoryTier& tier, const std::string& key, std::uint64_t hash) {
  if (tier.lookup(hash, key)) return true;
  tier.insert(make_entry(key, hash, 1000));
  return false;
}
std::uint64_t spread(std::uint64_t i) { return (i + 1) * 0x9e3779b97f4a7c15ull; }
}  // namespace

TEST_CASE("admission: a hot set survives a stream of objects requested twice each; without admission it does not") {
  for (bool admission : {true, false}) {
    MemoryTierOptions o = with_admission();
    o.admission = admission;
    MemoryTier tier(8 * 1024, o);  // room for 6 entries of 1000 bytes
    for (int round = 0; round < 4; ++round)
      for (std::uint64_t i = 0; i < 5; ++i) request(tier, "hot" + std::to_string(i), spread(i));
    // Each requested twice in a row: to SIEVE, as visited as the hot set (one bit), so its hand
    // clears the hot entries' bits and evicts them; the sketch has counted the hot set more.
    for (std::uint64_t i = 100; i < 300; ++i)
      for (int twice = 0; twice < 2; ++twice) request(tier, "scan" + std::to_string(i), spread(i));
    int hot_left = 0;
    for (std::uint64_t i = 0; i < 5; ++i) hot_left += tier.lookup(spread(i), "hot" + std::to_string(i)) ? 1 : 0;
    if (admission) {
      CHECK(hot_left == 5);
      CHECK(tier.stats().rejected >= 390);
    } else {
      CHECK(hot_left == 0);
      CHECK(tier.stats().rejected == 0);
    }
  }
}

TEST_CASE("admission: a newcomer requested more often than the victim takes its place") {
  MemoryTier tier(8 * 1024, with_admission());
  for (std::uint64_t i = 0; i < 6; ++i) request(tier, "old" + std::to_string(i), spread(i));
  REQUIRE(tier.stats().evictions == 0);
  const std::uint64_t h = spread(50);
  CHECK_FALSE(request(tier, "new", h));  // counted once, as often as the victim: refused
  CHECK_FALSE(tier.lookup(h, "new"));    // counted again (the lookup is a request)
  CHECK(tier.stats().rejected == 1);
  CHECK_FALSE(request(tier, "new", h));  // now counted 3 times: admitted
  CHECK(tier.lookup(h, "new"));
  const MemoryTierStats st = tier.stats();
  CHECK(st.admitted == 1);
  CHECK(st.evictions == 1);
  CHECK(st.objects == 6);
  CHECK(st.bytes <= 8 * 1024);
}

TEST_CASE("admission: a tier with room takes everything, a replacement and a Vary marker are always taken") {
  MemoryTier tier(8 * 1024, with_admission());
  for (std::uint64_t i = 0; i < 6; ++i) CHECK(tier.insert(make_entry("k" + std::to_string(i), spread(i), 1000)));
  CHECK(tier.stats().rejected == 0);
  CHECK(tier.stats().admitted == 0);  // no comparison while there was room
  // Full now. A new body for a stored key (a refresh) is taken without a comparison.
  CHECK(tier.insert(make_entry("k3", spread(3), 1000)));
  // A newcomer nobody asked for is refused...
  CHECK_FALSE(tier.insert(make_entry("never-requested", spread(70), 1000)));
  // ...but a Vary marker is small and a variant is unreachable without it.
  EntryMeta marker;
  marker.flags = kEntryVaryMarker;
  CHECK(tier.insert(Entry::create("marker", spread(71), "Accept-Encoding", {}, marker)));
  CHECK(tier.lookup(spread(71), "marker"));
  CHECK(tier.stats().rejected == 1);
}

TEST_CASE("admission: the sketch is small and only there when admission is on") {
  MemoryTier plain(128ull << 20, 64);
  CHECK_FALSE(plain.admission());
  CHECK(plain.sketch_bytes() == 0);
  MemoryTier counted(128ull << 20, with_admission(64));
  CHECK(counted.admission());
  // One counter per 4 KiB of budget, four rows: 128 KiB for 128 MiB.
  CHECK(counted.sketch_bytes() == 4 * (128ull << 20) / 4096);
}

TEST_CASE("admission: concurrent requests keep the tier consistent") {
  MemoryTier tier(64 * 1024, with_admission(8));
  std::vector<std::thread> threads;
  std::atomic<int> hits{0}, wrong_key{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&tier, &hits, &wrong_key, t] {
      for (std::uint64_t i = 0; i < 5000; ++i) {
        // Skewed: low keys far more often than high ones.
        std::uint64_t k = ((i * 7919 + t * 104729) % 1000) * ((i * 31 + t) % 700) / 1000;
        std::string key = 'k' + std::to_string(k);
        if (auto e = tier.lookup(spread(k), key)) {
          hits.fetch_add(1, std::memory_order_relaxed);
          if (e->key() != key) wrong_key.fetch_add(1, std::memory_order_relaxed);
        } else {
          tier.insert(make_entry(key, spread(k), 500));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const MemoryTierStats st = tier.stats();
  CHECK(hits.load() > 0);
  CHECK(wrong_key.load() == 0);
  CHECK(st.bytes <= 64 * 1024);
  CHECK(st.rejected > 0);
  CHECK(st.admitted > 0);
}
