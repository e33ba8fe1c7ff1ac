// Range resolution and multipart plans. Input: 8 bytes of representation length (little
// endian), one flag byte (bits 0-4: max_ranges - 1; bit 7: keep only the low 16 bits of the
// length, so small lengths are common), then the Range field value.
// Invariants: ranges exist exactly when Satisfiable, lie inside [0, length) with first <= last,
// never overlap or touch after coalescing, and number at most max_ranges; a result that is not
// Ignore is the same with a larger max_ranges; a plan's body_length is the sum of its parts.
#include <string>

#include "http/fuzz/fuzz_common.h"
#include "http/range.h"

using namespace lacquer::http;

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  if (size < 9) return 0;
  std::uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | data[i];
  if (data[8] & 0x80) length &= 0xffff;
  const std::size_t max_ranges = 1 + (data[8] & 31);
  const std::string_view value(reinterpret_cast<const char*>(data + 9), size - 9);

  const RangeSet s = resolve_range(value, length, max_ranges);
  FUZZ_CHECK((s.outcome == RangeOutcome::Satisfiable) == !s.ranges.empty());
  FUZZ_CHECK(s.ranges.size() <= max_ranges);
  std::uint64_t covered = 0;
  for (std::size_t i = 0; i < s.ranges.size(); ++i) {
    const ByteRange& a = s.ranges[i];
    FUZZ_CHECK(a.first <= a.last && a.last < length);
    covered += a.size();
    for (std::size_t j = i + 1; j < s.ranges.size(); ++j) {
      const ByteRange& b = s.ranges[j];
      FUZZ_CHECK(a.last + 1 < b.first || b.last + 1 < a.first);
    }
  }
  FUZZ_CHECK(covered <= length);

  if (s.outcome != RangeOutcome::Ignore) {
    const RangeSet wide = resolve_range(value, length, 1000);
    FUZZ_CHECK(wide.outcome == s.outcome && wide.ranges == s.ranges);
  }

  std::string text;
  if (s.outcome == RangeOutcome::Unsatisfiable) {
    append_unsatisfied_range(text, length);
    FUZZ_CHECK(text.starts_with("bytes */"));
  }
  if (s.outcome != RangeOutcome::Satisfiable) return 0;

  append_content_range(text, s.ranges.front(), length);
  FUZZ_CHECK(text.starts_with("bytes ") && text.size() <= 6 + 3 * 20 + 2);
  const MultipartPlan plan = plan_multipart(s.ranges, length, (data[8] & 64) ? "" : "text/plain",
                                            make_multipart_boundary(length, s.ranges.size()));
  FUZZ_CHECK(plan.part_heads.size() == s.ranges.size());
  std::uint64_t total = plan.closing.size();
  for (std::size_t i = 0; i < s.ranges.size(); ++i) {
    FUZZ_CHECK(plan.part_heads[i].ends_with("\r\n\r\n"));
    total += plan.part_heads[i].size() + s.ranges[i].size();
  }
  FUZZ_CHECK(total == plan.body_length);
  return 0;
}
