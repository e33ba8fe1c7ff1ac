#include "storage/disk_records.h"

#include <xxhash.h>

namespace lacquer::storage {
namespace {

constexpr std::uint64_t kDiskKeySeed = 0x6c6163717565724bull;  // "lacquerK"; never change
constexpr std::uint64_t kChunkSeed = 0x6c61637175657248ull;    // "lacquerH"; never change

void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}
std::uint64_t get_be(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}
void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
std::uint64_t get_le(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}
std::uint64_t chunk_checksum(std::string_view key, std::string_view data) {
  std::uint64_t seed = XXH3_64bits_withSeed(key.data(), key.size(), kChunkSeed);
  return XXH3_64bits_withSeed(data.data(), data.size(), seed);
}

}  // namespace

std::string disk_key(std::string_view key_text) {
  XXH128_hash_t h = XXH3_128bits_withSeed(key_text.data(), key_text.size(), kDiskKeySeed);
  std::string k;
  k.reserve(kDiskKeyBytes);
  put_be(k, h.high64, 8);
  put_be(k, h.low64, 8);
  return k;
}

std::string chunk_key(std::string_view disk_key, std::uint64_t generation, std::uint32_t index) {
  std::string k;
  k.reserve(kChunkKeyBytes);
  k.append(disk_key);
  put_be(k, generation, 8);
  put_be(k, index, 4);
  return k;
}

bool is_chunk_key(std::string_view key) noexcept { return key.size() == kChunkKeyBytes; }

ChunkKeyParts parse_chunk_key(std::string_view key) noexcept {
  return {key.substr(0, kDiskKeyBytes), get_be(key.data() + kDiskKeyBytes, 8),
          static_cast<std::uint32_t>(get_be(key.data() + kDiskKeyBytes + 8, 4))};
}

void encode_chunk(std::string_view key, std::string_view data, std::string& out) {
  out.append(data);
  put_le(out, chunk_checksum(key, data), 8);
}

std::optional<std::string_view> verify_chunk(std::string_view key, std::string_view stored) noexcept {
  if (stored.size() < 8) return std::nullopt;
  std::string_view data = stored.substr(0, stored.size() - 8);
  if (get_le(stored.data() + data.size(), 8) != chunk_checksum(key, data)) return std::nullopt;
  return data;
}

std::string encode_descriptor(const LargeDescriptor& d) {
  std::string out;
  out.reserve(kLargeDescriptorBytes);
  put_le(out, d.generation, 8);
  put_le(out, d.length, 8);
  put_le(out, d.chunk_bytes, 4);
  put_le(out, d.chunks, 4);
  return out;
}

std::optional<LargeDescriptor> decode_descriptor(std::string_view b) noexcept {
  if (b.size() != kLargeDescriptorBytes) return std::nullopt;
  LargeDescriptor d;
  d.generation = get_le(b.data(), 8);
  d.length = get_le(b.data() + 8, 8);
  d.chunk_bytes = static_cast<std::uint32_t>(get_le(b.data() + 16, 4));
  d.chunks = static_cast<std::uint32_t>(get_le(b.data() + 20, 4));
  // The chunk count must be the one the length implies, so a reader never asks for a chunk
  // that was not written.
  if (d.chunk_bytes == 0 || d.chunks != (d.length + d.chunk_bytes - 1) / d.chunk_bytes) return std::nullopt;
  return d;
}

}  // namespace lacquer::storage
