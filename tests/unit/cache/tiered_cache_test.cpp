// The tiered-cache facade over a real memory tier (memory-only: the disk side is exercised end
// to end in tests/e2e/test_disk_*.py): verdicts, the Vary marker, reclaiming purged entries.
#include <catch2/catch.hpp>

#include "cache/tiered_cache.h"
#include "http/vary.h"
#include "purge/scopes.h"
#include "storage/memory_tier.h"

using namespace lacquer;
using namespace lacquer::cache;

namespace {

struct Fixture {
  storage::MemoryTier memory{16 << 20};
  purge::VersionTable versions;
  purge::PurgeMetrics metrics;
  TieredCache cache{memory, nullptr, nullptr, versions, metrics};
  storage::CacheKey key = *storage::make_cache_key("example.com", "/a");
  std::int64_t now = 5000;

  storage::EntryRef entry(std::string_view key_text, std::uint32_t lifetime) {
    storage::EntryMeta m;
    m.response_time = now;
    m.lifetime_s = lifetime;
    m.status = 200;
    m.birth_seq = versions.current_seq();
    return storage::Entry::create(key_text, storage::hash_key_text(key_text), "HTTP/1.1 200 OK\r\n", "body", m);
  }
  LookupResult lookup(std::span<const http::Header> fields = {}, std::int64_t at = 5000) {
    auto r = cache.lookup({&key, fields, at, nullptr, nullptr, {}});
    REQUIRE(r.has_value());  // memory-only: always answered at once
    return std::move(*r);
  }
};

}  // namespace

TEST_CASE("memory answers: miss, fresh, then stale once the lifetime is over") {
  Fixture f;
  CHECK(f.lookup().verdict == Verdict::Miss);
  auto e = f.entry(f.key.text, 60);
  storage::EntryRef stored = storage::Entry::create(f.key.text, f.key.primary, e->head(), e->body(), e->meta());
  CHECK(f.cache.publish(stored, f.key, {}));
  CHECK(f.lookup().verdict == Verdict::Fresh);
  CHECK(f.lookup({}, f.now + 61).verdict == Verdict::Stale);
  CHECK(f.lookup().tier == Tier::Memory);
}

TEST_CASE("purges: soft is SoftPurged, hard is Invalid and the entry is reclaimed") {
  Fixture f;
  f.cache.publish(storage::Entry::create(f.key.text, f.key.primary, "HTTP/1.1 200 OK\r\n", "x",
                                         f.entry(f.key.text, 60)->meta()),
                  f.key, {});
  f.versions.apply(purge::Scope::Url, purge::url_hash(f.key.text), true);
  CHECK(f.lookup().verdict == Verdict::SoftPurged);
  CHECK(f.metrics.stale_entries_met.load() == 1);
  f.versions.apply(purge::Scope::Global, 0, false);
  CHECK(f.lookup().verdict == Verdict::Invalid);
  CHECK_FALSE(f.memory.lookup(f.key.primary, f.key.text));
  CHECK(f.lookup().verdict == Verdict::Miss);
}

TEST_CASE("Vary: publish leaves a marker under the URL; lookups follow it to their own variant") {
  Fixture f;
  const std::vector<http::Header> gzip{{"Accept-Encoding", "gzip"}};
  const std::vector<http::Header> br{{"Accept-Encoding", "br"}};
  std::string variant = f.key.text;
  http::append_variant_key(variant, "accept-encoding", gzip);
  f.cache.publish(f.entry(variant, 60), f.key, "accept-encoding");
  auto hit = f.lookup(gzip);
  CHECK(hit.verdict == Verdict::Fresh);
  CHECK(hit.variant_key == variant);
  auto other = f.lookup(br);
  CHECK(other.verdict == Verdict::Miss);
  CHECK_FALSE(other.variant_key.empty());
}
