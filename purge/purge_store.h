// Durable purges: every purge is written to the "purge" column family with sync=true before it
// is acknowledged. One writer thread does the writing: it takes every purge queued since its
// last write and commits them in one synced WriteBatch (group commit), so a storm of purges
// costs one fsync per batch, not one per purge, and no event loop ever blocks on the disk.
//
// Record layout (column family "purge"):
//   key   = scope (1 byte) | scope key (8 bytes, big-endian)
//   value = hard seq (8 bytes, big-endian) | soft seq (8 bytes, big-endian)
// plus key "\xff" "seq" = the highest sequence number issued, so the counter never goes back
// (written with every batch, and at start-up after the restart gap: see load()).
// Other modules may add side records (keys starting "\xfc".."\xfe", skipped by load()) that
// must commit in the same batch as a purge: the cluster outbox entry and stream position.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "purge/version_table.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace lacquer::purge {

// A raw key/value written in the same batch as the purges it travels with. Keys must start
// with a byte in 0xfc..0xfe (the purge records' scope byte is 0..3, the counter's 0xff).
struct SideWrite {
  std::string key;
  std::string value;
};

class PurgeStore {
 public:
  using Done = std::function<void(bool durable)>;  // runs on the writer thread

  PurgeStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const VersionTable& table);
  ~PurgeStore();  // writes what is queued, then stops
  PurgeStore(const PurgeStore&) = delete;
  PurgeStore& operator=(const PurgeStore&) = delete;

  // Reads every persisted purge into `table` (start-up, before the loops run). Returns the
  // number of scopes restored; throws std::runtime_error on a read or write error.
  //
  // When the store has run before, the counter then jumps kRestartGap past the persisted one
  // (and the jump is synced before load returns). A purge applied in memory whose synced write
  // had not finished when the process died was never acknowledged, but it did hand out its
  // number: entries whose requests were sent after it were born with it, and may sit on disk.
  // Restarting from the persisted counter would hand that number out again, and the new purge
  // (which is acknowledged) would not reach those entries, whose birth is not below it.
  static std::size_t load(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, VersionTable& table);
  // More than any run can apply between two synced counter writes; 2^32 leaves room for 2^31
  // restarts below 2^63.
  static constexpr std::uint64_t kRestartGap = std::uint64_t{1} << 32;

  // Queues the record's scope for a synced write; `done` reports the outcome.
  void persist(const PurgeRecord& record, Done done);
  // Queues several records and side writes as one unit: they land in the same synced batch.
  void persist(std::vector<PurgeRecord> records, std::vector<SideWrite> side, Done done);
  // Called on the writer thread after each batch that carried side writes committed.
  void set_after_commit(std::function<void()> fn) { after_commit_ = std::move(fn); }

  std::uint64_t batches() const { return batches_.load(std::memory_order_relaxed); }
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }
  // Test hook: make every later write fail as if the disk were full.
  void fail_writes_for_testing(bool fail) { fail_for_testing_.store(fail); }

 private:
  struct Pending {
    std::vector<PurgeRecord> records;
    std::vector<SideWrite> side;
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
  std::function<void()> after_commit_;  // set before the first persist
  std::thread thread_;
};

}  // namespace lacquer::purge
