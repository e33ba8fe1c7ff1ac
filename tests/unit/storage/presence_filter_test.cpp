// PresenceFilter: no false negatives, few false positives, "maybe" until the existing keys are
// loaded, and loading from a real RocksDB.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "storage/disk_tier.h"
#include "storage/presence_filter.h"
#include "storage/state_db.h"

using namespace lacquer::storage;

namespace {

std::string temp_dir() {
  return (std::filesystem::temp_directory_path() /
          ("lacquer-filter-test-" + std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())))
      .string();
}

// Built with += : GCC 12 warns (-Wrestrict, a false positive) on "literal" + std::string.
std::string url(std::string_view prefix, int i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

void wait_loaded(const PresenceFilter& f) {
  for (int i = 0; i < 500 && !f.loaded(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(f.loaded());
}

}  // namespace

TEST_CASE("presence filter: every added key is found, few others are") {
  auto dir = temp_dir();
  auto db = StateDb::open(dir);
  PresenceFilter f(100000);
  CHECK(f.may_contain(disk_key("http://x/never")));  // not loaded yet: everything may be there
  f.start_loading(*db);
  wait_loaded(f);
  CHECK(f.loaded_keys() == 0);
  for (int i = 0; i < 100000; ++i) f.add(disk_key(url("http://x/in/", i)));
  for (int i = 0; i < 100000; ++i) REQUIRE(f.may_contain(disk_key(url("http://x/in/", i))));
  int false_positives = 0;
  for (int i = 0; i < 100000; ++i) false_positives += f.may_contain(disk_key(url("http://x/out/", i)));
  CHECK(false_positives < 5000);  // under 5 % at 12 bits per key
  db.reset();
  std::filesystem::remove_all(dir);
}

TEST_CASE("presence filter: keys already on disk are loaded at start") {
  auto dir = temp_dir();
  {
    auto db = StateDb::open(dir);
    DiskTier disk(*db);
    EntryMeta m;
    m.lifetime_s = 60;
    m.response_time = std::time(nullptr);  // fresh: the flush's compaction filter keeps it
    for (int i = 0; i < 500; ++i)
      disk.store(Entry::create(url("http://x/", i), 1, "HTTP/1.1 200 OK\r\n", "b", m));
  }  // the tier writes what is queued before it stops
  auto db = StateDb::open(dir);
  PresenceFilter f(10000);
  f.start_loading(*db);
  wait_loaded(f);
  CHECK(f.loaded_keys() == 500);
  for (int i = 0; i < 500; ++i) CHECK(f.may_contain(disk_key(url("http://x/", i))));
  int false_positives = 0;
  for (int i = 0; i < 1000; ++i) false_positives += f.may_contain(disk_key(url("http://y/", i)));
  CHECK(false_positives < 50);
  db.reset();
  std::filesystem::remove_all(dir);
}
