#include <catch2/catch.hpp>

#include <string>

#include "purge/surrogate_keys.h"
#include "purge/sweeper.h"
#include "storage/memory_tier.h"

using namespace lacquer;
using namespace lacquer::purge;

namespace {
storage::EntryRef entry(const std::string& key, std::uint64_t hash, std::uint64_t birth,
                        std::vector<std::uint64_t> tags) {
  storage::EntryMeta m;
  m.birth_seq = birth;
  return storage::Entry::create(key, hash, "H", std::string(100, 'x'), m, tags);
}
Sweeper::Options quiet() {
  Sweeper::Options o;
  o.idle_check_ms = 60000;  // the test drives passes itself
  o.batch = 3;              // several batches per shard
  return o;
}
}  // namespace

TEST_CASE("a sweep drops purged entries and keeps the rest") {
  storage::MemoryTier tier(1 << 20, 4);
  VersionTable versions;
  for (std::uint64_t i = 0; i < 40; ++i)
    tier.insert(entry("http://h/" + std::to_string(i), i * 0x9e3779b97f4a7c15ull, 0,
                      {tag_hash(i % 2 ? "odd" : "even")}));
  versions.apply(Scope::Tag, tag_hash("odd"), false);
  Sweeper sweeper(tier, versions, quiet());
  sweeper.run_pass();
  CHECK(sweeper.stats().dropped.load() == 20);
  CHECK(tier.stats().objects == 20);
  CHECK(sweeper.stats().reclaimed_bytes.load() > 20 * 100);
  CHECK(tier.lookup(0, "http://h/0"));  // even: kept
  // A second pass has nothing left to drop.
  sweeper.run_pass();
  CHECK(sweeper.stats().dropped.load() == 20);
}

TEST_CASE("soft-purged entries are not dropped by the sweep") {
  storage::MemoryTier tier(1 << 20, 1);
  VersionTable versions;
  tier.insert(entry("http://h/s", 1, 0, {tag_hash("t")}));
  versions.apply(Scope::Tag, tag_hash("t"), true);
  Sweeper sweeper(tier, versions, quiet());
  sweeper.run_pass();
  CHECK(tier.stats().objects == 1);
}

TEST_CASE("the version table is bounded: old versions are forgotten behind a floor") {
  storage::MemoryTier tier(1 << 20, 2);
  VersionTable versions;
  for (std::uint64_t i = 0; i < 50; ++i) versions.apply(Scope::Tag, i, false);  // seqs 1..50
  tier.insert(entry("http://h/new", 7, 50, {}));  // born after all of them
  auto options = quiet();
  options.max_versions = 10;
  Sweeper sweeper(tier, versions, options);
  sweeper.run_pass();
  CHECK(versions.size() == 0);
  CHECK(versions.forgotten_below() == 50);
  CHECK(sweeper.stats().versions_forgotten.load() == 50);
  CHECK(tier.stats().objects == 1);
}
