#include <catch2/catch.hpp>

#include "purge/sweep_pacer.h"

using namespace std::chrono_literals;
using lacquer::purge::SweepPacer;

TEST_CASE("the pacer rests only once a quantum of work has accumulated") {
  SweepPacer pacer(0.25, 100us);
  CHECK(pacer.after_work(30us) == 0us);
  CHECK(pacer.after_work(60us) == 0us);
  // 100 us of work at a quarter of a core: 300 us of rest.
  CHECK(pacer.after_work(10us) == 300us);
  // The owed work starts again from zero after a rest.
  CHECK(pacer.after_work(50us) == 0us);
}

TEST_CASE("the pacer's rest keeps the work at its share of the core") {
  SweepPacer pacer(0.05, 200us);
  const auto rest = pacer.after_work(1000us);
  CHECK(rest == 19000us);  // 1 ms of work in 20 ms
}

TEST_CASE("a pacer with the whole core never rests; a share out of range is clamped") {
  SweepPacer whole(1.0, 0us);
  CHECK(whole.after_work(10ms) == 0us);
  SweepPacer over(7.0, 0us);
  CHECK(over.after_work(10ms) == 0us);
  SweepPacer tiny(0.0, 0us);  // clamped to 0.001: 1 us of work, 999 us of rest
  CHECK(tiny.after_work(1us) == 999us);
  SweepPacer negative_work(0.5, 10us);
  CHECK(negative_work.after_work(-5us) == 0us);
  CHECK(negative_work.after_work(10us) == 10us);
}
