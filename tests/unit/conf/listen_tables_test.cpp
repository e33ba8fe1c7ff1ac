// [[listen]] tables: cleartext and TLS listeners, certificates, and what a bad entry is told.
#include <catch2/catch.hpp>

#include "conf/command_line.h"
#include "conf/config_diff.h"
#include "conf/loader.h"

using namespace lacquer::conf;

namespace {

std::string errors_of(const LoadOutcome& out) {
  std::string s;
  for (const auto& e : out.errors) s += e.to_string() + "\n";
  return s;
}

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("[[listen]] tables make listeners and replace the default one", "[conf][listen]") {
  auto out = load_config_text(R"(
[[listen]]
address = "0.0.0.0:8080"

[[listen]]
address = "[::]:443"
tls = true
certificates = [ { cert = "a.pem", key = "a.key" },
                 { cert = "b.pem", key = "b.key" } ]
)",
                              "t.toml");
  INFO(errors_of(out));
  REQUIRE(out.ok());
  const auto& l = out.config.listeners;
  REQUIRE(l.size() == 2);
  CHECK(l[0].address.to_string() == "0.0.0.0:8080");
  CHECK_FALSE(l[0].tls);
  CHECK(l[1].address.to_string() == "[::]:443");
  CHECK(l[1].tls);
  REQUIRE(l[1].certificates.size() == 2);
  CHECK(l[1].certificates[1].cert == "b.pem");
  CHECK(l[1].certificates[1].key == "b.key");
  CHECK(l[1].certificates[1].place.position == "t.toml:9:18");
  CHECK(l[1].certificates[1].place.key == "listen[1].certificates[1]");
  // The tables replace the default 127.0.0.1:8080 cleartext listener.
  CHECK_FALSE(out.config.server.listen_enabled);
}

TEST_CASE("without [[listen]] the default listener stays; server.listen keeps it beside the tables",
          "[conf][listen]") {
  auto none = load_config_text("", "t.toml");
  REQUIRE(none.ok());
  CHECK(none.config.server.listen_enabled);
  CHECK(none.config.listeners.empty());

  auto both = load_config_text(R"(
[server]
listen = "127.0.0.1:9000"
[[listen]]
address = "127.0.0.1:9443"
tls = true
certificates = [ { cert = "a.pem", key = "a.key" } ]
)",
                               "t.toml");
  INFO(errors_of(both));
  REQUIRE(both.ok());
  CHECK(both.config.server.listen_enabled);
  CHECK(both.config.listeners.size() == 1);
}

TEST_CASE("--listen adds its cleartext listener beside the tables", "[conf][listen]") {
  CommandLine cmd;
  cmd.listen = "127.0.0.1:0";
  auto out = load_config(cmd);
  REQUIRE(out.ok());
  CHECK(out.config.server.listen_enabled);
}

TEST_CASE("bad [[listen]] entries are reported with file:line and what was expected", "[conf][listen]") {
  struct Case {
    const char* text;
    const char* where;
    const char* says;
  };
  const Case cases[] = {
      {"[[listen]]\naddress = \"nowhere\"\n", "t.toml:2:11: listen[0].address", "expected an address"},
      {"[[listen]]\ntls = true\n", "t.toml:1:1: listen[0]", "expected an address"},
      {"[[listen]]\naddress = \"127.0.0.1:1\"\ntls = true\n", "t.toml:1:1: listen[0]", "expected certificates"},
      {"[[listen]]\naddress = \"127.0.0.1:1\"\ntls = \"yes\"\n", "t.toml:3:7: listen[0].tls", "expected true or false"},
      {"[[listen]]\naddress = \"127.0.0.1:1\"\nport = 3\n", "t.toml:3:8: listen[0].port", "unknown key"},
      {"[[listen]]\naddress = \"127.0.0.1:1\"\ntls = true\ncertificates = [ { cert = \"a.pem\" } ]\n",
       "t.toml:4:18: listen[0].certificates[0]", "expected both cert and key"},
      {"[[listen]]\naddress = \"127.0.0.1:1\"\ntls = true\ncertificates = [ { cert = \"a.pem\", key = \"\" } ]\n",
       "t.toml:4:42: listen[0].certificates[0].key", "expected a file path"},
      {"[[listen]]\naddress = \"127.0.0.1:1\"\ntls = true\ncertificates = [ \"a.pem\" ]\n",
       "t.toml:4:18: listen[0].certificates[0]", "expected a table"},
      {"[[listen]]\naddress = \"127.0.0.1:1\"\ncertificates = [ { cert = \"a\", key = \"b\" } ]\n",
       "t.toml:3:16: listen[0].certificates", "expected tls = true"},
      {"[[listen]]\naddress = \"127.0.0.1:7\"\n[[listen]]\naddress = \"127.0.0.1:7\"\n",
       "t.toml:3:1: listen[1].address", "no other listener"},
      {"[[listen]]\naddress = \"127.0.0.1:8081\"\n", "t.toml:1:1: listen[0].address", "server.admin"},
      {"listen = 3\n", "t.toml:1:10: listen", "expected [[listen]] tables"},
  };
  for (const auto& c : cases) {
    auto out = load_config_text(c.text, "t.toml");
    INFO(c.text);
    INFO(errors_of(out));
    REQUIRE(out.errors.size() == 1);
    const std::string e = out.errors[0].to_string();
    CHECK(has(e, c.where));
    CHECK(has(e, c.says));
  }
}

TEST_CASE("a changed [[listen]] table is a changed key (a reload cannot rebind it)", "[conf][listen]") {
  Config a, b;
  b.listeners.push_back(ListenConfig{});
  CHECK(changed_keys(a, b) == std::vector<std::string>{"listen"});
  a.listeners = b.listeners;
  CHECK(changed_keys(a, b).empty());
  b.listeners[0].tls = true;
  b.listeners[0].certificates.push_back({"a.pem", "a.key", {}});
  CHECK(changed_keys(a, b) == std::vector<std::string>{"listen"});
  a.listeners = b.listeners;
  a.listeners[0].certificates[0].place.position = "elsewhere:1:1";  // where it was written does not matter
  CHECK(changed_keys(a, b).empty());
  b.listeners[0].certificates[0].key = "b.key";
  CHECK(changed_keys(a, b) == std::vector<std::string>{"listen"});
}
