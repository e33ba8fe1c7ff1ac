// Choosing a server of a pool for one request. Pure: the caller says which servers are usable
// and how busy they are; nothing here reads a clock or touches a socket.
//
//  - round-robin: smooth weighted round robin (the nginx scheme): over any run of
//    sum(weights) picks each server is chosen `weight` times, interleaved rather than in bursts.
//  - least-requests: the fewest requests in flight relative to weight; ties rotate.
//  - consistent-hash: weighted rendezvous (highest random weight) hashing on the cache key. Every
//    lacquer with the same pool sends a key to the same server, across restarts; taking a server
//    out moves only its own keys, each to its next-best server (so failover is consistent too);
//    weights shift shares smoothly. No ring to build or keep in sync with health: O(servers) per
//    pick, which for pools of a few dozen servers is cheaper than a Maglev table's upkeep.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "conf/sites.h"

namespace lacquer::origin {

struct Candidate {
  std::uint32_t weight = 1;
  bool usable = true;             // healthy and not ejected
  std::uint32_t outstanding = 0;  // requests in flight on it (least-requests)
  std::uint64_t id_hash = 0;      // stable per server: a hash of its configured address
};

class Balancer {
 public:
  static constexpr int kNone = -1;
  Balancer(conf::Balance kind, std::size_t servers) : kind_(kind), current_(servers, 0) {}

  // The chosen server's index, never `exclude` (kNone: exclude nothing) nor an unusable one;
  // kNone when no server is left. `key_hash` is used by consistent-hash only.
  int pick(std::span<const Candidate> servers, std::uint64_t key_hash, int exclude = kNone);

 private:
  int pick_round_robin(std::span<const Candidate> servers, int exclude);
  int pick_least_requests(std::span<const Candidate> servers, int exclude);

  conf::Balance kind_;
  std::vector<std::int64_t> current_;  // smooth round robin's running weights
  std::size_t rotate_ = 0;             // least-requests: where ties start
};

// Weighted rendezvous hashing, exposed for tests: the usable server with the highest score.
int pick_rendezvous(std::span<const Candidate> servers, std::uint64_t key_hash, int exclude);

}  // namespace lacquer::origin
