#include <catch2/catch.hpp>

#include "conf/command_line.h"
#include "conf/loader.h"

using namespace lacquer::conf;

namespace {
CommandLine parse_ok(const std::vector<std::string>& args) {
  auto r = parse_command_line(args);
  if (auto* err = std::get_if<std::string>(&r)) FAIL("unexpected error: " << *err);
  return std::get<CommandLine>(r);
}
std::string parse_err(const std::vector<std::string>& args) {
  auto r = parse_command_line(args);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}
}  // namespace

TEST_CASE("no flags", "[conf][flags]") {
  auto c = parse_ok({});
  CHECK_FALSE(c.config_path);
  CHECK_FALSE(c.listen);
  CHECK_FALSE(c.help);
  CHECK_FALSE(c.check_config);
  CHECK_FALSE(c.version);
}

TEST_CASE("all flags, both spellings", "[conf][flags]") {
  auto c = parse_ok({"--config", "a.toml", "--listen=0.0.0.0:80", "--origin", "o:81",
                     "--threads=4", "--state-dir", "/var/lib/lacquer", "--memory=1G", "--disk",
                     "10G", "--admin=[::1]:0", "--check-config", "--version", "--help"});
  CHECK(c.config_path == "a.toml");
  CHECK(c.listen == "0.0.0.0:80");
  CHECK(c.origin == "o:81");
  CHECK(c.threads == "4");
  CHECK(c.state_dir == "/var/lib/lacquer");
  CHECK(c.memory == "1G");
  CHECK(c.disk == "10G");
  CHECK(c.admin == "[::1]:0");
  CHECK(c.check_config);
  CHECK(c.version);
  CHECK(c.help);
}

TEST_CASE("program name in args[0] is skipped; -h is help; last flag wins", "[conf][flags]") {
  auto c = parse_ok({"/usr/bin/lacquer", "-h", "--memory", "1M", "--memory=2M"});
  CHECK(c.help);
  CHECK(c.memory == "2M");
  // "=" inside a separate value is kept
  CHECK(parse_ok({"--state-dir", "a=b"}).state_dir == "a=b");
  CHECK(parse_ok({"--state-dir=a=b"}).state_dir == "a=b");
  CHECK(parse_ok({"--threads", "-1"}).threads == "-1");  // checked later by load_config
}

TEST_CASE("flag errors", "[conf][flags]") {
  CHECK(parse_err({"--bogus"}).find("unknown flag --bogus") != std::string::npos);
  CHECK(parse_err({"--bogus=1"}).find("unknown flag --bogus") != std::string::npos);
  CHECK(parse_err({"--memory"}) == "--memory needs a value");
  CHECK(parse_err({"--memory", "--disk", "1G"}) == "--memory needs a value");
  CHECK(parse_err({"--help=yes"}) == "--help takes no value");
  CHECK(parse_err({"--listen", "x:1", "stray"}).find("unexpected argument \"stray\"") !=
        std::string::npos);
  CHECK(parse_err({"-x"}).find("unknown flag -x") != std::string::npos);
}

TEST_CASE("usage text lists every flag with defaults", "[conf][flags]") {
  auto text = usage_text();
  for (const char* flag : {"--config", "--listen", "--origin", "--threads", "--state-dir",
                           "--memory", "--disk", "--admin", "--check-config", "--help",
                           "--version"}) {
    INFO(flag);
    CHECK(text.find(flag) != std::string::npos);
  }
  for (const char* dflt : {"127.0.0.1:8080", "127.0.0.1:8081", "127.0.0.1:8000",
                           "./lacquer-state", "256M", "1G"}) {
    INFO(dflt);
    CHECK(text.find(dflt) != std::string::npos);
  }
}
