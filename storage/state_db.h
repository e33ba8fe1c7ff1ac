// The RocksDB instance under --state-dir, shared by the purge version table and (later) the
// disk tier, each in its own column family. Opening checks what an operator can get wrong: a
// directory that cannot be created or written, one already used by a running lacquer (RocksDB's
// LOCK file), or one written by an incompatible format version.
//
// Threading: RocksDB calls are thread-safe; none of them may run on an event-loop thread except
// at start-up (open and load), before the loops run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace lacquer::storage {

inline constexpr int kStateFormatVersion = 1;

class StateDb {
 public:
  // Opens (creating if needed) the database. Throws std::runtime_error with a message that names
  // the path, what went wrong and what to do.
  // `disk_budget` caps the entries column family (FIFO compaction drops the oldest files).
  static std::unique_ptr<StateDb> open(const std::string& dir, std::uint64_t disk_budget = 1ull << 30);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  rocksdb::DB* db() const { return db_; }
  rocksdb::ColumnFamilyHandle* purge_cf() const { return purge_cf_; }
  rocksdb::ColumnFamilyHandle* entries_cf() const { return entries_cf_; }
  const std::string& dir() const { return dir_; }

 private:
  StateDb() = default;
  std::string dir_;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* purge_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* entries_cf_ = nullptr;
};

}  // namespace lacquer::storage
