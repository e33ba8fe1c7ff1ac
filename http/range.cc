// Range requests (RFC 9110 §14): parsing and resolving a Range field, Content-Range values and
// the multipart/byteranges layout.
#include "http/range.h"

#include <charconv>

#include "http/message.h"

namespace lacquer::http {

namespace {

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// A 1*DIGIT position. `value` saturates; `digits` (without leading zeros) keeps the exact
// magnitude, so "last-pos < first-pos" is decided correctly even past 2^64.
struct Pos {
  std::uint64_t value = 0;
  bool overflow = false;
  std::string_view digits;
};

bool parse_pos(std::string_view s, Pos& out) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  std::size_t z = 0;
  while (z < s.size() && s[z] == '0') ++z;
  out.digits = s.substr(z);
  out.value = 0;
  out.overflow = false;
  for (char c : out.digits) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (out.value > (UINT64_MAX - d) / 10) {
      out.overflow = true;
      out.value = UINT64_MAX;
      break;
    }
    out.value = out.value * 10 + d;
  }
  return true;
}

bool less(const Pos& a, const Pos& b) noexcept {
  if (a.digits.size() != b.digits.size()) return a.digits.size() < b.digits.size();
  return a.digits < b.digits;
}

bool touches(const ByteRange& a, const ByteRange& b) noexcept {
  // last < length <= UINT64_MAX, so last + 1 cannot wrap.
  return a.first <= b.last + 1 && b.first <= a.last + 1;
}

// Appends r and merges it with every range it overlaps or adjoins; a merged range stays at the
// position of the earliest of its parts.
void add_coalesced(std::vector<ByteRange>& out, ByteRange r) {
  out.push_back(r);
  std::size_t idx = out.size() - 1;
  for (;;) {
    std::size_t j = 0;
    while (j < out.size() && (j == idx || !touches(out[j], out[idx]))) ++j;
    if (j == out.size()) return;
    const std::size_t keep = j < idx ? j : idx, drop = j < idx ? idx : j;
    out[keep] = {out[keep].first < out[drop].first ? out[keep].first : out[drop].first,
                 out[keep].last > out[drop].last ? out[keep].last : out[drop].last};
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(drop));
    idx = keep;
  }
}

void append_u64(std::string& out, std::uint64_t v) {
  char buf[20];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

}  // namespace

RangeSet resolve_range(std::string_view value, std::uint64_t length,
                       std::size_t max_ranges) noexcept {
  RangeSet out;
  value = trim_ows(value);
  const std::size_t eq = value.find('=');
  if (eq == std::string_view::npos || !iequals(value.substr(0, eq), "bytes")) return out;

  std::string_view rest = value.substr(eq + 1);
  std::size_t specs = 0;
  bool empty_suffix_only = false;  // a non-zero suffix-range met a zero-length representation
  bool first_piece = true;
  for (;;) {
    const std::size_t comma = rest.find(',');
    std::string_view piece = rest.substr(0, comma);
    // OWS only next to a comma: "bytes= 0-1" and "bytes=0 -1" stay invalid.
    if (!first_piece)
      while (!piece.empty() && is_ows(piece.front())) piece.remove_prefix(1);
    if (comma != std::string_view::npos)
      while (!piece.empty() && is_ows(piece.back())) piece.remove_suffix(1);
    first_piece = false;

    if (!piece.empty()) {  // empty list members are skipped (RFC 9110 §5.6.1.2)
      if (++specs > max_ranges) return RangeSet{};
      const std::size_t dash = piece.find('-');
      if (dash == std::string_view::npos) return RangeSet{};
      Pos a, b;
      if (dash == 0) {  // suffix-range
        if (!parse_pos(piece.substr(1), b)) return RangeSet{};
        if (b.value == 0) {
          // "-0" selects nothing: an unsatisfiable member (§14.1.1).
        } else if (length == 0) {
          empty_suffix_only = true;
        } else {
          const std::uint64_t n = b.value < length ? b.value : length;
          add_coalesced(out.ranges, {length - n, length - 1});
        }
      } else {  // int-range
        if (!parse_pos(piece.substr(0, dash), a)) return RangeSet{};
        const std::string_view last = piece.substr(dash + 1);
        const bool has_last = !last.empty();
        if (has_last && (!parse_pos(last, b) || less(b, a))) return RangeSet{};
        if (!a.overflow && a.value < length) {
          const std::uint64_t l = (!has_last || b.value >= length) ? length - 1 : b.value;
          add_coalesced(out.ranges, {a.value, l});
        }
        // first-pos beyond the representation (or beyond 2^64): unsatisfiable member.
      }
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (specs == 0) return RangeSet{};  // "bytes=" or "bytes=,": 1#range-spec needs one
  if (!out.ranges.empty()) {
    out.outcome = RangeOutcome::Satisfiable;
  } else if (!empty_suffix_only) {
    out.outcome = RangeOutcome::Unsatisfiable;
  }
  return out;
}

void append_content_range(std::string& out, ByteRange r, std::uint64_t length) {
  out += "bytes ";
  append_u64(out, r.first);
  out += '-';
  append_u64(out, r.last);
  out += '/';
  append_u64(out, length);
}

void append_unsatisfied_range(std::string& out, std::uint64_t length) {
  out += "bytes */";
  append_u64(out, length);
}

MultipartPlan plan_multipart(std::span<const ByteRange> ranges, std::uint64_t length,
                             std::string_view part_content_type, std::string_view boundary) {
  MultipartPlan plan;
  plan.content_type = "multipart/byteranges; boundary=";
  plan.content_type += boundary;
  plan.part_heads.reserve(ranges.size());
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    std::string head;
    head.reserve(boundary.size() + part_content_type.size() + 90);
    if (i > 0) head += "\r\n";
    head += "--";
    head += boundary;
    head += "\r\n";
    if (!part_content_type.empty()) {
      head += "Content-Type: ";
      head += part_content_type;
      head += "\r\n";
    }
    head += "Content-Range: ";
    append_content_range(head, ranges[i], length);
    head += "\r\n\r\n";
    plan.body_length += head.size() + ranges[i].size();
    plan.part_heads.push_back(std::move(head));
  }
  plan.closing = "\r\n--";
  plan.closing += boundary;
  plan.closing += "--\r\n";
  plan.body_length += plan.closing.size();
  return plan;
}

std::string make_multipart_boundary(std::uint64_t seed_hi, std::uint64_t seed_lo) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string b(32, '0');
  for (int i = 0; i < 16; ++i) {
    b[static_cast<std::size_t>(15 - i)] = kHex[(seed_hi >> (4 * i)) & 0xf];
    b[static_cast<std::size_t>(31 - i)] = kHex[(seed_lo >> (4 * i)) & 0xf];
  }
  return b;
}

}  // namespace lacquer::http
