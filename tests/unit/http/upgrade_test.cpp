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

TEST_CASE("upgrade: what may become a tunnel", "[upgrade]") {
  RequestLine l11{"GET", "/ws", 1}, l10{"GET", "/ws", 0};
  std::vector<Header> ws{{"Connection", "keep-alive, Upgrade"}, {"Upgrade", "websocket"}};
  CHECK(tunnel_protocols(l11, ws, false) == std::string_view("websocket"));
  CHECK_FALSE(tunnel_protocols(l10, ws, false));  // §7.8: ignored on HTTP/1.0
  CHECK_FALSE(tunnel_protocols(l11, ws, true));   // a body: not tunnelled
  CHECK_FALSE(tunnel_protocols(l11, std::vector<Header>{{"Upgrade", "websocket"}}, false));
  CHECK_FALSE(tunnel_protocols(l11, std::vector<Header>{{"Connection", "upgrade"}, {"Upgrade", ""}}, false));
  CHECK_FALSE(tunnel_protocols(
      l11, std::vector<Header>{{"Connection", "upgrade"}, {"Upgrade", "a"}, {"Upgrade", "b"}}, false));
}
