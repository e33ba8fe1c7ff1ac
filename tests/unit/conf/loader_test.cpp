#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "conf/loader.h"

using namespace lacquer::conf;

namespace {

std::string all_errors(const LoadOutcome& out) {
  std::string s;
  for (const auto& e : out.errors) s += e.to_string() + "\n";
  return s;
}

LoadOutcome load_ok(std::string_view text) {
  auto out = load_config_text(text, "t.toml");
  INFO(all_errors(out));
  REQUIRE(out.ok());
  return out;
}

// Exactly one error expected; returns it.
ConfigError load_one_error(std::string_view text) {
  auto out = load_config_text(text, "t.toml");
  INFO(text);
  INFO(all_errors(out));
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].file == "t.toml");
  return out.errors[0];
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

void check_defaults(const Config& c) {
  const Config d;
  CHECK(c.server.listen.to_string() == "127.0.0.1:8080");
  CHECK(c.server.admin.to_string() == "127.0.0.1:8081");
  CHECK(c.server.threads == 0);
  CHECK(c.origin.address.to_string() == "127.0.0.1:8000");
  CHECK(c.origin.connect_timeout_ms == d.origin.connect_timeout_ms);
  CHECK(c.origin.first_byte_timeout_ms == d.origin.first_byte_timeout_ms);
  CHECK(c.origin.read_timeout_ms == d.origin.read_timeout_ms);
  CHECK(c.origin.idle_timeout_ms == d.origin.idle_timeout_ms);
  CHECK(c.origin.max_idle_per_worker == d.origin.max_idle_per_worker);
  CHECK(c.cache.state_dir == "./lacquer-state");
  CHECK(c.cache.memory_bytes == 256ull << 20);
  CHECK(c.cache.disk_bytes == 1ull << 30);
  CHECK(c.cache.max_object_bytes == d.cache.max_object_bytes);
  CHECK(c.cache.max_ttl_s == d.cache.max_ttl_s);
  CHECK(c.cache.default_grace_s == d.cache.default_grace_s);
  CHECK(c.cache.store_set_cookie == d.cache.store_set_cookie);
  CHECK(c.cache.honour_client_no_cache == d.cache.honour_client_no_cache);
  CHECK(c.cache.keep_surrogate_headers == d.cache.keep_surrogate_headers);
  CHECK(c.cache.disk_admit_all == d.cache.disk_admit_all);
  CHECK(c.cache.memory_admission);
  CHECK(c.limits.max_request_line == d.limits.max_request_line);
  CHECK(c.limits.max_header_field == d.limits.max_header_field);
  CHECK(c.limits.max_header_bytes == d.limits.max_header_bytes);
  CHECK(c.limits.max_header_count == d.limits.max_header_count);
  CHECK(c.limits.max_body_bytes == d.limits.max_body_bytes);
  CHECK(c.limits.header_timeout_ms == d.limits.header_timeout_ms);
  CHECK(c.limits.body_timeout_ms == d.limits.body_timeout_ms);
  CHECK(c.limits.idle_timeout_ms == d.limits.idle_timeout_ms);
  CHECK(c.limits.max_connections == d.limits.max_connections);
  CHECK(c.limits.max_output_buffer == d.limits.max_output_buffer);
  CHECK(c.purge.allow_cidrs.empty());
  CHECK(c.purge.token.empty());
}

