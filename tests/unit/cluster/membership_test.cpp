#include <catch2/catch.hpp>

#include "cluster/membership.h"

using namespace lacquer::cluster;

TEST_CASE("node values round-trip and junk is refused", "[cluster]") {
  auto n = parse_node("edge-1", node_value({170, 2}, 5000));
  REQUIRE(n);
  CHECK(n->node == "edge-1");
  CHECK(n->position == StreamId{170, 2});
  CHECK(n->heartbeat_ms == 5000);
  CHECK_FALSE(parse_node("edge-1", "170-2"));
  CHECK_FALSE(parse_node("edge-1", "x 5000"));
  CHECK_FALSE(parse_node("edge-1", "170-2 50x"));
  CHECK_FALSE(parse_node("", "170-2 5000"));
}

TEST_CASE("lagging names live nodes behind the target only", "[cluster]") {
  const std::uint64_t now = 100000;
  std::vector<NodeState> nodes = {
      {"ahead", {300, 0}, now - 100},
      {"exact", {200, 1}, now},
      {"behind", {200, 0}, now - 500},
      {"dead", {1, 0}, now - kLiveWindowMs - 1},
  };
  CHECK(lagging(nodes, {200, 1}, now) == std::vector<std::string>{"behind"});
  CHECK(is_live(nodes[2], now));
  CHECK_FALSE(is_live(nodes[3], now));
  CHECK(lagging(nodes, {1, 0}, now).empty());
}
