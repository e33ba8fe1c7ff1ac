// What cluster/ keeps in the purge column family, next to the version records (see
// purge/purge_store.h), so that it commits in the same synced batch as the purges:
//
//   "\xfc" "outbox" | seq (8 bytes, big-endian)  -> encoded event fields, one per local purge
//                                                   not yet appended to the stream; seq is the
//                                                   purge's sequence number, so key order is
//                                                   the order the purges were applied
//   "\xfd" "position"                              -> "ms-seq": the last stream entry applied
//
// Field encoding: for each field, name length (4 bytes BE), name, value length (4 bytes BE),
// value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cluster/stream_id.h"
#include "purge/purge_store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace lacquer::cluster {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct OutboxEntry {
  std::uint64_t seq = 0;
  Fields fields;
};

purge::SideWrite outbox_write(std::uint64_t seq, const Fields& fields);
purge::SideWrite position_write(StreamId position);

std::string encode_fields(const Fields& fields);
std::optional<Fields> decode_fields(std::string_view data);

// The purge column family, as cluster/ reads and trims it. Thread-safe (RocksDB is).
class RecordStore {
 public:
  RecordStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) : db_(db), cf_(cf) {}
  // Up to `limit` outbox entries, oldest first. An undecodable entry is returned with no fields.
  std::vector<OutboxEntry> outbox(std::size_t limit) const;
  std::size_t outbox_size() const;
  // Deletes published entries (WAL, not synced: a crash at worst publishes them again).
  bool erase(const std::vector<std::uint64_t>& seqs);
  std::optional<StreamId> position() const;

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
};

}  // namespace lacquer::cluster
