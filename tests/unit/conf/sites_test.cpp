#include <catch2/catch.hpp>
#include <string>

#include "conf/host_pattern.h"
#include "conf/loader.h"
#include "conf/routing.h"

using namespace lacquer::conf;

namespace {

std::string all_errors(const LoadOutcome& out) {
  std::string s;
  for (const auto& e : out.errors) s += e.to_string() + "\n";
  return s;
}

const char* kTwoSites = R"(
[cache]
max_ttl = "1h"

[[pool]]
name = "web"
servers = [ { address = "127.0.0.1:9001", weight = 2 }, "127.0.0.1:9002" ]
balance = "least-requests"
probe = { path = "/healthz", interval = "500ms", timeout = "200ms", window = 4, threshold = 2, expect = 204 }
eject_after = 5
eject_backoff = "2s"

[[pool]]
name = "img"
servers = [ "localhost:9003" ]
balance = "consistent-hash"

[[site]]
name = "www"
hosts = ["example.com", "*.Example.com"]
pool = "web"
purge_tokens = ["tok-www"]
[site.cache]
max_ttl = "10m"
store_set_cookie = true

[[site]]
name = "img"
hosts = ["img.example.net"]
pool = "img"
default = true
)";

}  // namespace

TEST_CASE("host patterns: exact and wildcard names, lower-cased; junk refused") {
  auto p = parse_host_pattern("WWW.Example.com");
  REQUIRE(p);
  CHECK_FALSE(p->wildcard);
  CHECK(p->name == "www.example.com");
  auto w = parse_host_pattern("*.example.com");
  REQUIRE(w);
  CHECK(w->wildcard);
  CHECK(w->name == "example.com");
  CHECK(w->to_string() == "*.example.com");
  for (const char* bad : {"", "*", "*.", "a..b", ".a", "a.", "a b", "ex:80", "*.*.a", "a.*.b", "[::1]", "é.com",
                          "**.a"})
    CHECK_FALSE(parse_host_pattern(bad));
  CHECK_FALSE(parse_host_pattern(std::string(64, 'a') + ".com"));
  CHECK(parse_host_pattern(std::string(63, 'a') + ".com"));
  CHECK(strip_port("a.com:8080") == "a.com");
  CHECK(strip_port("a.com") == "a.com");
  CHECK(strip_port("[::1]:80") == "[::1]");
}

TEST_CASE("[[site]] and [[pool]] load into the config") {
  auto out = load_config_text(kTwoSites, "t.toml");
  INFO(all_errors(out));
  REQUIRE(out.ok());
  const auto& r = out.config.routing;
  REQUIRE(r.pools.size() == 2);
  CHECK(r.pools[0].name == "web");
  REQUIRE(r.pools[0].servers.size() == 2);
  CHECK(r.pools[0].servers[0].weight == 2);
  CHECK(r.pools[0].servers[1].port == 9002);
  CHECK(r.pools[0].balance == Balance::LeastRequests);
  CHECK(r.pools[0].probe.enabled);
  CHECK(r.pools[0].probe.path == "/healthz");
  CHECK(r.pools[0].probe.interval_ms == 500);
  CHECK(r.pools[0].probe.expect == 204);
  CHECK(r.pools[0].passive.max_failures == 5);
  CHECK(r.pools[0].passive.backoff_ms == 2000);
  CHECK(r.pools[1].balance == Balance::ConsistentHash);
  CHECK_FALSE(r.pools[1].probe.enabled);
  REQUIRE(r.sites.size() == 2);
  CHECK(r.sites[0].hosts.size() == 2);
  CHECK(r.sites[0].hosts[1].name == "example.com");
  CHECK(r.sites[0].cache.max_ttl_s == 600u);
  CHECK(r.sites[0].purge_tokens == std::vector<std::string>{"tok-www"});
  CHECK(r.sites[1].is_default);
}

