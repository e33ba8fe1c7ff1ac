#include <catch2/catch.hpp>

#include <vector>

#include "storage/sieve.h"

using lacquer::storage::SieveList;
using lacquer::storage::SieveNode;

TEST_CASE("SIEVE evicts the oldest unvisited object") {
  std::vector<SieveNode> nodes(4);
  SieveList list;
  for (auto& n : nodes) list.insert(&n);  // 0 oldest ... 3 newest
  SieveList::touch(&nodes[0]);
  SieveList::touch(&nodes[1]);
  CHECK(list.evict() == &nodes[2]);  // 0 and 1 were visited: bits cleared, hand moves on
  CHECK(list.size() == 3);
  // The hand continues from where it stopped, towards the newest, then wraps to the oldest.
  CHECK(list.evict() == &nodes[3]);
  CHECK(list.evict() == &nodes[0]);  // its bit was cleared by the first pass
  CHECK(list.evict() == &nodes[1]);
  CHECK(list.evict() == nullptr);
  CHECK(list.empty());
}

TEST_CASE("SIEVE with every object visited still finds a victim") {
  std::vector<SieveNode> nodes(3);
  SieveList list;
  for (auto& n : nodes) {
    list.insert(&n);
    SieveList::touch(&n);
  }
  CHECK(list.evict() == &nodes[0]);
}

TEST_CASE("removing the node under the hand keeps the list consistent") {
  std::vector<SieveNode> nodes(4);
  SieveList list;
  for (auto& n : nodes) list.insert(&n);
  SieveList::touch(&nodes[0]);
  CHECK(list.evict() == &nodes[1]);  // hand now at nodes[2]
  list.remove(&nodes[2]);
  CHECK(list.evict() == &nodes[3]);
  CHECK(list.evict() == &nodes[0]);
  CHECK(list.empty());
}

TEST_CASE("a hot object survives a scan of one-hit wonders") {
  std::vector<SieveNode> nodes(100);
  SieveList list;
  list.insert(&nodes[0]);
  SieveNode* hot = &nodes[0];
  for (int i = 1; i < 100; ++i) {
    SieveList::touch(hot);
    list.insert(&nodes[i]);
    if (list.size() > 10) CHECK(list.evict() != hot);
  }
}

TEST_CASE("victim() names the next victim without unlinking it; evict() then takes the same one") {
  std::vector<SieveNode> nodes(4);
  SieveList list;
  for (auto& n : nodes) list.insert(&n);
  SieveList::touch(&nodes[0]);
  CHECK(list.victim() == &nodes[1]);  // 0 was visited: its bit is cleared on the way
  CHECK(list.size() == 4);
  CHECK_FALSE(nodes[0].visited.load());
  CHECK(list.victim() == &nodes[1]);  // asking again changes nothing
  // A newcomer refused in its favour leaves it in place; touching it moves the hand past it.
  SieveList::touch(&nodes[1]);
  CHECK(list.victim() == &nodes[2]);
  // Removing a node other than the victim (admission evicting a less counted one) keeps the hand.
  list.remove(&nodes[3]);
  CHECK(list.evict() == &nodes[2]);
  CHECK(list.evict() == &nodes[0]);
  CHECK(list.evict() == &nodes[1]);
  CHECK(list.empty());
}