struct TempFile {
  std::string path;
  explicit TempFile(std::string_view text) {
    char name[] = "/tmp/lacquer-conf-test-XXXXXX";
    int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = name;
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("embedded defaults: no file, no flags", "[conf][loader]") {
  auto out = load_config(CommandLine{});
  INFO(all_errors(out));
  REQUIRE(out.ok());
  check_defaults(out.config);
}

TEST_CASE("empty text and empty tables give the defaults", "[conf][loader]") {
  check_defaults(load_ok("").config);
  check_defaults(load_ok("# nothing\n[server]\n[origin]\n[cache]\n[limits]\n[purge]\n").config);
}

TEST_CASE("the example file loads cleanly and equals the defaults", "[conf][loader]") {
  CommandLine cmd;
  cmd.config_path = std::string(LACQUER_SOURCE_DIR) + "/conf/lacquer.example.toml";
  auto out = load_config(cmd);
  INFO(all_errors(out));
  REQUIRE(out.ok());
  check_defaults(out.config);
}

TEST_CASE("every key is parsed", "[conf][loader]") {
  auto c = load_ok(R"(
[server]
listen = "0.0.0.0:80"
admin = "[::1]:9000"
threads = 8
default_host = "www.example.com:8080"

[origin]
address = "origin.internal:8443"
connect_timeout = "250ms"
first_byte_timeout = "1m"
read_timeout = 45
idle_timeout = "1h"
max_idle_per_worker = 0

[cache]
state_dir = "/var/lib/lacquer"
memory = "2G"
disk = 10737418240
max_object_size = "1MiB"
max_ttl = "7d"
default_grace = "30s"
store_set_cookie = true
honour_client_no_cache = true
keep_surrogate_headers = true
disk_admit_all = true
memory_admission = false
forward_cdn_cache_control = false

[limits]
max_request_line = "4k"
max_header_field = 4096
max_header_bytes = "64K"
max_header_count = 50
max_body_size = 0
header_timeout = "5s"
body_timeout = "2m"
body_deadline = "5m"
tunnel_idle_timeout = "10m"
idle_timeout = "90s"
max_connections = 500
max_output_buffer = "1M"

[purge]
allow_cidrs = ["10.0.0.0/8", "192.168.1.0/24", "fd00::/8", "::1/128", "0.0.0.0/0"]
token = "s3cr3t-Token_~+/=="
)")
                    .config;
  CHECK(c.server.listen.host == "0.0.0.0");
  CHECK(c.server.listen.port == 80);
  CHECK(c.server.admin.host == "::1");
  CHECK(c.server.admin.port == 9000);
  CHECK(c.server.threads == 8);
  CHECK(c.origin.address.host == "origin.internal");
  CHECK(c.origin.address.port == 8443);
  CHECK(c.origin.connect_timeout_ms == 250);
  CHECK(c.origin.first_byte_timeout_ms == 60000);
  CHECK(c.origin.read_timeout_ms == 45000);
  CHECK(c.origin.idle_timeout_ms == 3600000);
  CHECK(c.origin.max_idle_per_worker == 0);
  CHECK(c.cache.state_dir == "/var/lib/lacquer");
  CHECK(c.cache.memory_bytes == 2ull << 30);
  CHECK(c.cache.disk_bytes == 10ull << 30);
  CHECK(c.cache.max_object_bytes == 1ull << 20);
  CHECK(c.cache.max_ttl_s == 7 * 86400);
  CHECK(c.cache.default_grace_s == 30);
  CHECK(c.cache.store_set_cookie);
  CHECK(c.cache.honour_client_no_cache);
  CHECK(c.cache.keep_surrogate_headers);
  CHECK(c.cache.disk_admit_all);
  CHECK_FALSE(c.cache.memory_admission);
  CHECK_FALSE(c.cache.forward_cdn_cache_control);
  CHECK(c.server.default_host == "www.example.com:8080");
  CHECK(c.limits.body_deadline_ms == 300000);
  CHECK(c.limits.tunnel_idle_timeout_ms == 600000);
  CHECK(c.limits.max_request_line == 4096);
  CHECK(c.limits.max_header_field == 4096);
  CHECK(c.limits.max_header_bytes == 65536);
  CHECK(c.limits.max_header_count == 50);
  CHECK(c.limits.max_body_bytes == 0);
  CHECK(c.limits.header_timeout_ms == 5000);
  CHECK(c.limits.body_timeout_ms == 120000);
  CHECK(c.limits.idle_timeout_ms == 90000);
  CHECK(c.limits.max_connections == 500);
  CHECK(c.limits.max_output_buffer == 1ull << 20);
  CHECK(c.purge.allow_cidrs ==
        std::vector<std::string>{"10.0.0.0/8", "192.168.1.0/24", "fd00::/8", "::1/128",
                                 "0.0.0.0/0"});
  CHECK(c.purge.token == "s3cr3t-Token_~+/==");
}

TEST_CASE("early refresh keys", "[conf][loader]") {
  auto out = load_ok("[cache]\nearly_refresh = true\nearly_refresh_beta = 2.5\nearly_refresh_min_delta = \"250ms\"\n");
  CHECK(out.config.cache.early_refresh);
  CHECK(out.config.cache.early_refresh_beta == 2.5);
  CHECK(out.config.cache.early_refresh_min_delta_ms == 250);
  auto whole = load_ok("[cache]\nearly_refresh_beta = 3\n");
  CHECK(whole.config.cache.early_refresh_beta == 3.0);
  CHECK_FALSE(whole.config.cache.early_refresh);  // off by default
}

TEST_CASE("default_host must be a host with an optional port", "[conf][loader]") {
  for (const char* bad : {"\"a b\"", "\"a/b\"", "\"a:\"", "\"a:x\"", "\":80\"", "\"[::1\"",
                          "\"[zz]\"", "\"a:123456\"", "3"}) {
    auto e = load_one_error(std::string("[server]\ndefault_host = ") + bad + "\n");
    INFO(bad);
    CHECK(e.line == 2);
    CHECK(e.key == "server.default_host");
    CHECK(e.message.find("host name") != std::string::npos);
  }
  for (const char* good : {"\"\"", "\"example.com\"", "\"example.com:81\"", "\"[::1]:8080\"", "\"10.0.0.1\""})
    CHECK(load_ok(std::string("[server]\ndefault_host = ") + good + "\n").errors.empty());
}

TEST_CASE("dotted keys and inline tables work like tables", "[conf][loader]") {
  auto c = load_ok("server.threads = 3\norigin = { address = \"o:1\" }\n").config;
  CHECK(c.server.threads == 3);
  CHECK(c.origin.address.to_string() == "o:1");
}

TEST_CASE("unknown key: its own line and column", "[conf][loader]") {
  auto e = load_one_error("# comment\n[server]\nlisten = \"127.0.0.1:1\"\n  lsiten = 3\n");
  CHECK(e.line == 4);
  CHECK(e.column == 3);
  CHECK(e.key == "server.lsiten");
  CHECK(contains(e.message, "expected one of listen, admin, threads"));
  CHECK(contains(e.message, "got unknown key \"lsiten\""));
  CHECK(e.to_string() == "t.toml:4:3: server.lsiten: " + e.message);
}

TEST_CASE("unknown table", "[conf][loader]") {
  auto e = load_one_error("[server]\n\n[cahce]\nmemory = \"1G\"\n");
  CHECK(e.line == 3);
  CHECK(e.key == "cahce");
  CHECK(contains(e.message, "expected one of server, origin, cache, limits, purge"));
  CHECK(contains(e.message, "got unknown table \"cahce\""));

  auto scalar = load_one_error("threads = 4\n");
  CHECK(scalar.line == 1);
  CHECK(scalar.key == "threads");

  auto not_table = load_one_error("server = 5\n");
  CHECK(not_table.key == "server");
  CHECK(not_table.message == "expected a table, got 5");

  auto array_of_tables = load_one_error("[[cache]]\nmemory = \"1G\"\n");
  CHECK(array_of_tables.message == "expected a table, got an array");
}

TEST_CASE("wrong types", "[conf][loader]") {
  struct Row {
    const char* text;
    const char* key;
    const char* message;
  };
  const Row rows[] = {
      {"[server]\nthreads = \"four\"", "server.threads",
       "expected an integer between 0 and 1024, got \"four\""},
      {"[server]\nthreads = 1.5", "server.threads",
       "expected an integer between 0 and 1024, got 1.5"},
      {"[server]\nlisten = 8080", "server.listen",
       "expected an address like \"127.0.0.1:8080\" or \"[::1]:8080\", got 8080"},
      {"[cache]\nmemory = \"lots\"", "cache.memory",
       "expected a size like \"256M\" or \"1G\", got \"lots\""},
      {"[cache]\nmemory = true", "cache.memory",
       "expected a size like \"256M\" or \"1G\", got true"},
      {"[cache]\nstore_set_cookie = \"yes\"", "cache.store_set_cookie",
       "expected true or false, got \"yes\""},
      {"[cache]\nstore_set_cookie = 1", "cache.store_set_cookie", "expected true or false, got 1"},
      {"[cache]\nstate_dir = 5", "cache.state_dir", "expected a non-empty directory path, got 5"},
      {"[cache]\nmax_ttl = [1]", "cache.max_ttl",
       "expected a duration like \"250ms\", \"10s\", \"2m\", \"1h\" or \"7d\", got an array"},
      {"[origin]\nconnect_timeout = \"soon\"", "origin.connect_timeout",
       "expected a duration like \"250ms\", \"10s\", \"2m\", \"1h\" or \"7d\", got \"soon\""},
      {"[origin]\nconnect_timeout = 2.5", "origin.connect_timeout",
       "expected a duration like \"250ms\", \"10s\", \"2m\", \"1h\" or \"7d\", got 2.5"},
      {"[origin]\nread_timeout = { a = 1 }", "origin.read_timeout",
       "expected a duration like \"250ms\", \"10s\", \"2m\", \"1h\" or \"7d\", got a table"},
      {"[purge]\nallow_cidrs = \"10.0.0.0/8\"", "purge.allow_cidrs",
       "expected an array of CIDR strings like [\"10.0.0.0/8\"], got \"10.0.0.0/8\""},
      {"[purge]\ntoken = 42", "purge.token", "expected a string, got 42"},
  };
  for (const auto& r : rows) {
    auto e = load_one_error(r.text);
    CHECK(e.line == 2);
    CHECK(e.column > 1);
    CHECK(e.key == r.key);
    CHECK(e.message == r.message);
  }
}

TEST_CASE("impossible values", "[conf][loader]") {
  struct Row {
    const char* text;
    const char* key;
    const char* message;
  };
  const Row rows[] = {
      {"[server]\nthreads = 1025", "server.threads",
       "expected an integer between 0 and 1024, got 1025"},
      {"[server]\nthreads = -1", "server.threads", "expected an integer between 0 and 1024, got -1"},
      {"[server]\nlisten = \"127.0.0.1:65536\"", "server.listen",
       "expected an address like \"127.0.0.1:8080\" or \"[::1]:8080\", got \"127.0.0.1:65536\""},
      {"[server]\nadmin = \"::1:8081\"", "server.admin",
       "expected an address like \"127.0.0.1:8080\" or \"[::1]:8080\", got \"::1:8081\""},
      {"[origin]\naddress = \"127.0.0.1:0\"", "origin.address",
       "expected a port between 1 and 65535, got \"127.0.0.1:0\""},
      {"[origin]\nconnect_timeout = \"0s\"", "origin.connect_timeout",
       "expected a duration greater than 0, got \"0s\""},
      {"[limits]\nheader_timeout = 0", "limits.header_timeout",
       "expected a duration greater than 0, got 0"},
      {"[limits]\nidle_timeout = \"8d\"", "limits.idle_timeout",
       "expected a duration of at most 7d, got \"8d\""},
      {"[cache]\nmemory = \"512K\"", "cache.memory", "expected a size of at least 1M, got \"512K\""},
      {"[cache]\nmemory = -5", "cache.memory", "expected a size like \"256M\" or \"1G\", got -5"},
      {"[cache]\ndisk = 1000", "cache.disk", "expected 0 (off) or a size of at least 1M, got 1000"},
      {"[cache]\nmax_object_size = 0", "cache.max_object_size",
       "expected a size greater than 0, got 0"},
      {"[cache]\nmax_ttl = \"0s\"", "cache.max_ttl", "expected a duration greater than 0, got \"0s\""},
      {"[cache]\nearly_refresh_beta = -0.5", "cache.early_refresh_beta",
       "expected a number between 0 and 100, got -0.5"},
      {"[cache]\nearly_refresh_beta = \"1\"", "cache.early_refresh_beta",
       "expected a number between 0 and 100, got \"1\""},
      {"[cache]\nmax_ttl = \"1500ms\"", "cache.max_ttl",
       "expected a whole number of seconds, got \"1500ms\""},
      {"[cache]\nmax_ttl = \"3651d\"", "cache.max_ttl",
       "expected a duration of at most 3650d, got \"3651d\""},
      {"[warm]\nsitemap = \"/sitemap.xml\"", "warm.sitemap",
       "expected an absolute URL like \"https://example.com/sitemap.xml\" or \"\" (none), got \"/sitemap.xml\""},
      {"[warm]\nevery = \"31d\"", "warm.every", "expected a duration of at most 30d, got \"31d\""},
      {"[warm]\nevery = \"2500ms\"", "warm.every", "expected a whole number of seconds, got \"2500ms\""},
      {"[cache]\nstate_dir = \"\"", "cache.state_dir",
       "expected a non-empty directory path, got \"\""},
      {"[limits]\nmax_header_count = 0", "limits.max_header_count",
       "expected an integer between 1 and 100000, got 0"},
      {"[limits]\nmax_request_line = 8", "limits.max_request_line",
       "expected a size of at least 16 bytes, got 8"},
      {"[limits]\nmax_header_bytes = \"2G\"", "limits.max_header_bytes",
       "expected a size of at most 1G, got \"2G\""},
      {"[limits]\nmax_connections = 0", "limits.max_connections",
       "expected an integer between 1 and 1000000, got 0"},
      {"[limits]\nmax_output_buffer = 100", "limits.max_output_buffer",
       "expected a size of at least 1K, got 100"},
      {"[purge]\ntoken = \"has space\"", "purge.token",
       "expected a bearer token (letters, digits and -._~+/, optionally ending in =) or \"\" for "
       "none, got \"has space\""},
  };
  for (const auto& r : rows) {
    auto e = load_one_error(r.text);
    CHECK(e.line == 2);
    CHECK(e.key == r.key);
    CHECK(e.message == r.message);
  }
}

TEST_CASE("invalid CIDRs are reported per element", "[conf][loader]") {
  auto out = load_config_text(
      "[purge]\nallow_cidrs = [\n  \"10.0.0.0/8\",\n  \"10.0.0.0/33\",\n  \"fd00::/129\",\n"
      "  \"10.0.0.0\",\n  \"bogus/8\",\n  7,\n  \"::/0\",\n]\n",
      "t.toml");
  REQUIRE(out.errors.size() == 5);
  const char* bad[] = {"\"10.0.0.0/33\"", "\"fd00::/129\"", "\"10.0.0.0\"", "\"bogus/8\"", "7"};
  for (int i = 0; i < 5; ++i) {
    const auto& e = out.errors[i];
    CHECK(e.line == 4 + i);
    CHECK(e.column == 3);
    CHECK(e.key == "purge.allow_cidrs[" + std::to_string(i + 1) + "]");
    CHECK(e.message ==
          std::string("expected a CIDR like \"10.0.0.0/8\" or \"fd00::/8\", got ") + bad[i]);
  }
}

TEST_CASE("values spanning keys", "[conf][loader]") {
  auto field = load_one_error("[limits]\nmax_header_field = \"64K\"\n");
  CHECK(field.key == "limits.max_header_field");
  CHECK(field.line == 2);
  CHECK(field.message == "expected a size no larger than limits.max_header_bytes (32K), got 64K");

  auto bytes = load_one_error("[limits]\n\nmax_header_bytes = \"4K\"\n");
  CHECK(bytes.key == "limits.max_header_bytes");
  CHECK(bytes.line == 3);
  CHECK(bytes.message == "expected a size no smaller than limits.max_header_field (8K), got 4K");

  auto clash = load_one_error("[server]\nlisten = \"127.0.0.1:9000\"\nadmin = \"127.0.0.1:9000\"\n");
  CHECK(clash.key == "server.admin");
  CHECK(clash.line == 3);

  auto loop = load_one_error("[origin]\naddress = \"127.0.0.1:8080\"\n");
  CHECK(loop.key == "origin.address");
  CHECK(contains(loop.message, "loop"));

  // Port 0 twice is fine: both are ephemeral.
  load_ok("[server]\nlisten = \"127.0.0.1:0\"\nadmin = \"127.0.0.1:0\"\n");
}

TEST_CASE("all errors are collected, in file order", "[conf][loader]") {
  auto out = load_config_text(R"([server]
threads = 5000
bogus = 1
[cache]
memory = "lots"
disk = "1G"
[limits]
max_header_count = 0
[nope]
)",
                              "multi.toml");
  INFO(all_errors(out));
  REQUIRE(out.errors.size() == 5);
  CHECK(out.errors[0].key == "server.threads");
  CHECK(out.errors[0].line == 2);
  CHECK(out.errors[1].key == "server.bogus");
  CHECK(out.errors[1].line == 3);
  CHECK(out.errors[2].key == "cache.memory");
  CHECK(out.errors[2].line == 5);
  CHECK(out.errors[2].column == 10);
  CHECK(out.errors[3].key == "limits.max_header_count");
  CHECK(out.errors[3].line == 8);
  CHECK(out.errors[4].key == "nope");
  CHECK(out.errors[4].line == 9);
  CHECK(out.errors[4].to_string().rfind("multi.toml:9:", 0) == 0);
}

TEST_CASE("TOML syntax error: one error with the parser's position", "[conf][loader]") {
  auto out = load_config_text("[server]\nlisten = \"127.0.0.1:8080\"\nthreads = = 4\n", "bad.toml");
  REQUIRE(out.errors.size() == 1);
  const auto& e = out.errors[0];
  CHECK(e.file == "bad.toml");
  CHECK(e.line == 3);
  CHECK(e.column > 0);
  CHECK(e.key.empty());
  CHECK(contains(e.message, "TOML syntax error"));

  auto dup = load_config_text("[cache]\nmemory = \"1G\"\nmemory = \"2G\"\n", "dup.toml");
  REQUIRE(dup.errors.size() == 1);
  CHECK(dup.errors[0].line == 3);

  auto unterminated = load_config_text("[cache]\nstate_dir = \"abc\n", "u.toml");
  REQUIRE(unterminated.errors.size() == 1);
  CHECK(unterminated.errors[0].line == 2);
}

TEST_CASE("missing or unreadable file names the path and the OS error", "[conf][loader]") {
  CommandLine cmd;
  cmd.config_path = "/nonexistent/lacquer.toml";
  auto out = load_config(cmd);
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].file == "/nonexistent/lacquer.toml");
  CHECK(out.errors[0].line == 0);
  CHECK(contains(out.errors[0].message, "No such file or directory"));
  CHECK(out.errors[0].to_string() ==
        "/nonexistent/lacquer.toml: cannot read config file: No such file or directory");

  cmd.config_path = "/tmp";
  out = load_config(cmd);
  REQUIRE(out.errors.size() == 1);
  CHECK(contains(out.errors[0].message, "Is a directory"));
}

