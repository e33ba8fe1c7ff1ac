// The RocksDB instance under --state-dir, shared by the purge version table and (later) the
// disk tier, each in its own column family. Opening checks what an operator can get wrong: a
// directory that cannot be created or written, one already used by a running lacquer (RocksDB's
// LOCK file), or one written by an incompatible format version.
//
// Threading: RocksDB calls are thread-safe; none of them may run on an event-loop thread except
// at start-up (open and load), before the loops run.
//
// The entries column family: FIFO compaction holds the disk budget (when the SST files outgrow
// it, RocksDB deletes the oldest file whole, with no read or rewrite). The compaction filter
// (entry_filter.h) runs on flushes and on the scrubber's rewrites (disk_scrubber.h); FIFO itself
// never runs it. Bloom filters keep a lookup to about one data-block read however many files
// the budget holds (every FIFO file spans the whole key space).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/entry_filter.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace lacquer::storage {

inline constexpr int kStateFormatVersion = 1;

struct StateDbOptions {
  std::uint64_t disk_budget = 1ull << 30;  // caps the entries column family
  EntryFilterConfig filter;                // what its compaction filter drops
};

class StateDb {
 public:
  // Opens (creating if needed) the database. Throws std::runtime_error with a message that names
  // the path, what went wrong and what to do.
  static std::unique_ptr<StateDb> open(const std::string& dir, StateDbOptions options);
  static std::unique_ptr<StateDb> open(const std::string& dir, std::uint64_t disk_budget = 1ull << 30) {
    return open(dir, StateDbOptions{disk_budget, {}});
  }
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  rocksdb::DB* db() const { return db_; }
  rocksdb::ColumnFamilyHandle* purge_cf() const { return purge_cf_; }
  rocksdb::ColumnFamilyHandle* entries_cf() const { return entries_cf_; }
  const std::string& dir() const { return dir_; }
  std::uint64_t disk_budget() const { return disk_budget_; }
  // Shared with the filters RocksDB creates: configuration, drop counters, large-object hook.
  EntryFilterContext& entry_filter() const { return *filter_; }
  // Bytes of table files RocksDB has written for the entries (flushes and rewrites) since open:
  // entries skip the WAL (disk_tier.h), so this is what the disk tier really costs the device.
  std::uint64_t entries_table_bytes_written() const;
  // Entry records (puts and deletes) in the entries memtables, not yet in a table file: what a
  // kill -9 would lose now.
  std::uint64_t entries_unflushed() const;
  // Resident memory of every column family's memtables (entries and purges): outside the memory
  // budget, bounded by the write-buffer sizes, not by the number of objects.
  std::uint64_t memtable_bytes() const;

 private:
  StateDb() = default;
  std::string dir_;
  std::uint64_t disk_budget_ = 0;
  std::shared_ptr<EntryFilterContext> filter_;
  std::shared_ptr<struct TableBytesListener> table_bytes_;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* purge_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* entries_cf_ = nullptr;
};

}  // namespace lacquer::storage
