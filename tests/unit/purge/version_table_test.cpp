#include <catch2/catch.hpp>

#include <array>
#include <thread>
#include <vector>

#include "purge/version_table.h"

using namespace lacquer::purge;

TEST_CASE("each purge takes the next sequence number and records it for its scope") {
  VersionTable t;
  CHECK(t.current_seq() == 0);
  auto a = t.apply(Scope::Tag, 7, false);
  auto b = t.apply(Scope::Tag, 7, true);
  auto c = t.apply(Scope::Url, 7, false);
  CHECK(a.seq == 1);
  CHECK(b.seq == 2);
  CHECK(c.seq == 3);
  CHECK(t.get(Scope::Tag, 7).hard == 1);
  CHECK(t.get(Scope::Tag, 7).soft == 2);
  CHECK(t.get(Scope::Url, 7).hard == 3);  // same hash, other scope: its own slot
  CHECK(t.get(Scope::Prefix, 7).hard == 0);
  CHECK(t.last_purge_seq() == 3);
}

TEST_CASE("global purges live in their own slot") {
  VersionTable t;
  t.apply(Scope::Global, 0, true);
  t.apply(Scope::Global, 0, false);
  CHECK(t.get(Scope::Global, 0).soft == 1);
  CHECK(t.get(Scope::Global, 0).hard == 2);
}

TEST_CASE("restore keeps the highest versions and moves the counter forward") {
  VersionTable t;
  t.restore({Scope::Tag, 1, false, 40});
  t.restore({Scope::Tag, 1, false, 30});
  t.restore_counter(55);
  CHECK(t.get(Scope::Tag, 1).hard == 40);
  CHECK(t.current_seq() == 55);
  CHECK(t.apply(Scope::Tag, 2, false).seq == 56);
}

TEST_CASE("forgetting old versions bounds the table") {
  VersionTable t;
  for (std::uint64_t i = 0; i < 100; ++i) t.apply(Scope::Tag, i, false);
  CHECK(t.size() == 100);
  CHECK(t.forget_older_than(50) == 50);  // versions 1..50
  CHECK(t.get(Scope::Tag, 10).hard == 0);
  CHECK(t.get(Scope::Tag, 60).hard == 61);
}

TEST_CASE("a reader that sees last_purge_seq sees the version behind it") {
  VersionTable t;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (std::uint64_t i = 1; i <= 20000; ++i) t.apply(Scope::Tag, i % 64, false);
    stop = true;
  });
  while (!stop) {
    std::uint64_t lp = t.last_purge_seq();
    if (lp == 0) continue;
    // The purge numbered lp wrote tag (lp % 64) before publishing lp.
    REQUIRE(t.get(Scope::Tag, lp % 64).hard >= lp);
  }
  writer.join();
}

TEST_CASE("recent purges can be read back in order until the ring wraps past them") {
  VersionTable t;
  for (std::uint64_t i = 1; i <= 10; ++i) t.apply(Scope::Tag, 100 + i, i % 2 == 0);
  std::array<PurgeRecord, 64> out;
  REQUIRE(t.recent(7, 10, out));
  CHECK(out[0].seq == 8);
  CHECK(out[0].key == 108);
  CHECK(out[0].soft);
  CHECK(out[2].seq == 10);
  CHECK(out[2].scope == Scope::Tag);
  CHECK(t.recent(10, 10, out));  // nothing since: trivially available
  for (std::size_t i = 0; i < VersionTable::kRecent; ++i) t.apply(Scope::Url, i, false);
  CHECK_FALSE(t.recent(7, 10, out));  // overwritten
  CHECK_FALSE(t.recent(0, 100, out)); // more than the caller can take
}
