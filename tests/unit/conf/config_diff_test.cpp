#include <catch2/catch.hpp>

#include "conf/config_diff.h"
#include "conf/loader.h"

using namespace lacquer::conf;

TEST_CASE("changed_keys names what differs; [log], [purge] and the cache policy apply live") {
  Config a, b;
  CHECK(changed_keys(a, b).empty());
  b.cache.max_ttl_s = 7;
  b.purge.token = "t";
  b.log.access = "/var/log/lacquer/access.log";
  b.origin.address.port = 9;
  CHECK(changed_keys(a, b) ==
        std::vector<std::string>{"origin.address", "cache.max_ttl", "purge.token", "log.access"});
  CHECK(applies_live("log.access"));
  CHECK(applies_live("log.access_format"));
  CHECK(applies_live("purge.token"));
  CHECK(applies_live("cache.max_ttl"));
  CHECK(applies_live("server.default_host"));
  CHECK_FALSE(applies_live("cache.state_dir"));
  CHECK_FALSE(applies_live("cache.memory"));
  CHECK(applies_live("origin.address"));
  CHECK(applies_live("origin.connect_timeout"));
  CHECK(applies_live("site"));
  CHECK(applies_live("pool"));
  CHECK(applies_live("server.unknown_host_status"));
  CHECK_FALSE(applies_live("limits.max_request_line"));
  CHECK_FALSE(applies_live("server.listen"));
}

TEST_CASE("take_live_keys takes exactly the keys that apply live") {
  Config running, loaded;
  loaded.server.listen.port = 1;
  loaded.server.default_host = "h.example";
  loaded.cache.state_dir = "/elsewhere";
  loaded.cache.memory_bytes = 1 << 20;
  loaded.cache.max_ttl_s = 5;
  loaded.cache.store_set_cookie = true;
  loaded.cache.forward_cdn_cache_control = false;
  loaded.limits.max_request_line = 100;
  loaded.limits.max_body_bytes = 7;
  loaded.origin.address.port = 9;
  loaded.purge.token = "t";
  loaded.purge.allow_loopback = false;
  loaded.log.access = "-";
  loaded.cluster.stream = "s";
  PoolConfig pool;
  pool.name = "p";
  pool.servers.push_back({"127.0.0.1", 80, 1});
  loaded.routing.pools.push_back(pool);
  SiteConfig site;
  site.name = "s";
  site.pool = "p";
  loaded.routing.sites.push_back(site);
  Config applied = take_live_keys(running, loaded);
  // What still differs from the loaded file is exactly what needs a restart.
  std::vector<std::string> pending = changed_keys(applied, loaded);
  CHECK(pending == std::vector<std::string>{"server.listen", "cache.state_dir",
                                            "cache.memory", "limits.max_request_line", "cluster.stream"});
  for (const auto& key : pending) CHECK_FALSE(applies_live(key));
  for (const auto& key : changed_keys(running, applied)) CHECK(applies_live(key));
  CHECK(applied.cache.max_ttl_s == 5);
  CHECK(applied.purge.token == "t");
  CHECK(applied.origin.address.port == 9);
  CHECK(applied.routing == loaded.routing);
}

TEST_CASE("[log] keys: path, stdout or off; combined or json; a bad value names file:line") {
  auto ok = load_config_text("[log]\naccess = \"-\"\naccess_format = \"json\"\n", "l.toml");
  REQUIRE(ok.ok());
  CHECK(ok.config.log.access == "-");
  CHECK(ok.config.log.access_format == AccessLogFormat::Json);
  CHECK(load_config_text("", "l.toml").config.log.access.empty());
  auto bad = load_config_text("[log]\naccess = \"\"\naccess_format = \"xml\"\n", "l.toml");
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].to_string().find("l.toml:3") == 0);
  CHECK(bad.errors[0].message.find("\"combined\" or \"json\"") != std::string::npos);
  CHECK_FALSE(load_config_text("[log]\naccess = 3\n", "l.toml").ok());
}
