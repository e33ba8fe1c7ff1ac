#include "storage/entry_codec.h"

#include <xxhash.h>

#include <cstring>
#include <vector>

namespace lacquer::storage {
namespace {

template <class T>
void put(std::string& out, T v) {
  char buf[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i) buf[i] = static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff);
  out.append(buf, sizeof(T));
}

template <class T>
T get(const char* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return static_cast<T>(v);
}

constexpr std::uint64_t kChecksumSeed = 0x6c61637175657243ull;  // "lacquerC"; never change

// The fixed part's size for the record's version, 0 for a version we cannot read.
std::size_t fixed_bytes(std::string_view r) noexcept {
  if (r.empty()) return 0;
  switch (static_cast<std::uint8_t>(r[0])) {
    case 2: return kRecordFixedBytesV2;
    case kEntryFormatVersion: return kRecordFixedBytes;
    default: return 0;
  }
}

}  // namespace

std::string_view to_string(DecodeError e) noexcept {
  switch (e) {
    case DecodeError::None: return "none";
    case DecodeError::Truncated: return "truncated";
    case DecodeError::UnknownVersion: return "unknown-version";
    case DecodeError::BadLengths: return "bad-lengths";
    case DecodeError::BadChecksum: return "bad-checksum";
  }
  return "?";
}

void encode_entry(const Entry& e, std::string& out) {
  const auto& m = e.meta();
  std::size_t start = out.size();
  out.reserve(start + kRecordFixedBytes + e.key().size() + 8 * e.tags().size() + e.head().size() +
              e.body().size() + 8);
  put<std::uint8_t>(out, kEntryFormatVersion);
  put<std::uint8_t>(out, m.flags);
  put<std::uint16_t>(out, m.status);
  put<std::uint32_t>(out, m.lifetime_s);
  put<std::int64_t>(out, m.response_time);
  put<std::int64_t>(out, m.corrected_initial_age);
  put<std::uint64_t>(out, m.birth_seq);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.key().size()));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.tags().size()));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.head().size()));
  put<std::uint64_t>(out, e.body().size());
  put<std::uint32_t>(out, m.stale_while_revalidate_s);
  put<std::uint32_t>(out, m.stale_if_error_s);
  put<std::uint32_t>(out, m.fetch_ms);
  out.append(e.key());
  for (std::uint64_t t : e.tags()) put<std::uint64_t>(out, t);
  out.append(e.head());
  out.append(e.body());
  put<std::uint64_t>(out, XXH3_64bits_withSeed(out.data() + start, out.size() - start, kChecksumSeed));
}

bool peek_meta(std::string_view r, EntryMeta& m) noexcept {
  const std::size_t fixed = fixed_bytes(r);
  if (fixed == 0 || r.size() < fixed + 8) return false;
  m.format_version = static_cast<std::uint8_t>(r[0]);
  m.flags = static_cast<std::uint8_t>(r[1]);
  m.status = get<std::uint16_t>(r.data() + 2);
  m.lifetime_s = get<std::uint32_t>(r.data() + 4);
  m.response_time = get<std::int64_t>(r.data() + 8);
  m.corrected_initial_age = get<std::int64_t>(r.data() + 16);
  m.birth_seq = get<std::uint64_t>(r.data() + 24);
  m.stale_while_revalidate_s = get<std::uint32_t>(r.data() + 52);
  m.stale_if_error_s = get<std::uint32_t>(r.data() + 56);
  m.fetch_ms = fixed >= 64 ? get<std::uint32_t>(r.data() + 60) : 0;
  return true;
}

namespace {
struct Lengths {
  std::uint64_t key = 0, tags = 0, head = 0, body = 0;
};
// Each length is bounded by the record size first, so the sum cannot overflow.
// `fixed`: the size of the record's fixed part (fixed_bytes).
bool read_lengths(std::string_view r, std::size_t fixed, Lengths& l) noexcept {
  if (fixed == 0 || r.size() < fixed + 8) return false;
  l.key = get<std::uint32_t>(r.data() + 32);
  l.tags = get<std::uint32_t>(r.data() + 36);
  l.head = get<std::uint32_t>(r.data() + 40);
  l.body = get<std::uint64_t>(r.data() + 44);
  std::uint64_t payload = r.size() - fixed - 8;
  return l.key <= payload && l.tags <= payload / 8 && l.head <= payload && l.body <= payload &&
         l.key + 8 * l.tags + l.head + l.body == payload;
}
}  // namespace

bool peek_scopes(std::string_view r, std::string_view& key, std::vector<std::uint64_t>& tags) {
  Lengths l;
  const std::size_t fixed = fixed_bytes(r);
  if (!read_lengths(r, fixed, l)) return false;
  const char* p = r.data() + fixed;
  key = std::string_view(p, l.key);
  p += l.key;
  tags.resize(l.tags);
  for (auto& t : tags) {
    t = get<std::uint64_t>(p);
    p += 8;
  }
  return true;
}

std::string_view peek_body(std::string_view r) noexcept {
  Lengths l;
  if (!read_lengths(r, fixed_bytes(r), l)) return {};
  return r.substr(r.size() - 8 - l.body, l.body);
}

DecodedEntry decode_entry(std::string_view r, std::uint64_t index_hash) {
  DecodedEntry out;
  const std::size_t fixed = fixed_bytes(r);
  if (r.size() < kRecordFixedBytesV2 + 8 || (fixed != 0 && r.size() < fixed + 8)) {
    out.error = DecodeError::Truncated;
    return out;
  }
  EntryMeta m;
  if (!peek_meta(r, m)) {
    out.error = DecodeError::UnknownVersion;
    return out;
  }
  Lengths l;
  if (!read_lengths(r, fixed, l)) {
    out.error = DecodeError::BadLengths;
    return out;
  }
  const std::uint64_t key_len = l.key, tag_count = l.tags, head_len = l.head, body_len = l.body;
  std::uint64_t stored = get<std::uint64_t>(r.data() + r.size() - 8);
  if (XXH3_64bits_withSeed(r.data(), r.size() - 8, kChecksumSeed) != stored) {
    out.error = DecodeError::BadChecksum;
    return out;
  }
  const char* p = r.data() + fixed;
  std::string_view key(p, key_len);
  p += key_len;
  std::vector<std::uint64_t> tags(tag_count);
  for (auto& t : tags) {
    t = get<std::uint64_t>(p);
    p += 8;
  }
  std::string_view head(p, head_len);
  std::string_view body(p + head_len, body_len);
  out.entry = Entry::create(key, index_hash, head, body, m, tags);
  return out;
}

}  // namespace lacquer::storage
