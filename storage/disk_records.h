// Keys and values of the "entries" column family: the persisted format of the disk tier.
//
//   what                     key                                     value
//   entry                    16 bytes: disk_key(key text)            entry record (entry_codec.h)
//   large-object manifest    16 bytes: disk_key(key text)            entry record with kEntryLarge,
//                                                                    whose body is a LargeDescriptor
//   large-object chunk       28 bytes: disk key | generation (8) |   chunk bytes | XXH3-64 of them,
//                                      chunk index (4), big-endian   seeded by the chunk key
//
// Chunk keys are longer than entry keys, so the two never collide, and they sort right after
// their manifest's key (same 16-byte prefix): a compaction meets a manifest just before its
// chunks. The generation is new for every large object written, so a replacement never
// overwrites chunks that a reader of the previous version may still be reading.
//
// LargeDescriptor, 24 bytes little-endian: generation u64 | length u64 | chunk_bytes u32 |
// chunks u32.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lacquer::storage {

inline constexpr std::size_t kDiskKeyBytes = 16;
inline constexpr std::size_t kChunkKeyBytes = kDiskKeyBytes + 8 + 4;
inline constexpr std::size_t kLargeDescriptorBytes = 24;

// Disk key of a cache key text: 16 bytes of XXH3-128 with a fixed seed (persisted format).
std::string disk_key(std::string_view key_text);

std::string chunk_key(std::string_view disk_key, std::uint64_t generation, std::uint32_t index);
bool is_chunk_key(std::string_view key) noexcept;
struct ChunkKeyParts {
  std::string_view disk_key;
  std::uint64_t generation = 0;
  std::uint32_t index = 0;
};
// Precondition: is_chunk_key(key).
ChunkKeyParts parse_chunk_key(std::string_view key) noexcept;

// Appends the stored form of one chunk (its bytes and a checksum bound to its key).
void encode_chunk(std::string_view key, std::string_view data, std::string& out);
// The chunk's bytes, or nullopt when the checksum does not match (corrupt, or not this key's).
std::optional<std::string_view> verify_chunk(std::string_view key, std::string_view stored) noexcept;

struct LargeDescriptor {
  std::uint64_t generation = 0;
  std::uint64_t length = 0;       // body bytes
  std::uint32_t chunk_bytes = 0;  // every chunk but the last holds exactly this many
  std::uint32_t chunks = 0;
};
std::string encode_descriptor(const LargeDescriptor& d);
std::optional<LargeDescriptor> decode_descriptor(std::string_view bytes) noexcept;

}  // namespace lacquer::storage
