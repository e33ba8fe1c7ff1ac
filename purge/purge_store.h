// Durable purges: every purge is written to the "purge" column family with sync=true before it
// is acknowledged. One writer thread does the writing: it takes every purge queued since its
// last write and commits them in one synced WriteBatch (group commit), so a storm of purges
// costs one fsync per batch, not one per purge, and no event loop ever blocks on the disk.
//
// Record layout (column family "purge"):
//   key   = scope (1 byte) | scope key (8 bytes, big-endian)
//   value = hard seq (8 bytes, big-endian) | soft seq (8 bytes, big-endian)
// plus key "\xff" "seq" = the highest sequence number issued, so the counter never goes back.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "purge/version_table.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace lacquer::purge {

class PurgeStore {
 public:
  using Done = std::function<void(bool durable)>;  // runs on the writer thread

  PurgeStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const VersionTable& table);
  ~PurgeStore();  // writes what is queued, then stops
  PurgeStore(const PurgeStore&) = delete;
  PurgeStore& operator=(const PurgeStore&) = delete;

  // Reads every persisted purge into `table` (start-up, before the loops run). Returns the
  // number of scopes restored; throws std::runtime_error on a read error.
  static std::size_t load(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, VersionTable& table);

  // Queues the record's scope for a synced write; `done` reports the outcome.
  void persist(const PurgeRecord& record, Done done);

  std::uint64_t batches() const { return batches_.load(std::memory_order_relaxed); }
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }
  // Test hook: make every later write fail as if the disk were full.
  void fail_writes_for_testing(bool fail) { fail_for_testing_.store(fail); }

 private:
  struct Pending {
    PurgeRecord record;
    Done done;
  };
  void run();

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  const VersionTable& table_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<bool> fail_for_testing_{false};
  std::thread thread_;
};

}  // namespace lacquer::purge