TEST_CASE("flags override the file", "[conf][loader]") {
  TempFile file(R"([server]
listen = "127.0.0.1:7000"
admin = "127.0.0.1:7001"
threads = 2
[origin]
address = "o:1"
[cache]
state_dir = "/file"
memory = "64M"
disk = "2G"
max_object_size = "1M"
)");
  CommandLine cmd;
  cmd.config_path = file.path;
  auto from_file = load_config(cmd);
  INFO(all_errors(from_file));
  REQUIRE(from_file.ok());
  CHECK(from_file.config.server.listen.port == 7000);
  CHECK(from_file.config.cache.memory_bytes == 64ull << 20);

  cmd.listen = "0.0.0.0:0";
  cmd.admin = "[::1]:0";
  cmd.origin = "[::1]:9";
  cmd.threads = "16";
  cmd.state_dir = "/flag";
  cmd.memory = "1G";
  cmd.disk = "100G";
  auto out = load_config(cmd);
  INFO(all_errors(out));
  REQUIRE(out.ok());
  const auto& c = out.config;
  CHECK(c.server.listen.to_string() == "0.0.0.0:0");
  CHECK(c.server.admin.to_string() == "[::1]:0");
  CHECK(c.origin.address.to_string() == "[::1]:9");
  CHECK(c.server.threads == 16);
  CHECK(c.cache.state_dir == "/flag");
  CHECK(c.cache.memory_bytes == 1ull << 30);
  CHECK(c.cache.disk_bytes == 100ull << 30);
  CHECK(c.cache.max_object_bytes == 1ull << 20);  // file value kept
}

