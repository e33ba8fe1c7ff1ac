// The one purge verdict (purge/entry_verdict.h) that lookups, the sweeper and the disk tier's
// compaction filter share.
#include <catch2/catch.hpp>

#include <string>

#include "purge/entry_verdict.h"
#include "purge/scopes.h"
#include "storage/cache_key.h"

using namespace lacquer;
using namespace lacquer::purge;

namespace {
const std::string kUrl = "http://example.com/news/today?x=1";
const std::string kVariant = kUrl + storage::kVariantSeparator + "accept-encoding" + storage::kVariantSeparator + "gzip";
}  // namespace

TEST_CASE("nothing purged since the entry's birth: valid, without looking anything up") {
  VersionTable v;
  CHECK(entry_verdict(v, {0, 0, kUrl, {}}) == Validity::Valid);
}

TEST_CASE("URL, tag, prefix and global purges, hard and soft") {
  const std::uint64_t tags[] = {11, 22};
  SECTION("a hard URL purge reaches every variant of the URL") {
    VersionTable v;
    v.apply(Scope::Url, url_hash(kUrl), false);
    CHECK(entry_verdict(v, {0, 0, kUrl, tags}) == Validity::Invalid);
    CHECK(entry_verdict(v, {0, 0, kVariant, tags}) == Validity::Invalid);
  }
  SECTION("a soft tag purge makes it stale") {
    VersionTable v;
    v.apply(Scope::Tag, 22, true);
    CHECK(entry_verdict(v, {0, 0, kUrl, tags}) == Validity::Stale);
  }
  SECTION("a prefix purge of a parent path") {
    VersionTable v;
    v.apply(Scope::Prefix, prefix_hash("http://example.com/news"), false);
    CHECK(entry_verdict(v, {0, 0, kVariant, tags}) == Validity::Invalid);
  }
  SECTION("a purge of another tag or URL does not touch it") {
    VersionTable v;
    v.apply(Scope::Tag, 33, false);
    v.apply(Scope::Url, url_hash("http://example.com/other"), false);
    CHECK(entry_verdict(v, {0, 0, kUrl, tags}) == Validity::Valid);
  }
  SECTION("entries born after the purge are valid") {
    VersionTable v;
    const auto seq = v.apply(Scope::Global, 0, false).seq;
    CHECK(entry_verdict(v, {seq, seq, kUrl, tags}) == Validity::Valid);
    CHECK(entry_verdict(v, {seq - 1, seq - 1, kUrl, tags}) == Validity::Invalid);
  }
}

TEST_CASE("the ring of recent purges and the full check agree") {
  VersionTable v;
  const std::uint64_t tags[] = {7};
  for (int i = 0; i < 300; ++i) v.apply(Scope::Tag, 1000 + i, false);  // more than the ring holds
  v.apply(Scope::Tag, 7, true);
  // Born at 0: the purges since have left the ring, so this is the full check.
  CHECK(entry_verdict(v, {0, 0, kUrl, tags}) == Validity::Stale);
  // Checked up to just before the last purge: the ring answers.
  CHECK(entry_verdict(v, {0, v.last_purge_seq() - 1, kUrl, tags}) == Validity::Stale);
}

TEST_CASE("born below the forgotten floor: invalid, it can no longer be checked") {
  VersionTable v;
  for (int i = 0; i < 5; ++i) v.apply(Scope::Tag, 1000 + i, false);
  v.forget_older_than(4);
  CHECK(entry_verdict(v, {1, 1, kUrl, {}}) == Validity::Invalid);
}

TEST_CASE("the URL part of a stored key") {
  CHECK(url_part(kVariant) == kUrl);
  CHECK(url_part(kUrl) == kUrl);
}
