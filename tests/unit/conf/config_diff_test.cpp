#include <catch2/catch.hpp>

#include "conf/config_diff.h"
#include "conf/loader.h"

using namespace lacquer::conf;

TEST_CASE("changed_keys names what differs, and only [log] applies live") {
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
  CHECK_FALSE(applies_live("purge.token"));
  CHECK_FALSE(applies_live("cache.state_dir"));
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
