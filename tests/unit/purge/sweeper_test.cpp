#include <catch2/catch.hpp>

#include <sched.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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

namespace {
// Fills `tier` with n entries tagged "gone", all purged by the returned version table's purge.
void fill_purged(storage::MemoryTier& tier, VersionTable& versions, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i)
    tier.insert(entry("http://h/" + std::to_string(i), (i + 1) * 0x9e3779b97f4a7c15ull, 0, {tag_hash("gone")}));
  versions.apply(Scope::Tag, tag_hash("gone"), false);
}

// The scheduling policy of every thread of this process, from /proc/self/task/*/stat (field 41).
std::vector<int> thread_policies() {
  std::vector<int> out;
  for (const auto& t : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream f(t.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 41 && rest >> field; ++i)
      if (i == 41) out.push_back(std::stoi(field));
  }
  return out;
}

template <typename F>
bool eventually(F done, std::chrono::milliseconds limit = std::chrono::milliseconds(10000)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}
}  // namespace

TEST_CASE("a background pass runs at normal priority and rests between batches") {
  // An idle-priority pass held shard and allocator locks a loop then waited for (bench/purge.sh).
  storage::MemoryTier tier(64 << 20, 4);
  VersionTable versions;
  fill_purged(tier, versions, 4000);
  Sweeper::Options o;
  o.idle_check_ms = 1;
  o.min_interval_ms = 0;
  o.batch = 8;
  o.pace_quantum_us = 0;  // rest after every batch
  o.core_share = 0.05;    // a long pass, so the test sees it running
  Sweeper sweeper(tier, versions, o);
  REQUIRE(eventually([&] { return sweeper.stats().running.load() && sweeper.stats().examined.load() > 0; }));
  for (int policy : thread_policies()) CHECK(policy != SCHED_IDLE);
  // Resting: well into the pass, most of the 4000 entries are still there.
  CHECK(tier.stats().objects > 2000);
  REQUIRE(eventually([&] { return sweeper.stats().passes.load() >= 1; }, std::chrono::milliseconds(60000)));
  CHECK(tier.stats().objects == 0);
  CHECK(sweeper.stats().dropped.load() == 4000);
}

TEST_CASE("a stop ends a resting pass at once") {
  storage::MemoryTier tier(64 << 20, 4);
  VersionTable versions;
  fill_purged(tier, versions, 2000);
  Sweeper::Options o;
  o.idle_check_ms = 1;
  o.min_interval_ms = 0;
  o.batch = 4;
  o.pace_quantum_us = 0;
  o.core_share = 0.001;  // the whole pass would rest for seconds
  auto sweeper = std::make_unique<Sweeper>(tier, versions, o);
  REQUIRE(eventually([&] { return sweeper->stats().examined.load() > 0; }));
  const auto t0 = std::chrono::steady_clock::now();
  sweeper.reset();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  CHECK(tier.stats().objects > 0);  // the pass gave up; the next one finishes the job
}
