#include "cluster/stream_id.h"

#include <charconv>

namespace lacquer::cluster {
namespace {

std::optional<std::uint64_t> parse_u64(std::string_view s) noexcept {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string StreamId::to_string() const { return std::to_string(ms) + "-" + std::to_string(seq); }

std::optional<StreamId> parse_stream_id(std::string_view text) noexcept {
  auto dash = text.find('-');
  auto ms = parse_u64(text.substr(0, dash));
  if (!ms) return std::nullopt;
  if (dash == std::string_view::npos) return StreamId{*ms, 0};
  auto seq = parse_u64(text.substr(dash + 1));
  if (!seq) return std::nullopt;
  return StreamId{*ms, *seq};
}

}  // namespace lacquer::cluster
