// Can this node continue reading the stream from its position, or did it miss entries it can
// never read? Pure: the consumer asks Redis (XINFO STREAM, XRANGE pos pos) and passes the
// answers in.
//
// The position is always the ID of an entry that existed when it was recorded (an applied
// event, or the node's own "hello" entry written when it joined or recovered), so:
//   - the stream is gone, or its last generated ID is below the position: Redis lost data
//     (restarted empty, restored an older snapshot) -> Lost;
//   - entries above the position were deleted (max-deleted-entry-id > position): trimmed
//     before this node read them -> Trimmed;
//   - the position's own entry is missing, yet it was not deleted (max-deleted < position):
//     this is not the stream the position came from -> Lost.
// A position deleted by trimming exactly (max-deleted == position) is fine: nothing after it
// was lost.
#pragma once

#include <string_view>

#include "cluster/stream_id.h"

namespace lacquer::cluster {

struct StreamState {
  bool exists = false;
  StreamId last_generated;   // XINFO STREAM last-generated-id
  StreamId max_deleted;      // XINFO STREAM max-deleted-entry-id (Redis >= 7.0)
  bool position_present = false;  // XRANGE stream pos pos returned the entry
};

enum class Gap { None, Trimmed, Lost };
std::string_view to_string(Gap g) noexcept;

Gap find_gap(StreamId position, const StreamState& stream) noexcept;

}  // namespace lacquer::cluster
