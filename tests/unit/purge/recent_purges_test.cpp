// The sweeper's per-pass index of recent purges (purge/recent_purges.h) must answer exactly as
// entry_verdict does for every entry it is used for.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "purge/entry_verdict.h"
#include "purge/recent_purges.h"
#include "purge/scopes.h"
#include "storage/cache_key.h"

using namespace lacquer;
using namespace lacquer::purge;

TEST_CASE("the per-pass index and entry_verdict agree on every entry checked since the last pass") {
  std::mt19937_64 rng(18);
  const std::vector<std::string> urls = {"http://example.com/a/b?x=1", "http://example.com/a/c", "http://example.com/d",
                                         std::string("http://example.com/a/b") + storage::kVariantSeparator + "v"};
  const std::vector<std::string> prefixes = {"http://example.com/a", "http://example.com/a/b", "http://example.com/x"};
  for (int round = 0; round < 200; ++round) {
    VersionTable v;
    auto purge_some = [&](int n) {
      for (int i = 0; i < n; ++i) {
        const bool soft = rng() % 3 == 0;
        switch (rng() % 8) {
          case 0: v.apply(Scope::Global, 0, soft); break;
          case 1: case 2: v.apply(Scope::Url, url_hash(urls[rng() % urls.size()]), soft); break;
          case 3: v.apply(Scope::Prefix, prefix_hash(prefixes[rng() % prefixes.size()]), soft); break;
          default: v.apply(Scope::Tag, 1 + rng() % 6, soft); break;
        }
      }
    };
    purge_some(static_cast<int>(rng() % 10));
    const std::uint64_t base = v.last_purge_seq();  // the last pass ended here
    purge_some(static_cast<int>(rng() % 12));
    RecentPurges recent;
    REQUIRE(recent.load(v, base, v.last_purge_seq()));
    for (int e = 0; e < 20; ++e) {
      const std::uint64_t tags[] = {1 + rng() % 6, 1 + rng() % 6};
      const std::string& key = urls[rng() % urls.size()];
      const std::uint64_t birth = rng() % (base + 1);
      const std::uint64_t checked = std::max<std::uint64_t>(birth, base + rng() % 3);
      const std::uint64_t from = std::max(birth, checked);
      INFO("round " << round << " entry " << e << " key " << key << " from " << from);
      CHECK(recent.verdict(from, key, tags) == entry_verdict(v, {birth, checked, key, tags}));
    }
  }
}

TEST_CASE("the index refuses a window the ring no longer holds") {
  VersionTable v;
  for (std::size_t i = 0; i < VersionTable::kRecent + 10; ++i) v.apply(Scope::Tag, i + 1, false);
  RecentPurges recent;
  CHECK_FALSE(recent.load(v, 0, v.last_purge_seq()));
  CHECK(recent.load(v, v.last_purge_seq() - 5, v.last_purge_seq()));
}
