// InflightTable: one registered job per key, weak references, bounded hit-for-miss markers.
#include <catch2/catch.hpp>

#include "edge/fetch/inflight.h"

using lacquer::edge::FetchJob;
using lacquer::edge::InflightTable;

namespace lacquer::edge {
class FetchJob {};  // the table never looks inside a job
}  // namespace lacquer::edge

TEST_CASE("the first registration wins; later ones get the running job") {
  InflightTable t;
  auto a = std::make_shared<FetchJob>();
  auto b = std::make_shared<FetchJob>();
  CHECK(t.register_job(1, "http://x/a", a) == a);
  CHECK(t.register_job(1, "http://x/a", b) == a);
  CHECK(t.find(1, "http://x/a") == a);
  CHECK(t.find(1, "http://x/other") == nullptr);  // same hash, other key
  CHECK(t.register_job(1, "http://x/other", b) == b);
  CHECK(t.jobs() == 2);
}

TEST_CASE("a job that ended is gone without unregistering") {
  InflightTable t;
  auto a = std::make_shared<FetchJob>();
  t.register_job(7, "k", a);
  a.reset();
  CHECK(t.find(7, "k") == nullptr);
  auto b = std::make_shared<FetchJob>();
  CHECK(t.register_job(7, "k", b) == b);
}

TEST_CASE("unregister removes only the job that is registered") {
  InflightTable t;
  auto a = std::make_shared<FetchJob>();
  auto b = std::make_shared<FetchJob>();
  t.register_job(3, "k", a);
  t.unregister(3, "k", b.get());
  CHECK(t.find(3, "k") == a);
  t.unregister(3, "k", a.get());
  CHECK(t.find(3, "k") == nullptr);
}

TEST_CASE("hit-for-miss markers expire") {
  InflightTable t;
  t.mark_hit_for_miss(5, "k", 100);
  CHECK(t.hit_for_miss(5, "k", 99));
  CHECK_FALSE(t.hit_for_miss(5, "other", 99));
  CHECK_FALSE(t.hit_for_miss(5, "k", 100));
  t.mark_hit_for_miss(5, "k", 200);
  t.clear_hit_for_miss(5, "k");
  CHECK_FALSE(t.hit_for_miss(5, "k", 150));
}
