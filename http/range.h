// Byte ranges (RFC 9110 §14): resolving a Range field against a stored representation, the
// Content-Range values of a 206 / 416, and the layout of a multipart/byteranges body. Pure code:
// the caller owns the bytes and sends them.
//
//   Range        = ranges-specifier
//   ranges-specifier = range-unit "=" range-set        ; only "bytes" is understood
//   range-set    = 1#range-spec
//   range-spec   = int-range / suffix-range
//   int-range    = first-pos "-" [ last-pos ]          ; last-pos < first-pos is invalid
//   suffix-range = "-" suffix-length
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lacquer::http {

// Inclusive, already resolved against a length: first <= last < length.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t size() const noexcept { return last - first + 1; }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

enum class RangeOutcome : std::uint8_t {
  Ignore,         // serve 200 with the full representation
  Satisfiable,    // serve 206 with `ranges`
  Unsatisfiable,  // serve 416 with Content-Range: bytes */length
};

struct RangeSet {
  RangeOutcome outcome = RangeOutcome::Ignore;
  std::vector<ByteRange> ranges;  // non-empty exactly when Satisfiable
};

// Resolves a Range field value against a representation of `length` bytes.
// Ignore: not the "bytes" unit, syntactically invalid (§14.2 lets a server ignore it), or more
// than max_ranges range-specs. Unsatisfiable: valid, but no range-spec selects a byte (§14.1.1),
// e.g. "bytes=0-" when length is 0, or a first-pos too large for 64 bits. Satisfiable: ranges
// clipped to the length, overlapping or adjacent ones coalesced into the earliest of them
// (§14.3 allows it; it defeats range amplification), otherwise in order of appearance.
// A zero-length representation with a non-zero suffix-range is satisfiable per §14.1.1, but no
// 206 can carry an empty range: that case is Ignore (a 200 with the same, empty, body).
// OWS is allowed around the commas (and empty list members are skipped, §5.6.1), nowhere else.
RangeSet resolve_range(std::string_view value, std::uint64_t length,
                       std::size_t max_ranges = 16) noexcept;

// Content-Range value of a 206 (§14.4): appends "bytes F-L/LEN".
void append_content_range(std::string& out, ByteRange r, std::uint64_t length);
// Content-Range value of a 416: appends "bytes */LEN".
void append_unsatisfied_range(std::string& out, std::uint64_t length);

// A multipart/byteranges body (§14.6), as the parts around the caller's bytes: send
// Content-Type: content_type and Content-Length: body_length, then for each i part_heads[i]
// followed by the bytes of ranges[i], then closing. The CRLF that ends a part's bytes belongs
// to the next delimiter (RFC 2046 §5.1.1), so part_heads[0] is the only head without it.
struct MultipartPlan {
  std::string content_type;  // "multipart/byteranges; boundary=..."
  std::vector<std::string> part_heads;
  std::string closing;
  std::uint64_t body_length = 0;  // sum of heads, range sizes and closing
};
// Precondition: `boundary` is 1-70 characters of RFC 2046 bchars without a space (it is written
// unquoted) and does not occur in the representation; every range lies within `length`.
// `part_content_type` may be empty: the parts then carry no Content-Type.
MultipartPlan plan_multipart(std::span<const ByteRange> ranges, std::uint64_t length,
                             std::string_view part_content_type, std::string_view boundary);

// A 32-character boundary made from the caller's random bits (this code has no randomness of
// its own); two different seeds give different boundaries.
std::string make_multipart_boundary(std::uint64_t seed_hi, std::uint64_t seed_lo);

}  // namespace lacquer::http
