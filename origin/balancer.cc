#include "origin/balancer.h"

#include <cmath>
#include <limits>

namespace lacquer::origin {

namespace {

// splitmix64's finaliser: a good 64-bit mix of the key and server hashes.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

bool eligible(const Candidate& c, int index, int exclude) { return c.usable && c.weight > 0 && index != exclude; }

}  // namespace

int pick_rendezvous(std::span<const Candidate> servers, std::uint64_t key_hash, int exclude) {
  int best = Balancer::kNone;
  double best_score = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (!eligible(servers[i], static_cast<int>(i), exclude)) continue;
    // u uniform in (0, 1); score = -w / ln(u) gives server i a share proportional to w.
    const std::uint64_t h = mix(key_hash ^ mix(servers[i].id_hash));
    const double u = (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0;  // 2^53
    const double score = -static_cast<double>(servers[i].weight) / std::log(u);
    if (score > best_score) {
      best_score = score;
      best = static_cast<int>(i);
    }
  }
  return best;
}

int Balancer::pick(std::span<const Candidate> servers, std::uint64_t key_hash, int exclude) {
  if (current_.size() != servers.size()) current_.assign(servers.size(), 0);
  switch (kind_) {
    case conf::Balance::RoundRobin: return pick_round_robin(servers, exclude);
    case conf::Balance::LeastRequests: return pick_least_requests(servers, exclude);
    case conf::Balance::ConsistentHash: return pick_rendezvous(servers, key_hash, exclude);
  }
  return kNone;
}

int Balancer::pick_round_robin(std::span<const Candidate> servers, int exclude) {
  int best = kNone;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (!eligible(servers[i], static_cast<int>(i), exclude)) continue;
    current_[i] += servers[i].weight;
    total += servers[i].weight;
    if (best == kNone || current_[i] > current_[static_cast<std::size_t>(best)]) best = static_cast<int>(i);
  }
  if (best != kNone) current_[static_cast<std::size_t>(best)] -= total;
  return best;
}

int Balancer::pick_least_requests(std::span<const Candidate> servers, int exclude) {
  int best = kNone;
  const std::size_t n = servers.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (rotate_ + k) % n;
    if (!eligible(servers[i], static_cast<int>(i), exclude)) continue;
    if (best == kNone) {
      best = static_cast<int>(i);
      continue;
    }
    const Candidate& b = servers[static_cast<std::size_t>(best)];
    // outstanding_i / weight_i < outstanding_b / weight_b, without division
    if (static_cast<std::uint64_t>(servers[i].outstanding) * b.weight <
        static_cast<std::uint64_t>(b.outstanding) * servers[i].weight)
      best = static_cast<int>(i);
  }
  if (n > 0) rotate_ = (rotate_ + 1) % n;
  return best;
}

}  // namespace lacquer::origin
