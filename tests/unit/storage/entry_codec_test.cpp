#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include <xxhash.h>

#include "storage/entry_codec.h"

using namespace lacquer::storage;

namespace {
EntryRef sample() {
  EntryMeta m;
  m.status = 200;
  m.lifetime_s = 60;
  m.response_time = 1700000000;
  m.corrected_initial_age = 3;
  m.birth_seq = 42;
  m.fetch_ms = 250;
  static const std::uint64_t tags[] = {7, 8, 9};
  return Entry::create("http://example.com/a", 1, "HTTP/1.1 200 OK\r\nX: y\r\n",
                       std::string(1000, 'b'), m, tags);
}
}  // namespace

TEST_CASE("an entry survives encode and decode unchanged") {
  auto e = sample();
  std::string rec;
  encode_entry(*e.get(), rec);
  auto d = decode_entry(rec, 99);
  REQUIRE(d.error == DecodeError::None);
  CHECK(d.entry->key() == e->key());
  CHECK(d.entry->head() == e->head());
  CHECK(d.entry->body() == e->body());
  CHECK(std::equal(d.entry->tags().begin(), d.entry->tags().end(), e->tags().begin(), e->tags().end()));
  CHECK(d.entry->hash() == 99);
  CHECK(d.entry->meta().birth_seq == 42);
  CHECK(d.entry->meta().lifetime_s == 60);
  CHECK(d.entry->meta().response_time == 1700000000);
  CHECK(d.entry->meta().corrected_initial_age == 3);
  CHECK(d.entry->meta().status == 200);
  CHECK(d.entry->meta().fetch_ms == 250);
}

TEST_CASE("version 3 records (pinned bytes of the fixed part)") {
  std::string rec;
  encode_entry(*sample().get(), rec);
  CHECK(static_cast<unsigned char>(rec[0]) == 3);
  CHECK(kRecordFixedBytes == 64);
  CHECK(rec.size() == kRecordFixedBytes + 20 + 24 + 23 + 1000 + 8);
  EntryMeta m;
  REQUIRE(peek_meta(rec, m));
  CHECK(m.birth_seq == 42);
  CHECK(m.fetch_ms == 250);
  CHECK(static_cast<unsigned char>(rec[60]) == 250);  // fetch_ms, little-endian, at offset 60
}

namespace {
// A version 2 record as an older build wrote it: no fetch_ms, a 60-byte fixed part.
std::string version_2_record() {
  std::string v3;
  encode_entry(*sample().get(), v3);
  std::string v2 = v3.substr(0, 60) + v3.substr(64, v3.size() - 64 - 8);
  v2[0] = 2;
  const std::uint64_t sum = XXH3_64bits_withSeed(v2.data(), v2.size(), 0x6c61637175657243ull);
  for (int i = 0; i < 8; ++i) v2.push_back(static_cast<char>((sum >> (8 * i)) & 0xff));
  return v2;
}
}  // namespace

TEST_CASE("version 2 records from an older build still decode, with no fetch time") {
  const std::string rec = version_2_record();
  CHECK(rec.size() == kRecordFixedBytesV2 + 20 + 24 + 23 + 1000 + 8);
  auto d = decode_entry(rec, 5);
  REQUIRE(d.error == DecodeError::None);
  CHECK(d.entry->key() == "http://example.com/a");
  CHECK(d.entry->head() == "HTTP/1.1 200 OK\r\nX: y\r\n");
  CHECK(d.entry->body() == std::string(1000, 'b'));
  CHECK(d.entry->tags().size() == 3);
  CHECK(d.entry->meta().birth_seq == 42);
  CHECK(d.entry->meta().lifetime_s == 60);
  CHECK(d.entry->meta().fetch_ms == 0);
  EntryMeta m;
  REQUIRE(peek_meta(rec, m));
  CHECK(m.format_version == 2);
  std::string_view key;
  std::vector<std::uint64_t> tags;
  REQUIRE(peek_scopes(rec, key, tags));
  CHECK(key == "http://example.com/a");
  CHECK(peek_body(rec) == std::string(1000, 'b'));
  // Re-encoding writes the current version.
  std::string again;
  encode_entry(*d.entry.get(), again);
  CHECK(static_cast<unsigned char>(again[0]) == 3);
}

TEST_CASE("a record of an unknown version does not decode") {
  std::string rec;
  encode_entry(*sample().get(), rec);
  for (unsigned char v : {0, 1, 4, 255}) {
    rec[0] = static_cast<char>(v);
    CHECK(decode_entry(rec, 1).error == DecodeError::UnknownVersion);
  }
}

TEST_CASE("stale allowances and flags survive the round trip") {
  EntryMeta meta;
  meta.stale_while_revalidate_s = 30;
  meta.stale_if_error_s = 600;
  meta.flags = kEntryMustRevalidate | kEntryNoCache;
  auto e = Entry::create("k", 1, "HTTP/1.1 200 OK\r\n", "b", meta);
  std::string rec;
  encode_entry(*e.get(), rec);
  auto d = decode_entry(rec, 1);
  REQUIRE(d.error == DecodeError::None);
  CHECK(d.entry->meta().stale_while_revalidate_s == 30);
  CHECK(d.entry->meta().stale_if_error_s == 600);
  CHECK(d.entry->meta().flags == (kEntryMustRevalidate | kEntryNoCache));
}

TEST_CASE("damaged records never decode") {
  std::string rec;
  encode_entry(*sample().get(), rec);
  SECTION("any flipped byte") {
    for (std::size_t i = 0; i < rec.size(); i += 7) {
      std::string bad = rec;
      bad[i] ^= 0x20;
      CHECK(decode_entry(bad, 1).error != DecodeError::None);
    }
  }
  SECTION("any truncation") {
    for (std::size_t n = 0; n < rec.size(); n += 13)
      CHECK(decode_entry(std::string_view(rec).substr(0, n), 1).error != DecodeError::None);
  }
  SECTION("another format version") {
    rec[0] = 9;
    CHECK(decode_entry(rec, 1).error == DecodeError::UnknownVersion);
  }
}
