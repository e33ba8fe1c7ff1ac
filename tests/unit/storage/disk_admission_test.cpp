#include "storage/disk_admission.h"

#include <catch2/catch.hpp>

#include <cstdint>

using lacquer::storage::DiskAdmission;
using lacquer::storage::DiskAdmissionOptions;
using lacquer::storage::FrequencySketch;

namespace {
// Mixed like the cache's key hashes (xxHash output): spread over all 64 bits.
std::uint64_t key(std::uint64_t i) {
  std::uint64_t z = i + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
DiskAdmissionOptions full_disk(std::uint64_t counters = 1 << 12) {
  DiskAdmissionOptions o;
  o.disk_budget = 1000;
  o.counters = counters;
  return o;
}
}  // namespace

TEST_CASE("admission: everything goes to a disk that has not filled its budget yet", "[storage][admission]") {
  DiskAdmission a(full_disk(), 0);
  CHECK_FALSE(a.disk_filled());
  CHECK(a.admit(key(1), 600));  // first fetches, all admitted: writes evict nothing yet
  CHECK(a.admit(key(2), 600));
  a.note_disk_bytes(800);  // what the disk really holds (compressed): under 90 % of 1000
  CHECK_FALSE(a.disk_filled());
  CHECK(a.admit(key(3), 600));
  a.note_disk_bytes(900);
  CHECK(a.disk_filled());
  CHECK_FALSE(a.admit(key(4), 600));  // now a first fetch is not enough
  a.note_disk_bytes(100);             // FIFO dropped a file: a filled disk stays filled
  CHECK(a.disk_filled());
  CHECK(a.stats().admitted == 3);
  CHECK(a.stats().rejected == 1);
  CHECK(a.stats().rejected_bytes == 600);
}

TEST_CASE("admission: a full disk takes a response on its second fetch", "[storage][admission]") {
  DiskAdmission a(full_disk(), 5000);  // already full at start (a restart onto a full disk)
  REQUIRE(a.disk_filled());
  CHECK_FALSE(a.admit(key(7), 100));
  CHECK(a.estimate(key(7)) == 1);
  CHECK(a.admit(key(7), 100));
  CHECK(a.admit(key(7), 100));
  CHECK(a.estimate(key(7)) == 3);
}

TEST_CASE("admission: one-off keys are refused and do not make each other look frequent", "[storage][admission]") {
  DiskAdmission a(full_disk(1 << 14), 5000);
  int admitted = 0;
  for (std::uint64_t i = 0; i < 5000; ++i) admitted += a.admit(key(1'000'000 + i), 100);
  // A count-min sketch overestimates only when all four rows collide: rare at this load.
  CHECK(admitted < 50);
}

TEST_CASE("admission: counts age, so a fetch long ago does not admit today's", "[storage][admission]") {
  DiskAdmission a(full_disk(64), 5000);  // 64 counters per row: a window of 640 fetches
  CHECK_FALSE(a.admit(key(1), 100));
  CHECK(a.estimate(key(1)) == 1);
  for (int i = 0; i < 639; ++i) a.admit(key(2), 100);  // the window passes: every count halved
  CHECK(a.estimate(key(2)) == FrequencySketch::kMaxCount / 2);  // saturated, then halved
  CHECK(a.estimate(key(1)) == 0);
  CHECK_FALSE(a.admit(key(1), 100));
}

TEST_CASE("admission: counters saturate instead of wrapping", "[storage][admission]") {
  DiskAdmission a(full_disk(), 5000);
  for (int i = 0; i < 300; ++i) a.admit(key(9), 10);
  CHECK(a.estimate(key(9)) == FrequencySketch::kMaxCount);
  CHECK(a.admit(key(9), 10));
}

TEST_CASE("admission: admit_all writes everything", "[storage][admission]") {
  auto o = full_disk();
  o.admit_all = true;
  DiskAdmission a(o, 5000);
  for (std::uint64_t i = 0; i < 100; ++i) CHECK(a.admit(key(i), 10));
  CHECK(a.stats().rejected == 0);
}

TEST_CASE("admission: markers are always admitted", "[storage][admission]") {
  DiskAdmission a(full_disk(), 5000);
  a.admit_always();
  CHECK(a.stats().admitted == 1);
}

TEST_CASE("admission: the sketch is sized by its options, rounded to a power of two", "[storage][admission]") {
  DiskAdmission a(full_disk(1000), 0);
  CHECK(a.memory_bytes() == 4 * 1024);
}
