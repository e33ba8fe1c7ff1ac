#include <catch2/catch.hpp>

#include "storage/frequency_sketch.h"

using namespace lacquer::storage;

namespace {
std::uint64_t key(std::uint64_t i) {  // an already-mixed hash, as callers pass
  std::uint64_t z = i + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
}  // namespace

TEST_CASE("sketch: counts what it is told and never reports less", "[storage][sketch]") {
  FrequencySketch s(1024);
  for (std::uint64_t k = 0; k < 200; ++k)
    for (std::uint64_t n = 0; n <= k % 5; ++n) s.add(key(k));
  for (std::uint64_t k = 0; k < 200; ++k) CHECK(s.estimate(key(k)) >= k % 5 + 1);
  CHECK(s.estimate(key(999'999)) == 0);
  // At this load (1,000 additions over 1,024 counters a row) collisions in all four rows are rare.
  int exact = 0;
  for (std::uint64_t k = 0; k < 200; ++k) exact += s.estimate(key(k)) == k % 5 + 1;
  CHECK(exact >= 190);
}

TEST_CASE("sketch: add returns the count after adding", "[storage][sketch]") {
  FrequencySketch s(256);
  CHECK(s.add(key(1)) == 1);
  CHECK(s.add(key(1)) == 2);
  CHECK(s.add(key(2)) == 1);
}

TEST_CASE("sketch: counters saturate instead of wrapping", "[storage][sketch]") {
  FrequencySketch s(1 << 12);
  for (int i = 0; i < 1000; ++i) s.add(key(3));
  CHECK(s.estimate(key(3)) == FrequencySketch::kMaxCount);
}

TEST_CASE("sketch: every count is halved after ten additions per counter", "[storage][sketch]") {
  FrequencySketch s(64);  // rounded to 64: a window of 640 additions
  REQUIRE(s.window() == 640);
  for (int i = 0; i < 40; ++i) s.add(key(1));
  CHECK(s.estimate(key(1)) == 40);
  for (int i = 0; i < 600; ++i) s.add(key(2));  // the 640th addition halves everything
  CHECK(s.estimate(key(1)) == 20);
  CHECK(s.estimate(key(2)) == FrequencySketch::kMaxCount / 2);
}

TEST_CASE("sketch: width is rounded up to a power of two, at least 64", "[storage][sketch]") {
  CHECK(FrequencySketch(1).width() == 64);
  CHECK(FrequencySketch(1000).width() == 1024);
  CHECK(FrequencySketch(1000).memory_bytes() == 4 * 1024);
}
