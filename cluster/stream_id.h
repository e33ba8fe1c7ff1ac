// Redis Stream entry IDs ("<milliseconds>-<sequence>"), parsed and compared as numbers.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lacquer::cluster {

struct StreamId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;

  bool is_zero() const noexcept { return ms == 0 && seq == 0; }
  std::string to_string() const;  // "1700000000000-3"
  auto operator<=>(const StreamId&) const = default;
};

// "1700000000000-3" or "1700000000000" (sequence 0). Anything else: nullopt.
std::optional<StreamId> parse_stream_id(std::string_view text) noexcept;

}  // namespace lacquer::cluster
