// Who is in the cluster and how far each node has applied the stream. Every node writes one
// field of the hash "<stream>:nodes": field = node id, value = "<applied stream id> <unix ms>"
// (its heartbeat). Pure: the hash's contents and the time are passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/stream_id.h"

namespace lacquer::cluster {

inline constexpr std::uint64_t kHeartbeatMs = 1000;
inline constexpr std::uint64_t kLiveWindowMs = 3 * kHeartbeatMs;  // no heartbeat this long: down

struct NodeState {
  std::string node;
  StreamId position;
  std::uint64_t heartbeat_ms = 0;
};

std::string node_value(StreamId position, std::uint64_t now_ms);
std::optional<NodeState> parse_node(std::string_view node, std::string_view value);

bool is_live(const NodeState& n, std::uint64_t now_ms) noexcept;

// Live nodes that have not applied `target` yet, by name.
std::vector<std::string> lagging(const std::vector<NodeState>& nodes, StreamId target, std::uint64_t now_ms);

}  // namespace lacquer::cluster