TEST_CASE("routing: exact, wildcard (longest suffix), default; policies resolved") {
  auto out = load_config_text(kTwoSites, "t.toml");
  REQUIRE(out.ok());
  Routing r(out.config);
  CHECK_FALSE(r.implicit());
  CHECK(r.match("example.com") == 0);
  CHECK(r.match("EXAMPLE.com:8080") == 0);
  CHECK(r.match("a.b.example.com") == 0);
  CHECK(r.match("img.example.net") == 1);
  CHECK(r.match("other.test") == 1);  // the default site
  CHECK(r.match("example.com.") == 0);
  CHECK(r.site(0).policy.max_ttl_s == 600);
  CHECK(r.site(0).policy.store_set_cookie);
  CHECK(r.site(1).policy.max_ttl_s == 3600);  // [cache]
  CHECK_FALSE(r.site(1).policy.store_set_cookie);
  CHECK(r.pools()[r.site(0).pool].name == "web");
  CHECK(r.pools()[r.site(1).pool].name == "img");
  CHECK(r.find_site("img") == 1);
  CHECK(r.find_site("nope") == Routing::kNoSite);
}

TEST_CASE("routing: the more specific wildcard wins; unknown hosts without a default") {
  auto out = load_config_text(R"(
[[pool]]
name = "p"
servers = ["127.0.0.1:1"]
[[site]]
name = "wide"
hosts = ["*.example.com"]
pool = "p"
[[site]]
name = "narrow"
hosts = ["*.api.example.com", "exact.api.example.com"]
pool = "p"
)", "t.toml");
  INFO(all_errors(out));
  REQUIRE(out.ok());
  Routing r(out.config);
  CHECK(r.match("x.api.example.com") == 1);
  CHECK(r.match("api.example.com") == 0);
  CHECK(r.match("example.com") == Routing::kNoSite);
  CHECK(r.match("") == Routing::kNoSite);
  CHECK(r.unknown_host_status() == 421);
}

TEST_CASE("routing: [origin] alone is one implicit site on a pool of one") {
  auto out = load_config_text("[origin]\naddress = \"10.1.2.3:81\"\n", "t.toml");
  REQUIRE(out.ok());
  Routing r(out.config);
  CHECK(r.implicit());
  CHECK(r.match("anything.test") == 0);
  REQUIRE(r.pools().size() == 1);
  CHECK(r.pools()[0].servers[0].host == "10.1.2.3");
  CHECK(r.pools()[0].servers[0].port == 81);
}

TEST_CASE("site header rules and trusted proxies load and compile") {
  const std::string text = std::string(kTwoSites) + R"(
[site.request_headers]
set = { "X-Site" = "img", "X-Edge" = "lacquer" }
remove = ["Cookie"]
[site.response_headers]
remove = ["Server", "X-Powered-By"]
set = { "Strict-Transport-Security" = "max-age=63072000" }

[server]
trusted_proxies = ["10.0.0.0/8", "fd00::/8"]
)";
  auto out = load_config_text(text, "t.toml");
  INFO(all_errors(out));
  REQUIRE(out.ok());
  const SiteConfig& img = out.config.routing.sites[1];
  CHECK(img.request_headers.remove == std::vector<std::string>{"Cookie"});
  REQUIRE(img.request_headers.set.size() == 2);
  CHECK(out.config.routing.sites[0].request_headers.empty());
  Routing routing(out.config);
  const RoutedSite& site = routing.site(routing.find_site("img"));
  CHECK(site.request_rules.drop == std::vector<std::string>{"Cookie", "X-Edge", "X-Site"});
  CHECK(site.request_rules.add == "X-Edge: lacquer\r\nX-Site: img\r\n");
  CHECK(site.response_rules.add == "Strict-Transport-Security: max-age=63072000\r\n");
  CHECK(routing.site(routing.find_site("www")).response_rules.empty());
  CHECK(routing.trusted_proxies().contains("10.1.1.1"));
  CHECK(routing.trusted_proxies().contains("fd00::5"));
  CHECK_FALSE(routing.trusted_proxies().contains("127.0.0.1"));
}

