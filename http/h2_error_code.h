// HTTP/2 error codes (RFC 9113 §7) as metric labels: the fourteen the RFC defines, and "other"
// for any code a peer makes up (they are 32-bit and open-ended), so the label set stays fixed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lacquer::http {

inline constexpr std::size_t kH2ErrorLabels = 15;

// 0..13 for the defined codes, 14 ("other") for the rest.
constexpr std::size_t h2_error_index(std::uint32_t code) { return code < kH2ErrorLabels - 1 ? code : kH2ErrorLabels - 1; }

constexpr std::string_view h2_error_label(std::size_t index) {
  constexpr std::string_view kLabels[kH2ErrorLabels] = {
      "no_error",       "protocol_error",   "internal_error",    "flow_control_error", "settings_timeout",
      "stream_closed",  "frame_size_error", "refused_stream",    "cancel",             "compression_error",
      "connect_error",  "enhance_your_calm", "inadequate_security", "http_1_1_required", "other"};
  return index < kH2ErrorLabels ? kLabels[index] : kLabels[kH2ErrorLabels - 1];
}

}  // namespace lacquer::http
