// Upgrade requests (http/upgrade): which bypass the cache.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "http/upgrade.h"

using namespace lacquer::http;

TEST_CASE("upgrade: any Upgrade field bypasses the cache", "[upgrade]") {
  CHECK(has_upgrade_field(std::vector<Header>{{"upgrade", "websocket"}}));
  CHECK(has_upgrade_field(std::vector<Header>{{"Upgrade", ""}}));
  CHECK_FALSE(has_upgrade_field(std::vector<Header>{{"Connection", "upgrade"}}));
}
