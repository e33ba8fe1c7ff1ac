#include <catch2/catch.hpp>

#include "cache/early_refresh.h"

using namespace lacquer::cache;

namespace {
// The share of `n` hits, each with its own draw from a seeded source, that would refresh.
double refresh_share(std::int64_t remaining_ms, std::uint32_t fetch_ms, const EarlyRefreshPolicy& p, int n = 20000) {
  UniformDraws draws(12345);
  int yes = 0;
  for (int i = 0; i < n; ++i) yes += should_refresh_early(remaining_ms, fetch_ms, p, draws.next());
  return static_cast<double>(yes) / n;
}
}  // namespace

TEST_CASE("early refresh: the chance rises as expiry nears") {
  const EarlyRefreshPolicy p{.beta = 1.0, .min_delta_ms = 100};
  const double far = refresh_share(3000, 200, p);
  const double mid = refresh_share(400, 200, p);
  const double near = refresh_share(100, 200, p);
  const double last = refresh_share(5, 200, p);
  CHECK(far == 0);
  CHECK(mid < near);
  CHECK(near < last);
  // exp(-remaining / delta): 0.135 at two deltas, 0.61 at half a delta, 0.975 at 5 ms
  CHECK(mid == Approx(0.135).margin(0.02));
  CHECK(near == Approx(0.607).margin(0.02));
  CHECK(last == Approx(0.975).margin(0.01));
}

TEST_CASE("early refresh: zero while expiry is far, whatever the draw") {
  const EarlyRefreshPolicy p{.beta = 1.0, .min_delta_ms = 100};
  for (double u : {1e-300, 1e-12, 0.001, 0.5, 1.0}) CHECK_FALSE(should_refresh_early(60000, 150, p, u));
  CHECK(early_refresh_probability(60000, 150, p) < 1e-100);
}

TEST_CASE("early refresh: beta 0 turns it off") {
  const EarlyRefreshPolicy off{.beta = 0, .min_delta_ms = 100};
  CHECK(refresh_share(1, 1000, off) == 0);
  CHECK(early_refresh_probability(1, 1000, off) == 0);
}

TEST_CASE("early refresh: a slower fetch and a larger beta refresh earlier") {
  const EarlyRefreshPolicy p{.beta = 1.0, .min_delta_ms = 10};
  CHECK(refresh_share(500, 100, p) < refresh_share(500, 400, p));
  const EarlyRefreshPolicy eager{.beta = 3.0, .min_delta_ms = 10};
  CHECK(refresh_share(500, 100, p) < refresh_share(500, 100, eager));
}

TEST_CASE("early refresh: the floor stands in for fast or unknown fetch times") {
  const EarlyRefreshPolicy p{.beta = 1.0, .min_delta_ms = 100};
  CHECK(early_refresh_delta_ms(0, p) == 100);    // an entry from before fetch times were kept
  CHECK(early_refresh_delta_ms(2, p) == 100);    // a loopback origin
  CHECK(early_refresh_delta_ms(700, p) == 700);  // a slow origin
  CHECK(early_refresh_probability(100, 0, p) == Approx(0.3679).margin(1e-3));
}

TEST_CASE("early refresh: the draw decides exactly at the boundary, and odd draws are safe") {
  const EarlyRefreshPolicy p{.beta = 1.0, .min_delta_ms = 100};
  // remaining <= -ln(u) * 100  <=>  u <= exp(-remaining / 100)
  CHECK(should_refresh_early(100, 0, p, 0.36));
  CHECK_FALSE(should_refresh_early(100, 0, p, 0.37));
  CHECK(should_refresh_early(100, 0, p, 0.0));     // treated as the smallest draw
  CHECK_FALSE(should_refresh_early(100, 0, p, 2.0));  // clamped to 1: -ln 1 = 0
  CHECK(should_refresh_early(0, 0, p, 1.0));       // at expiry
}

TEST_CASE("uniform draws are seeded, repeatable and inside (0, 1]") {
  UniformDraws a(7), b(7), c(8);
  double sum = 0;
  bool differs = false;
  for (int i = 0; i < 10000; ++i) {
    const double x = a.next();
    CHECK(x == b.next());
    differs |= x != c.next();
    REQUIRE(x > 0);
    REQUIRE(x <= 1);
    sum += x;
  }
  CHECK(differs);
  CHECK(sum / 10000 == Approx(0.5).margin(0.02));
}
