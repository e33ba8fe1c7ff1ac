#include <catch2/catch.hpp>

#include "http/h2_flood_guard.h"

using lacquer::http::H2Flood;
using lacquer::http::H2FloodGuard;

namespace {
constexpr std::uint8_t kData = 0x0, kHeaders = 0x1, kPriority = 0x2, kRst = 0x3, kSettings = 0x4, kPing = 0x6,
                       kWindowUpdate = 0x8;

// Sends `n` frames; returns the index (1-based) of the first that completes a flood, or 0.
std::uint64_t first_flood(H2FloodGuard& g, std::uint64_t n, std::uint8_t type, std::uint8_t flags = 0,
                          std::size_t length = 4) {
  for (std::uint64_t i = 1; i <= n; ++i)
    if (g.on_frame(type, flags, length) != H2Flood::None) return i;
  return 0;
}
}  // namespace

TEST_CASE("PRIORITY frames: a base allowance, more for each stream the client opened") {
  H2FloodGuard g;
  CHECK(first_flood(g, 1000, kPriority) == H2FloodGuard::kPriorityBase + 1);
  H2FloodGuard busy;
  for (int i = 0; i < 3; ++i) busy.on_stream_opened();
  CHECK(first_flood(busy, 1000, kPriority) == H2FloodGuard::kPriorityBase + 3 * H2FloodGuard::kPriorityPerStream + 1);
  CHECK(busy.on_frame(kPriority, 0, 5) == H2Flood::Priority);  // and every one after
}

TEST_CASE("WINDOW_UPDATE frames: allowed along with the DATA we send") {
  H2FloodGuard g;
  CHECK(first_flood(g, H2FloodGuard::kWindowUpdateBase, kWindowUpdate) == 0);
  for (int i = 0; i < 50; ++i) g.on_data_sent();
  CHECK(first_flood(g, 50 * H2FloodGuard::kWindowUpdatePerData, kWindowUpdate) == 0);
  CHECK(g.on_frame(kWindowUpdate, 0, 4) == H2Flood::WindowUpdate);
}

TEST_CASE("empty DATA frames: a run without END_STREAM is a flood; DATA with bytes ends the run") {
  H2FloodGuard g;
  CHECK(first_flood(g, H2FloodGuard::kEmptyDataRun, kData, 0, 0) == 0);
  CHECK(g.on_frame(kData, 0, 100) == H2Flood::None);  // bytes: the run starts again
  CHECK(first_flood(g, H2FloodGuard::kEmptyDataRun, kData, 0, 0) == 0);
  CHECK(g.on_frame(kData, 0x1, 0) == H2Flood::None);  // an empty END_STREAM is how bodies end
  CHECK(first_flood(g, 100, kData, 0, 0) == H2FloodGuard::kEmptyDataRun + 1);
}

TEST_CASE("SETTINGS and PING: acknowledgements are free, requests are counted") {
  H2FloodGuard g;
  CHECK(first_flood(g, 10000, kSettings, 0x1, 0) == 0);
  CHECK(first_flood(g, 10000, kPing, 0x1, 8) == 0);
  CHECK(first_flood(g, 1000, kSettings, 0, 6) == H2FloodGuard::kSettingsBase + 1);
  CHECK(first_flood(g, 1000, kPing, 0, 8) == H2FloodGuard::kPingBase + 1);
}

TEST_CASE("a browser-like connection stays under every allowance") {
  H2FloodGuard g;
  CHECK(g.on_frame(kSettings, 0, 18) == H2Flood::None);
  CHECK(g.on_frame(kWindowUpdate, 0, 4) == H2Flood::None);
  for (int stream = 0; stream < 200; ++stream) {
    g.on_stream_opened();
    CHECK(g.on_frame(kHeaders, 0x5, 40) == H2Flood::None);
    CHECK(g.on_frame(kPriority, 0, 5) == H2Flood::None);
    for (int d = 0; d < 4; ++d) {
      g.on_data_sent();
      CHECK(g.on_frame(kWindowUpdate, 0, 4) == H2Flood::None);
    }
    if (stream % 20 == 0) CHECK(g.on_frame(kPing, 0, 8) == H2Flood::None);
    if (stream % 50 == 0) CHECK(g.on_frame(kRst, 0, 4) == H2Flood::None);
  }
}