TEST_CASE("bad [[site]] / [[pool]] config: each a file:line error") {
  struct Case {
    const char* text;
    const char* key;
    int line;
    const char* says;
  } cases[] = {
      {"[[pool]]\nname = \"p\"\nservers = [\"127.0.0.1:1\"]\n[[site]]\nname = \"s\"\nhosts = [\"a.test\"]\npool = \"nope\"\n",
       "site[0].pool", 7, "unknown pool \"nope\""},
      {"[[pool]]\nname = \"p\"\nservers = []\n[[site]]\nname = \"s\"\nhosts = [\"a.test\"]\npool = \"p\"\n",
       "pool[0].servers", 1, "at least one server"},
      {"[[pool]]\nname = \"p\"\nservers = [\"127.0.0.1:1\"]\n[[site]]\nname = \"s\"\nhosts = [\"a.test\"]\npool = \"p\"\n"
       "[[site]]\nname = \"t\"\nhosts = [\"A.test\"]\npool = \"p\"\n",
       "site[1].hosts[0]", 10, "\"a.test\" again"},
      {"[[pool]]\nname = \"p\"\nservers = [\"127.0.0.1:1\"]\ntls = true\nca_file = \"/nonexistent/ca.pem\"\n",
       "pool[0].ca_file", 5, "readable file"},
      {"[[site]]\nname = \"s\"\nhosts = [\"bad host\"]\n", "site[0].hosts[0]", 3, "host name"},
      {"[[pool]]\nname = \"p\"\nservers = [\"nowhere\"]\n", "pool[0].servers[0]", 3, "address"},
      {"[[pool]]\nname = \"p\"\nservers = [\"127.0.0.1:1\"]\nbalance = \"random\"\n", "pool[0].balance", 4, "round-robin"},
      {"[[pool]]\nname = \"p\"\nservers = [\"127.0.0.1:1\"]\nprobe = { window = 3, threshold = 4 }\n",
       "pool[0].probe.threshold", 4, "no larger than the window"},
      {"[[site]]\nname = \"s\"\nhosts = [\"a.test\"]\npool = \"p\"\nfrobnicate = 1\n", "site[0].frobnicate", 5, "unknown key"},
      {"site = 3\n", "site", 1, "[[site]] tables"},
      {"[server]\nunknown_host_status = 500\n", "server.unknown_host_status", 2, "between 404 and 421"},
      {"[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"10.0.0.0/40\"]\n", "server.trusted_proxies[1]", 2, "CIDR"},
      {"[[site]]\nname = \"s\"\nhosts = [\"a.test\"]\npool = \"p\"\n[site.request_headers]\nremove = [\"Host\"]\n",
       "site[0].request_headers.remove[0]", 6, "not Host, framing"},
      {"[[site]]\nname = \"s\"\nhosts = [\"a.test\"]\npool = \"p\"\n[site.response_headers]\nset = { \"Content-Length\" = \"1\" }\n",
       "site[0].response_headers.set.Content-Length", 6, "lacquer does not own"},
      {"[[site]]\nname = \"s\"\nhosts = [\"a.test\"]\npool = \"p\"\n[site.response_headers]\nset = { \"X-A\" = \"a\\r\\nB: c\" }\n",
       "site[0].response_headers.set.X-A", 6, "no line breaks"},
      {"[[site]]\nname = \"s\"\nhosts = [\"a.test\"]\npool = \"p\"\n[site.response_headers]\nremove = [\"bad name\"]\n",
       "site[0].response_headers.remove[0]", 6, "field name"},
      {"[[site]]\nname = \"s\"\nhosts = [\"a.test\"]\npool = \"p\"\n[site.response_headers]\nadd = []\n",
       "site[0].response_headers.add", 6, "set, remove"},
  };
  for (const auto& c : cases) {
    auto out = load_config_text(c.text, "t.toml");
    INFO(c.text);
    INFO(all_errors(out));
    REQUIRE_FALSE(out.ok());
    bool found = false;
    for (const auto& e : out.errors)
      if (e.key == c.key && e.line == c.line && e.message.find(c.says) != std::string::npos && e.file == "t.toml") found = true;
    CHECK(found);
  }
}