TEST_CASE("flags without a file override the defaults", "[conf][loader]") {
  CommandLine cmd;
  cmd.memory = "512M";
  cmd.listen = "127.0.0.1:0";
  auto out = load_config(cmd);
  REQUIRE(out.ok());
  CHECK(out.config.cache.memory_bytes == 512ull << 20);
  CHECK(out.config.server.listen.port == 0);
  CHECK(out.config.cache.disk_bytes == 1ull << 30);
}

TEST_CASE("flag value errors are reported as the command line", "[conf][loader]") {
  CommandLine cmd;
  cmd.memory = "lots";
  cmd.threads = "many";
  cmd.origin = "127.0.0.1:0";
  cmd.listen = "nope";
  cmd.admin = "[::1]:99999";
  cmd.disk = "1K";
  cmd.state_dir = "";
  auto out = load_config(cmd);
  INFO(all_errors(out));
  REQUIRE(out.errors.size() == 7);
  for (const auto& e : out.errors) {
    CHECK(e.file == "command line");
    CHECK(e.line == 0);
    CHECK(e.key.rfind("--", 0) == 0);
  }
  auto find = [&](const std::string& flag) -> const ConfigError& {
    for (const auto& e : out.errors) {
      if (e.key == flag) return e;
    }
    FAIL("no error for " << flag);
    return out.errors[0];
  };
  CHECK(find("--memory").to_string() ==
        "command line: --memory: expected a size like \"256M\" or \"1G\", got \"lots\"");
  CHECK(find("--threads").message == "expected an integer between 0 and 1024, got \"many\"");
  CHECK(find("--origin").message == "expected a port between 1 and 65535, got \"127.0.0.1:0\"");
  CHECK(contains(find("--listen").message, "got \"nope\""));
  CHECK(contains(find("--admin").message, "got \"[::1]:99999\""));
  CHECK(find("--disk").message == "expected 0 (off) or a size of at least 1M, got \"1K\"");
  CHECK(find("--state-dir").message == "expected a non-empty directory path, got \"\"");
}

