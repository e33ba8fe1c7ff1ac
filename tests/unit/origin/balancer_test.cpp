#include <catch2/catch.hpp>
#include <map>
#include <vector>

#include "origin/balancer.h"

using namespace lacquer;
using origin::Balancer;
using origin::Candidate;

namespace {

std::vector<Candidate> servers(std::initializer_list<std::uint32_t> weights) {
  std::vector<Candidate> out;
  std::uint64_t id = 1000;
  for (auto w : weights) out.push_back(Candidate{w, true, 0, id++ * 0x9e3779b97f4a7c15ull});
  return out;
}

std::map<int, int> count_picks(Balancer& b, const std::vector<Candidate>& s, int n, int exclude = Balancer::kNone) {
  std::map<int, int> counts;
  for (int i = 0; i < n; ++i) counts[b.pick(s, static_cast<std::uint64_t>(i), exclude)]++;
  return counts;
}

}  // namespace

TEST_CASE("round robin gives each server its weight's share, interleaved") {
  auto s = servers({1, 2, 1});
  Balancer b(conf::Balance::RoundRobin, s.size());
  std::vector<int> seq;
  for (int i = 0; i < 8; ++i) seq.push_back(b.pick(s, 0));
  std::map<int, int> counts;
  for (int x : seq) counts[x]++;
  CHECK(counts[0] == 2);
  CHECK(counts[1] == 4);
  CHECK(counts[2] == 2);
  // smooth: the heavy server is never picked three times running
  for (std::size_t i = 2; i < seq.size(); ++i) CHECK_FALSE((seq[i] == 1 && seq[i - 1] == 1 && seq[i - 2] == 1));
}

TEST_CASE("round robin skips unusable and excluded servers; none left is kNone") {
  auto s = servers({1, 1, 1});
  Balancer b(conf::Balance::RoundRobin, s.size());
  s[1].usable = false;
  auto counts = count_picks(b, s, 10);
  CHECK(counts.count(1) == 0);
  CHECK(counts[0] == 5);
  CHECK(counts[2] == 5);
  CHECK(b.pick(s, 0, 0) == 2);
  s[0].usable = s[2].usable = false;
  CHECK(b.pick(s, 0) == Balancer::kNone);
}

TEST_CASE("least requests picks the least busy relative to weight, ties rotate") {
  auto s = servers({1, 1, 2});
  Balancer b(conf::Balance::LeastRequests, s.size());
  s[0].outstanding = 3;
  s[1].outstanding = 1;
  s[2].outstanding = 3;  // 3/2 > 1/1
  CHECK(b.pick(s, 0) == 1);
  s[1].outstanding = 2;  // 2/1 > 3/2
  CHECK(b.pick(s, 0) == 2);
  auto idle = servers({1, 1, 1});
  auto counts = count_picks(b, idle, 9);
  CHECK(counts[0] == 3);
  CHECK(counts[1] == 3);
  CHECK(counts[2] == 3);
}

TEST_CASE("consistent hashing: same key same server, any balancer instance") {
  auto s = servers({1, 1, 1, 1});
  Balancer a(conf::Balance::ConsistentHash, s.size());
  Balancer b(conf::Balance::ConsistentHash, s.size());
  for (std::uint64_t k = 0; k < 200; ++k) CHECK(a.pick(s, k * 7919) == b.pick(s, k * 7919));
}

TEST_CASE("consistent hashing spreads keys by weight and moves only the lost server's keys") {
  auto s = servers({1, 1, 2});
  Balancer b(conf::Balance::ConsistentHash, s.size());
  const int n = 20000;
  std::vector<int> before(n);
  std::map<int, int> counts;
  for (int k = 0; k < n; ++k) counts[before[k] = b.pick(s, static_cast<std::uint64_t>(k) * 0x51ed27)]++;
  CHECK(counts[2] > n * 45 / 100);
  CHECK(counts[2] < n * 55 / 100);
  CHECK(counts[0] > n * 20 / 100);
  CHECK(counts[1] > n * 20 / 100);
  s[1].usable = false;
  for (int k = 0; k < n; ++k) {
    int now = b.pick(s, static_cast<std::uint64_t>(k) * 0x51ed27);
    if (before[k] != 1) CHECK(now == before[k]);
    else CHECK(now != 1);
  }
}

TEST_CASE("consistent hashing with the chosen server excluded falls to another") {
  auto s = servers({1, 1, 1});
  Balancer b(conf::Balance::ConsistentHash, s.size());
  int first = b.pick(s, 42);
  int second = b.pick(s, 42, first);
  CHECK(second != first);
  CHECK(second != Balancer::kNone);
}
