#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "purge/validity.h"

using namespace lacquer::purge;

namespace {
struct FakeVersions {
  std::map<std::pair<Scope, std::uint64_t>, Versions> v;
  Versions operator()(Scope s, std::uint64_t k) const {
    auto it = v.find({s, k});
    return it == v.end() ? Versions{} : it->second;
  }
};
}  // namespace

TEST_CASE("validity: purges after birth invalidate, purges before do not") {
  std::vector<std::uint64_t> tags = {11, 12};
  std::vector<std::uint64_t> prefixes = {21};
  EntryScopes e{10, 5, tags, prefixes};
  FakeVersions f;
  CHECK(validity(e, f) == Validity::Valid);

  struct Case { Scope scope; std::uint64_t key; Versions v; Validity expect; };
  auto c = GENERATE(
      Case{Scope::Tag, 12, {11, 0}, Validity::Invalid},
      Case{Scope::Tag, 12, {10, 0}, Validity::Valid},     // purged at our birth: sent after it
      Case{Scope::Tag, 12, {0, 11}, Validity::Stale},
      Case{Scope::Tag, 99, {50, 0}, Validity::Valid},     // a tag we do not carry
      Case{Scope::Url, 5, {11, 0}, Validity::Invalid},
      Case{Scope::Url, 5, {0, 11}, Validity::Stale},
      Case{Scope::Prefix, 21, {11, 0}, Validity::Invalid},
      Case{Scope::Global, 0, {11, 0}, Validity::Invalid},
      Case{Scope::Global, 0, {0, 11}, Validity::Stale},
      Case{Scope::Global, 0, {9, 9}, Validity::Valid});
  f.v[{c.scope, c.key}] = c.v;
  CHECK(validity(e, f) == c.expect);
}

TEST_CASE("validity: hard wins over soft") {
  std::vector<std::uint64_t> tags = {1, 2};
  EntryScopes e{10, 5, tags, {}};
  FakeVersions f;
  f.v[{Scope::Tag, 1}] = {0, 20};
  f.v[{Scope::Tag, 2}] = {20, 0};
  CHECK(validity(e, f) == Validity::Invalid);
}

#include "purge/scopes.h"

TEST_CASE("prefix scopes follow path-segment boundaries") {
  std::string key = "http://example.com/a/b/c?x=1";
  std::size_t path_begin = std::string("http://example.com").size();
  std::vector<std::uint64_t> hashes;
  entry_prefix_hashes(key, path_begin, hashes);
  auto has = [&](std::string_view p) {
    return std::find(hashes.begin(), hashes.end(), prefix_hash(p)) != hashes.end();
  };
  CHECK(has("http://example.com"));
  CHECK(has("http://example.com/a"));
  CHECK(has("http://example.com/a/b"));
  CHECK(has("http://example.com/a/b/c"));
  CHECK_FALSE(has("http://example.com/a/b/c?x=1"));
  CHECK_FALSE(has("http://example.com/a/"));  // purge prefixes are normalised without the slash
  CHECK(hashes.size() == 4);
  // A purge of "/a/b/" normalises to the same scope as "/a/b".
  std::string purge_a = "http://example.com/a/b/";
  CHECK(normalise_prefix(purge_a, path_begin) == "http://example.com/a/b");
  std::string purge_root = "http://example.com/";
  CHECK(normalise_prefix(purge_root, path_begin) == "http://example.com");
  // "/a/bc" is not under "/a/b".
  std::string other = "http://example.com/a/bc";
  entry_prefix_hashes(other, path_begin, hashes);
  CHECK_FALSE(has("http://example.com/a/b"));
}

TEST_CASE("the incremental check agrees with the full one") {
  std::vector<std::uint64_t> tags = {11, 12};
  std::vector<std::uint64_t> prefixes = {21};
  int prefix_calls = 0;
  auto prefix_fn = [&]() -> std::span<const std::uint64_t> { ++prefix_calls; return prefixes; };
  using R = PurgeRecord;
  std::vector<R> none_apply = {{Scope::Tag, 99, false, 11}, {Scope::Url, 6, false, 12}};
  CHECK(validity_from_recent(std::span<const R>(none_apply), 5, tags, prefix_fn) == Validity::Valid);
  CHECK(prefix_calls == 0);  // no prefix purge among them: prefixes never computed
  std::vector<R> soft_tag = {{Scope::Tag, 12, true, 11}};
  CHECK(validity_from_recent(std::span<const R>(soft_tag), 5, tags, prefix_fn) == Validity::Stale);
  std::vector<R> hard_url = {{Scope::Tag, 12, true, 11}, {Scope::Url, 5, false, 12}};
  CHECK(validity_from_recent(std::span<const R>(hard_url), 5, tags, prefix_fn) == Validity::Invalid);
  std::vector<R> prefix = {{Scope::Prefix, 21, false, 11}};
  CHECK(validity_from_recent(std::span<const R>(prefix), 5, tags, prefix_fn) == Validity::Invalid);
  CHECK(prefix_calls == 1);
  std::vector<R> global_soft = {{Scope::Global, 0, true, 11}};
  CHECK(validity_from_recent(std::span<const R>(global_soft), 5, tags, prefix_fn) == Validity::Stale);
}

TEST_CASE("the incremental check hashes the URL and the prefixes only for URL and prefix purges") {
  std::vector<std::uint64_t> tags = {11, 12};
  std::vector<std::uint64_t> prefixes = {21};
  int url_calls = 0, prefix_calls = 0;
  IncrementalCheck check([&] { ++url_calls; return std::uint64_t{5}; }, tags,
                         [&]() -> std::span<const std::uint64_t> { ++prefix_calls; return prefixes; });
  CHECK_FALSE(check.invalidated_by({Scope::Tag, 99, false, 11}));
  CHECK_FALSE(check.invalidated_by({Scope::Tag, 12, true, 12}));  // soft: stale, go on
  CHECK(url_calls == 0);
  CHECK(prefix_calls == 0);
  CHECK(check.result() == Validity::Stale);
  CHECK_FALSE(check.invalidated_by({Scope::Url, 6, false, 13}));
  CHECK(url_calls == 1);
  CHECK(check.invalidated_by({Scope::Prefix, 21, false, 14}));
  CHECK(prefix_calls == 1);
}