TEST_CASE("a disk budget of 0 turns the disk tier off, from the file or the flag", "[conf][loader]") {
  TempFile file("[cache]\ndisk = 0\n");
  CommandLine cmd;
  cmd.config_path = file.path;
  auto out = load_config(cmd);
  INFO(all_errors(out));
  REQUIRE(out.errors.empty());
  CHECK(out.config.cache.disk_bytes == 0);
  CommandLine flag;
  flag.disk = "0";
  auto from_flag = load_config(flag);
  INFO(all_errors(from_flag));
  REQUIRE(from_flag.errors.empty());
  CHECK(from_flag.config.cache.disk_bytes == 0);
  CommandLine memory;
  memory.memory = "0";  // the memory tier cannot be turned off
  CHECK(load_config(memory).errors.size() == 1);
}

TEST_CASE("file errors and flag errors are both reported", "[conf][loader]") {
  TempFile file("[cache]\nmemory = \"lots\"\n");
  CommandLine cmd;
  cmd.config_path = file.path;
  cmd.threads = "2000";
  auto out = load_config(cmd);
  REQUIRE(out.errors.size() == 2);
  CHECK(out.errors[0].file == file.path);
  CHECK(out.errors[0].line == 2);
  CHECK(out.errors[1].file == "command line");
  CHECK(out.errors[1].key == "--threads");
}

