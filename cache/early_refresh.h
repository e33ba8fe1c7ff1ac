// Probabilistic early refresh (XFetch: Vattani, Chierichetti, Lowenstein, "Optimal Probabilistic
// Cache Stampede Prevention", VLDB 2015). A hit on a fresh entry starts a background refresh when
//
//     now - delta * beta * ln(u) >= expiry        u uniform in (0, 1]
//
// i.e. when remaining <= delta * beta * -ln(u). delta is how long the last origin fetch of the
// entry took, beta scales how eager the refresh is (1 is the paper's optimum, 0 turns it off).
// The chance per hit is exp(-remaining / (delta * beta)): negligible while expiry is far away,
// rising to 1 as it nears, and earlier for entries that are slow to fetch.
//
// Pure: the remaining freshness, the fetch time and the random draw are passed in.
#pragma once

#include <cmath>
#include <cstdint>

namespace lacquer::cache {

struct EarlyRefreshPolicy {
  double beta = 0;                      // 0: never refresh early
  std::uint32_t min_delta_ms = 100;     // floor under the measured fetch time (see below)
};

// The delta the rule uses: the measured fetch time, but never below the floor. A loopback origin
// answers in a millisecond, which would leave only the last few milliseconds of a lifetime for the
// refresh, shorter than a refresh takes to be published; the floor makes the window at least that
// wide. An entry written before fetch times were recorded has 0 and gets the floor.
inline double early_refresh_delta_ms(std::uint32_t last_fetch_ms, const EarlyRefreshPolicy& p) {
  return static_cast<double>(last_fetch_ms > p.min_delta_ms ? last_fetch_ms : p.min_delta_ms);
}

// Beyond this many deltas of remaining freshness the chance is below e^-30 (1e-13): callers skip
// the draw (and the fine clock read) entirely, which keeps ordinary hits free of the rule.
inline constexpr double kEarlyRefreshHorizonDeltas = 30;

// True when the hit should start a background refresh now. `remaining_ms`: freshness left (> 0 for
// a fresh entry); `draw`: uniform in (0, 1] (a 0 is treated as the smallest positive draw).
inline bool should_refresh_early(std::int64_t remaining_ms, std::uint32_t last_fetch_ms,
                                 const EarlyRefreshPolicy& p, double draw) {
  if (p.beta <= 0) return false;
  if (remaining_ms <= 0) return true;  // expired already: the stale rules decide before this
  const double scale = early_refresh_delta_ms(last_fetch_ms, p) * p.beta;
  if (static_cast<double>(remaining_ms) > kEarlyRefreshHorizonDeltas * scale) return false;
  if (!(draw > 0)) draw = 0x1p-53;
  if (draw > 1) draw = 1;
  return static_cast<double>(remaining_ms) <= -std::log(draw) * scale;
}

// The chance that one hit refreshes: exp(-remaining / (delta * beta)). For tests and docs.
inline double early_refresh_probability(std::int64_t remaining_ms, std::uint32_t last_fetch_ms,
                                        const EarlyRefreshPolicy& p) {
  if (p.beta <= 0) return 0;
  if (remaining_ms <= 0) return 1;
  return std::exp(-static_cast<double>(remaining_ms) / (early_refresh_delta_ms(last_fetch_ms, p) * p.beta));
}

// Uniform draws in (0, 1] from a seeded xorshift64* generator: one per worker (not shared between
// threads), seeded per process in production and with a fixed seed in tests.
class UniformDraws {
 public:
  // The seed goes through splitmix64 first: xorshift's first outputs from a small seed are small.
  explicit UniformDraws(std::uint64_t seed) : state_(mix(seed)) {}
  double next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    const std::uint64_t x = state_ * 0x2545f4914f6cdd1dull;
    return static_cast<double>((x >> 11) + 1) * 0x1p-53;  // (0, 1]
  }

 private:
  static std::uint64_t mix(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return z ? z : 1;
  }
  std::uint64_t state_;
};

}  // namespace lacquer::cache
