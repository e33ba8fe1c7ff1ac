#include "cluster/membership.h"

#include <charconv>

namespace lacquer::cluster {

std::string node_value(StreamId position, std::uint64_t now_ms) {
  return position.to_string() + " " + std::to_string(now_ms);
}

std::optional<NodeState> parse_node(std::string_view node, std::string_view value) {
  auto space = value.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto pos = parse_stream_id(value.substr(0, space));
  auto ms_text = value.substr(space + 1);
  std::uint64_t ms = 0;
  auto [end, ec] = std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), ms);
  if (!pos || ec != std::errc() || end != ms_text.data() + ms_text.size() || node.empty()) return std::nullopt;
  return NodeState{std::string(node), *pos, ms};
}

bool is_live(const NodeState& n, std::uint64_t now_ms) noexcept {
  return n.heartbeat_ms + kLiveWindowMs >= now_ms;
}

std::vector<std::string> lagging(const std::vector<NodeState>& nodes, StreamId target, std::uint64_t now_ms) {
  std::vector<std::string> out;
  for (const auto& n : nodes) {
    if (is_live(n, now_ms) && n.position < target) out.push_back(n.node);
  }
  return out;
}

}  // namespace lacquer::cluster
