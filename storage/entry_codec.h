// The on-disk record of an Entry. Layout, all integers little-endian:
//
//   offset  size  field
//   0       1     format version (kEntryFormatVersion)
//   1       1     flags (kEntry* in entry.h)
//   2       2     status
//   4       4     lifetime_s
//   8       8     response_time (int64)
//   16      8     corrected_initial_age (int64)
//   24      8     birth_seq
//   32      4     key length K
//   36      4     tag count T
//   40      4     head length H
//   44      8     body length B
//   52      4     stale_while_revalidate_s
//   56      4     stale_if_error_s
//   60      4     fetch_ms (version 3 only; a version 2 record has no such field: 0)
//   64      K     key text (60 in version 2)
//   ..      8*T   tag hashes
//   ..      H     stored head
//   ..      B     body
//   end     8     XXH3-64 of every byte before it
//
// Version 2 records (no fetch_ms, a 60-byte fixed part) still decode, so a disk tier written by an
// older build stays readable; new records are always written as version 3.
//
// A record that is too short, has another version, lengths that do not add up, or a checksum
// mismatch does not decode: the caller treats it as a miss, deletes it and counts it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/entry.h"

namespace lacquer::storage {

enum class DecodeError : std::uint8_t { None, Truncated, UnknownVersion, BadLengths, BadChecksum };
std::string_view to_string(DecodeError e) noexcept;

inline constexpr std::size_t kRecordFixedBytes = 64;    // version 3
inline constexpr std::size_t kRecordFixedBytesV2 = 60;  // version 2

// Appends the record for `e` to `out`.
void encode_entry(const Entry& e, std::string& out);

struct DecodedEntry {
  DecodeError error = DecodeError::None;
  EntryRef entry;  // set when error == None; its index hash is `index_hash`
};
// `index_hash` is the in-memory hash to give the decoded entry (process-seeded, not stored).
DecodedEntry decode_entry(std::string_view record, std::uint64_t index_hash);

// Reads only the fixed part (for compaction filters): false when too short or another version.
bool peek_meta(std::string_view record, EntryMeta& meta) noexcept;

// Reads the key text and the tag hashes without building an entry or verifying the checksum
// (the compaction filter's purge check): false when the record does not add up. `key` points
// into `record`.
bool peek_scopes(std::string_view record, std::string_view& key, std::vector<std::uint64_t>& tags);

// The body of a record without verifying the checksum (a large object's descriptor, whose
// record the caller has already decoded or only needs to locate chunks): empty when the
// record does not add up.
std::string_view peek_body(std::string_view record) noexcept;

}  // namespace lacquer::storage
