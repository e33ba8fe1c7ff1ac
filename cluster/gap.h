// Can this node continue reading the stream from its position, or did it miss entries it can
// never read? Pure: the consumer asks Redis (XINFO STREAM, XRANGE pos pos) and passes the
// answers in.
//
// The position is always the ID of an entry that existed when it was recorded (an applied
// event, or the node's own "hello" entry written when it joined or recovered), so:
//   - the stream is gone, or its last generated ID is below the position: Redis lost data
//     (restarted empty, restored an older snapshot) -> Lost;
//   - the position's entry is there: only an XDEL after it (max-deleted > position) can have
//     removed something unread -> Trimmed, else None;
//   - the position's entry is missing from a stream that never lost an entry (entries-added ==
//     length, nothing deleted): this is not the stream the position came from -> Lost;
//   - missing, and nothing was added after it (last generated == position), or it was deleted
//     on its own (the first entry is older and nothing after it was deleted) -> None;
//   - missing because the stream was trimmed past it (first entry newer, or none left): what
//     came between may be lost too -> Trimmed. Conservative: it may be that nothing did.
#pragma once

#include <cstdint>
#include <string_view>

#include "cluster/stream_id.h"

namespace lacquer::cluster {

// From XINFO STREAM (Redis >= 7.0) and XRANGE stream pos pos.
struct StreamState {
  bool exists = false;
  StreamId last_generated;        // last-generated-id
  StreamId max_deleted;           // max-deleted-entry-id (XDEL only; trimming does not set it)
  StreamId first_entry;           // recorded-first-entry-id; 0-0 when empty
  std::uint64_t length = 0;       // length
  std::uint64_t entries_added = 0;  // entries-added: every entry ever added
  bool position_present = false;  // XRANGE returned the position's entry
};

enum class Gap { None, Trimmed, Lost };
std::string_view to_string(Gap g) noexcept;

Gap find_gap(StreamId position, const StreamState& stream) noexcept;

}  // namespace lacquer::cluster
