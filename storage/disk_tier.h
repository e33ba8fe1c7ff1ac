// The disk tier: stored responses in RocksDB (column family "entries") under the memory tier.
//
// Threading: nothing here runs on an event loop. One writer thread takes every queued store
// and erase and commits them in one WriteBatch (WAL on, not synced: an entry lost in a power
// cut is only a miss, unlike a purge). Reader threads serve lookups from a queue and report
// through the callback, on their own thread: the caller hands the result back to its loop.
//
// Records (entry_codec.h) are keyed by a 128-bit hash of the full key text with a fixed seed;
// the record carries the full key, compared on every read, so a hash collision is a miss. A
// record that fails to decode is a miss, is deleted, and is counted.
//
// Budget: FIFO compaction over the column family, capped at the configured bytes: when the
// SST files outgrow the budget, RocksDB drops the oldest file whole. Entries are immutable and
// mostly written once, so age order is close to what a cache wants, and it costs no read I/O.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/entry.h"

namespace lacquer::storage {

class StateDb;

struct DiskStats {
  std::atomic<std::uint64_t> lookups{0};
  std::atomic<std::uint64_t> hits{0};
  std::atomic<std::uint64_t> misses{0};
  std::atomic<std::uint64_t> writes{0};          // entries written
  std::atomic<std::uint64_t> write_bytes{0};
  std::atomic<std::uint64_t> write_batches{0};
  std::atomic<std::uint64_t> write_failures{0};  // entries whose batch failed (disk full, I/O)
  std::atomic<std::uint64_t> erases{0};
  std::atomic<std::uint64_t> corrupt{0};         // records that failed to decode (deleted)
  std::atomic<std::uint64_t> queue_depth{0};     // writes waiting
  std::atomic<bool> write_error{false};          // the last batch failed
};

class DiskTier {
 public:
  using LookupDone = std::function<void(EntryRef)>;  // empty ref = miss; runs on a reader thread

  DiskTier(StateDb& db, std::size_t reader_threads = 2, std::size_t max_queue = 10000);
  ~DiskTier();  // writes what is queued, then stops its threads
  DiskTier(const DiskTier&) = delete;
  DiskTier& operator=(const DiskTier&) = delete;

  void lookup(std::string key_text, std::uint64_t index_hash, LookupDone done);
  // Queues the entry for writing (dropped, and counted, when the queue is full).
  void store(EntryRef entry);
  void erase(const std::string& key_text);

  // Approximate bytes and objects on disk (RocksDB estimates).
  std::uint64_t estimated_bytes() const;
  std::uint64_t estimated_objects() const;
  const DiskStats& stats() const { return stats_; }

  // Test hook: every later write fails as if the disk were full.
  void fail_writes_for_testing(bool fail) { fail_for_testing_.store(fail); }

  // Synchronous read for tests and tools (not for loop threads).
  EntryRef read_now(const std::string& key_text, std::uint64_t index_hash);

 private:
  struct Write {
    std::string key;   // disk key
    EntryRef entry;    // empty = erase
  };
  struct Read {
    std::string key_text;
    std::uint64_t index_hash;
    LookupDone done;
  };
  void writer_loop();
  void reader_loop();

  StateDb& db_;
  std::size_t max_queue_;
  DiskStats stats_;
  std::mutex write_mu_;
  std::condition_variable write_cv_;
  std::deque<Write> writes_;
  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::deque<Read> reads_;
  bool stopping_ = false;
  std::atomic<bool> fail_for_testing_{false};
  std::thread writer_;
  std::vector<std::thread> readers_;
};

// Disk key of a cache key text: 16 bytes of XXH3-128 with a fixed seed (persisted format).
std::string disk_key(std::string_view key_text);

}  // namespace lacquer::storage