TEST_CASE("a relation broken by a flag is reported at the flag", "[conf][loader]") {
  CommandLine cmd;
  cmd.admin = "127.0.0.1:8080";  // same as the default listen address
  auto out = load_config(cmd);
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].file == "command line");
  CHECK(out.errors[0].key == "--admin");
  CHECK(out.errors[0].message ==
        "expected an address different from server.listen, got \"127.0.0.1:8080\"");
}

TEST_CASE("hostile text never throws", "[conf][loader]") {
  std::string deep(5000, '[');
  std::string nul("a = \"\0\"\n", 8);
  for (const std::string& text :
       {deep, nul, std::string("\xff\xfe\x00", 3), std::string("[server]\nlisten = \"\\u0000:1\""),
        std::string("[cache]\nstate_dir = \"a\\u0000b\""), std::string("x = 99999999999999999999")}) {
    LoadOutcome out;
    CHECK_NOTHROW(out = load_config_text(text, "h.toml"));
    CHECK_FALSE(out.ok());
  }
}

TEST_CASE("[cluster] keys are parsed and checked", "[conf][loader]") {
  auto out = load_ok(
      "[cluster]\nredis = \"10.0.0.9:6380\"\nnode = \"edge-7\"\nstream = \"cdn:purges\"\n"
      "password = \"s3cret\"\ntrim_max_length = 500\ntrim_max_age = \"1h\"\ngap_purge = \"soft\"\n"
      "wait_timeout = \"2s\"\n");
  const auto& c = out.config.cluster;
  CHECK(c.enabled);
  CHECK(c.redis.to_string() == "10.0.0.9:6380");
  CHECK(c.node == "edge-7");
  CHECK(c.stream == "cdn:purges");
  CHECK(c.password == "s3cret");
  CHECK(c.trim_max_length == 500);
  CHECK(c.trim_max_age_s == 3600);
  CHECK(c.gap_purge_soft);
  CHECK(c.wait_timeout_ms == 2000);
  CHECK_FALSE(load_ok("").config.cluster.enabled);

  auto e = load_one_error("[cluster]\nredis = \"127.0.0.1:6379\"\nnode = \"a\"\ngap_purge = \"maybe\"\n");
  CHECK(e.line == 4);
  CHECK(contains(e.message, "\"hard\" or \"soft\""));
  auto bad_node = load_config_text("[cluster]\nredis = \"127.0.0.1:6379\"\nnode = \"has space\"\n", "t.toml");
  REQUIRE_FALSE(bad_node.ok());
  CHECK(bad_node.errors[0].line == 3);
  CHECK(contains(bad_node.errors[0].message, "node id"));
  e = load_one_error("[cluster]\nredis = \"localhost\"\nnode = \"a\"\n");
  CHECK(e.line == 2);
  e = load_one_error("[cluster]\nredis = \"127.0.0.1:6379\"\n");
  CHECK(e.line == 2);
  CHECK(contains(e.message, "cluster.node"));
}
