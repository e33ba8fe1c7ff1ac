#include <catch2/catch.hpp>

#include "conf/loader.h"
#include "edge/admin/purge_scope.h"
#include "purge/scopes.h"
#include "purge/surrogate_keys.h"

using namespace lacquer;

namespace {
conf::Routing two_sites() {
  auto out = conf::load_config_text(R"(
[[pool]]
name = "p"
servers = ["127.0.0.1:1"]
[[site]]
name = "a"
hosts = ["a.test", "*.a.test"]
pool = "p"
purge_tokens = ["tok-a", "tok-a2"]
[[site]]
name = "b"
hosts = ["b.test"]
pool = "p"
purge_tokens = ["tok-b"]
)", "t.toml");
  REQUIRE(out.ok());
  return conf::Routing(out.config);
}
}  // namespace

TEST_CASE("site tokens: each bound to its site, only as a bearer token") {
  auto r = two_sites();
  CHECK(edge::site_of_token(r, std::string_view("Bearer tok-a")) == 0);
  CHECK(edge::site_of_token(r, std::string_view("bearer tok-a2")) == 0);
  CHECK(edge::site_of_token(r, std::string_view("Bearer tok-b")) == 1);
  CHECK(edge::site_of_token(r, std::string_view("Bearer tok-")) == conf::Routing::kNoSite);
  CHECK(edge::site_of_token(r, std::string_view("Basic tok-a")) == conf::Routing::kNoSite);
  CHECK(edge::site_of_token(r, std::nullopt) == conf::Routing::kNoSite);
  CHECK(r.site(0).exact_hosts == std::vector<std::string>{"a.test"});
}

TEST_CASE("bearer tokens and loopback listeners") {
  CHECK(edge::bearer_matches(std::string_view("Bearer s3cret"), "s3cret"));
  CHECK_FALSE(edge::bearer_matches(std::string_view("Bearer s3cre"), "s3cret"));
  CHECK_FALSE(edge::bearer_matches(std::string_view("Bearer "), ""));  // no token configured: never
  CHECK_FALSE(edge::bearer_matches(std::nullopt, "s3cret"));
  CHECK(edge::is_loopback_address("127.0.0.1"));
  CHECK(edge::is_loopback_address("::1"));
  CHECK(edge::is_loopback_address("localhost"));
  CHECK_FALSE(edge::is_loopback_address("0.0.0.0"));
  CHECK_FALSE(edge::is_loopback_address("::"));
  CHECK_FALSE(edge::is_loopback_address("10.0.0.1"));
}

TEST_CASE("scope_to_site: tags become the site's, purge-all the site's scope tag; URLs stay") {
  std::vector<edge::PurgeTarget> t = {{purge::Scope::Global, 0, "all"},
                                      {purge::Scope::Tag, purge::tag_hash("x"), "x"},
                                      {purge::Scope::Url, 42, "http://a.test/"}};
  edge::scope_to_site(t, "a");
  const auto scope = purge::site_scope_hash("a");
  CHECK(t[0].scope == purge::Scope::Tag);
  CHECK(t[0].key == scope);
  CHECK(t[0].label == "site:a");
  CHECK(t[1].key == purge::site_tag(scope, purge::tag_hash("x")));
  CHECK(t[1].key != purge::site_tag(purge::site_scope_hash("b"), purge::tag_hash("x")));
  CHECK(t[2].key == 42);
  CHECK(t[2].scope == purge::Scope::Url);
}
