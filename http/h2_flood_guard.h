// Frames that make an HTTP/2 server work without moving any request forward, counted per
// connection against allowances that grow with the work the connection does ask for: the
// "flood" family of attacks (CVE-2019-9512 PING, -9513 PRIORITY, -9515 SETTINGS, -9518 empty
// frames; WINDOW_UPDATE likewise). A connection past an allowance gets GOAWAY
// ENHANCE_YOUR_CALM. The allowances are generous for real clients: a browser sends PRIORITY and
// WINDOW_UPDATE frames along with its streams and the data it receives, a keep-alive PING every
// few seconds, SETTINGS once or twice, and an empty DATA frame at most to end a stream.
//
// Pure: it sees frame headers (as nghttp2's on_begin_frame reports them) and counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lacquer::http {

// What ended a connection with ENHANCE_YOUR_CALM. The guard below detects the frame floods; the
// connection itself detects the rest: resets past their allowance (Rapid Reset, MadeYouReset),
// a header list past twice its limit (HPACK bomb, CONTINUATION flood), and nghttp2's queue of
// unanswered SETTINGS/PING acknowledgements overflowing (a client that sends and never reads).
enum class H2Flood : std::uint8_t { None, Priority, WindowUpdate, EmptyData, Settings, Ping, Resets, HeaderList, AckQueue };
inline constexpr std::size_t kH2FloodKinds = 9;

// A metric label: "priority", "window_update", ...
std::string_view flood_label(H2Flood f);

class H2FloodGuard {
 public:
  // Allowances: a base, plus so many per stream the client opened (or per DATA frame we sent).
  static constexpr std::uint64_t kPriorityBase = 100, kPriorityPerStream = 100;
  static constexpr std::uint64_t kWindowUpdateBase = 100, kWindowUpdatePerData = 10, kWindowUpdatePerStream = 10;
  static constexpr std::uint64_t kSettingsBase = 100, kSettingsPerStream = 1;
  static constexpr std::uint64_t kPingBase = 500, kPingPerStream = 10;
  // Empty DATA frames without END_STREAM in a row, with no DATA that carries bytes between them.
  static constexpr std::uint64_t kEmptyDataRun = 10;

  // A frame header from the client: type and flags as on the wire (RFC 9113 §6), length of its
  // payload. Returns the flood it completes, or None.
  H2Flood on_frame(std::uint8_t type, std::uint8_t flags, std::size_t length);
  void on_stream_opened() { ++streams_; }
  void on_data_sent() { ++data_sent_; }

 private:
  std::uint64_t streams_ = 0;
  std::uint64_t data_sent_ = 0;
  std::uint64_t priority_ = 0;
  std::uint64_t window_updates_ = 0;
  std::uint64_t settings_ = 0;
  std::uint64_t pings_ = 0;
  std::uint64_t empty_data_run_ = 0;
};

}  // namespace lacquer::http
