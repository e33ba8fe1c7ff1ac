#include <catch2/catch.hpp>

#include "edge/server/takeover.h"

using lacquer::edge::takeover::match_listen_tables;
using V = std::vector<std::string>;
using M = std::vector<int>;

TEST_CASE("takeover: each [[listen]] table takes the old socket of its address") {
  CHECK(match_listen_tables(V{"0.0.0.0:443", "0.0.0.0:80"}, V{"0.0.0.0:80", "0.0.0.0:443"}) == M{1, 0});
  // A new address is bound anew; a dropped one is left (the caller closes it).
  CHECK(match_listen_tables(V{"0.0.0.0:8443"}, V{"0.0.0.0:443"}) == M{-1});
  CHECK(match_listen_tables(V{}, V{"0.0.0.0:443"}).empty());
  CHECK(match_listen_tables(V{"[::1]:443"}, V{"[::1]:443"}) == M{0});
}

TEST_CASE("takeover: a table with port 0 takes the old table at its position on the same host") {
  CHECK(match_listen_tables(V{"127.0.0.1:0", "127.0.0.1:0"}, V{"127.0.0.1:40001", "127.0.0.1:40002"}) == M{0, 1});
  CHECK(match_listen_tables(V{"127.0.0.1:0"}, V{"10.0.0.1:40001"}) == M{-1});
  CHECK(match_listen_tables(V{"127.0.0.1:0", "127.0.0.1:0"}, V{"127.0.0.1:40001"}) == M{0, -1});
  // An exact address wins its group first; a port-0 table does not take a group already taken.
  CHECK(match_listen_tables(V{"127.0.0.1:0", "127.0.0.1:40001"}, V{"127.0.0.1:40001"}) == M{-1, 0});
}
