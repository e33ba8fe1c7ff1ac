#include <catch2/catch.hpp>

#include "cluster/gap.h"

using namespace lacquer::cluster;

namespace {
StreamState healthy() {
  StreamState s;
  s.exists = true;
  s.last_generated = {200, 0};
  s.first_entry = {50, 0};
  s.length = 10;
  s.entries_added = 30;  // 20 trimmed long ago
  s.position_present = true;
  return s;
}
}  // namespace

TEST_CASE("a position still in the stream continues", "[cluster][gap]") {
  CHECK(find_gap({100, 0}, healthy()) == Gap::None);
}

TEST_CASE("a stream that is gone or went backwards was lost", "[cluster][gap]") {
  auto s = healthy();
  s.exists = false;
  CHECK(find_gap({100, 0}, s) == Gap::Lost);
  s = healthy();
  s.last_generated = {90, 0};
  CHECK(find_gap({100, 0}, s) == Gap::Lost);
}

TEST_CASE("Redis restarted empty and refilled with newer ids: lost, not trimmed", "[cluster][gap]") {
  StreamState s;
  s.exists = true;
  s.last_generated = {500, 0};
  s.first_entry = {400, 0};
  s.length = 3;
  s.entries_added = 3;
  s.position_present = false;
  CHECK(find_gap({100, 0}, s) == Gap::Lost);
}

TEST_CASE("a position trimmed away with newer entries after it: trimmed", "[cluster][gap]") {
  auto s = healthy();
  s.position_present = false;
  s.first_entry = {150, 0};
  CHECK(find_gap({100, 0}, s) == Gap::Trimmed);
  s.length = 0;  // everything trimmed (age trimming of an idle stream)
  s.first_entry = {};
  CHECK(find_gap({100, 0}, s) == Gap::Trimmed);
}

TEST_CASE("a missing position with nothing after it, or deleted on its own, is no gap", "[cluster][gap]") {
  auto s = healthy();
  s.position_present = false;
  s.last_generated = {100, 0};
  s.first_entry = {};
  s.length = 0;
  CHECK(find_gap({100, 0}, s) == Gap::None);
  s = healthy();
  s.position_present = false;
  s.max_deleted = {100, 0};  // XDEL of exactly our entry
  CHECK(find_gap({100, 0}, s) == Gap::None);
}

TEST_CASE("an unread entry deleted after the position is a gap", "[cluster][gap]") {
  auto s = healthy();
  s.max_deleted = {150, 0};
  CHECK(find_gap({100, 0}, s) == Gap::Trimmed);
}
