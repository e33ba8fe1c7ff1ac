// The disk tier: stored responses in RocksDB (column family "entries") under the memory tier.
//
// Threading: nothing here runs on an event loop. One writer thread takes every queued store,
// erase and large-object chunk and commits them in one WriteBatch. Reader threads serve lookups and range
// reads from a queue and report through the callback, on their own thread: the caller hands the
// result back to its loop. The scrubber (disk_scrubber.h) has a thread of its own.
//
// Records (disk_records.h, entry_codec.h) are keyed by a 128-bit hash of the full key text with
// a fixed seed; the record carries the full key, compared on every read, so a hash collision is
// a miss. A record that fails to decode is a miss, is deleted, and is counted.
//
// Budget: FIFO compaction (state_db.h) deletes the oldest file whole when the files outgrow the
// budget; the compaction filter and the scrubber drop what expired or was purged before that.
// Entries are immutable and mostly written once, so age order is close to what a cache wants,
// and eviction costs no read or rewrite.
//
// Durability: entry batches skip the WAL (the purge versions keep theirs, synced). An entry is a
// copy of an origin answer, so writing it twice (log, then table file) bought only that a kill -9
// loses nothing; it halved what the disk tier could write. Now a kill -9 or power cut loses the
// entries still in the memtables (at most 2 write buffers, state_db.h), and a clean stop flushes
// them. The writer also flushes once no write came for `idle_flush_after` (at most once per
// `idle_flush_every`, so a trickle of writes does not make a file per write), so a quiet cache
// loses nothing. Everything in the entries family skips the log, so what survives a crash is a
// prefix of the writes (memtables flush in order): a large object's manifest never outlives its
// chunks. A purged entry cannot come back either way: it was dropped (its write was lost) or it
// is in a table file with the birth sequence it was fetched at, and the purge that covers it is
// in the synced purge log; every read judges it against that (purge/entry_verdict.h).
//
// Write errors (disk full, I/O errors): the batch is lost (those responses stay in memory and
// can be refetched), the tier is marked not writable, and stderr gets one line naming the state
// directory at most once a minute, until a write works again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "storage/disk_admission.h"
#include "storage/disk_records.h"
#include "storage/disk_scrubber.h"
#include "storage/entry.h"
#include "storage/large_object.h"

namespace rocksdb {
class WriteBatch;
}

namespace lacquer::storage {

class StateDb;

struct DiskStats {
  std::atomic<std::uint64_t> lookups{0};
  std::atomic<std::uint64_t> hits{0};
  std::atomic<std::uint64_t> misses{0};
  std::atomic<std::uint64_t> writes{0};          // entries written
  std::atomic<std::uint64_t> write_bytes{0};
  std::atomic<std::uint64_t> write_batches{0};
  std::atomic<std::uint64_t> write_failures{0};  // entries not written (write error or queue full)
  std::atomic<std::uint64_t> write_errors{0};    // RocksDB writes that failed (disk full, I/O)
  std::atomic<std::uint64_t> erases{0};
  std::atomic<std::uint64_t> corrupt{0};         // records or chunks that failed their checksum
  std::atomic<std::uint64_t> queue_depth{0};     // writes waiting
  std::atomic<bool> writable{true};              // false from a failed write until one works
  std::atomic<std::uint64_t> large_commits{0};
  std::atomic<std::uint64_t> large_aborts{0};    // aborted, or not published after a failed chunk
  std::atomic<std::uint64_t> large_bytes{0};     // chunk bytes written
  std::atomic<std::uint64_t> large_reads{0};     // range reads
  std::atomic<std::uint64_t> large_read_failures{0};  // range reads answered nullopt
  std::atomic<std::uint64_t> chunk_deletes{0};   // chunks deleted with their object
  std::atomic<std::uint64_t> idle_flushes{0};    // memtable flushes the writer asked for when idle
};

struct DiskTierOptions {
  std::size_t reader_threads = 2;
  std::size_t max_queue = 10000;           // queued stores; more are dropped (and counted)
  std::uint32_t chunk_bytes = kDefaultChunkBytes;
  ScrubOptions scrub;                      // scrub.interval zero: no scrubber thread
  DiskAdmissionOptions admission;          // its disk_budget is the state's (set by the tier)
  // Flush the memtable once no write came for this long (entries skip the WAL: see above) ...
  std::chrono::milliseconds idle_flush_after{2000};
  // ... at most this often: each flush makes one table file, and every file costs a filter probe.
  std::chrono::milliseconds idle_flush_every{std::chrono::minutes(5)};
};

struct LargeSink;

class DiskTier {
 public:
  using LookupDone = std::function<void(EntryRef)>;  // empty ref = miss; runs on a reader thread
  using RangeDone = std::function<void(std::optional<std::string>)>;  // runs on a reader thread

  explicit DiskTier(StateDb& db, DiskTierOptions options = {});
  DiskTier(StateDb& db, std::size_t reader_threads, std::size_t max_queue = 10000)
      : DiskTier(db, options_with(reader_threads, max_queue)) {}
  ~DiskTier();  // writes what is queued, then stops its threads
  DiskTier(const DiskTier&) = delete;
  DiskTier& operator=(const DiskTier&) = delete;

  void lookup(std::string key_text, std::uint64_t index_hash, LookupDone done);
  // Whether a response fetched from the origin should be written here (disk_admission.h); counts
  // the fetch. Call once per stored response, before store().
  bool admit(const Entry& entry);
  // Queues the entry for writing (dropped, and counted, when the queue is full).
  void store(EntryRef entry);
  void erase(const std::string& key_text);

  // Large objects (large_object.h). The writer must not outlive this tier's use by its caller;
  // if it does, its later calls do nothing.
  std::unique_ptr<LargeObjectWriter> begin_large(std::string key_text);
  // Bytes [offset, offset + len) of the body of the large object stored under `key_text`
  // (clamped to its length; nullopt when there is none, offset is past the end, or a chunk is
  // missing or fails its checksum: then the object is erased). Reads only the chunks the range
  // covers; keep `len` to a chunk or a few, and read a long body window by window.
  void read_large_range(std::string key_text, std::uint64_t offset, std::uint64_t len, RangeDone done);
  // The same, pinned to the version `entry` (a lookup's result) describes: nullopt when the
  // object was replaced meanwhile, so a body is never stitched from two versions.
  void read_large_range(const Entry& entry, std::uint64_t offset, std::uint64_t len, RangeDone done);

  // Approximate bytes and objects on disk (RocksDB estimates).
  std::uint64_t estimated_bytes() const;
  std::uint64_t estimated_objects() const;
  const DiskStats& stats() const { return stats_; }
  const DiskAdmission& admission() const { return *admission_; }
  const DiskScrubber& scrubber() const { return *scrubber_; }
  DiskScrubber& scrubber() { return *scrubber_; }

  // Test hooks: every later write fails as if the disk were full; the writer thread waits
  // (a disk that cannot keep up).
  void fail_writes_for_testing(bool fail) { fail_for_testing_.store(fail); }
  void hold_writes_for_testing(bool hold);
  // Test hook: returns once nothing is queued or being written (or writes are held).
  void wait_idle_for_testing();

  // Synchronous reads for tests and tools (not for loop threads).
  EntryRef read_now(const std::string& key_text, std::uint64_t index_hash);
  std::optional<std::string> read_range_now(const std::string& key_text, std::uint64_t generation,
                                            std::uint64_t offset, std::uint64_t len);

 private:
  friend class LargeObjectWriter;
  static DiskTierOptions options_with(std::size_t reader_threads, std::size_t max_queue) {
    DiskTierOptions o;
    o.reader_threads = reader_threads;
    o.max_queue = max_queue;
    return o;
  }
  struct Write {
    enum class Kind : std::uint8_t { Put, Erase, Chunk, Commit, Abort, DropChunks };
    Kind kind = Kind::Put;
    std::string key;                          // disk key
    EntryRef entry;                           // Put; Commit: the manifest
    std::string chunk;                        // Chunk; Commit: the last chunk (may be empty)
    std::uint64_t generation = 0;             // Chunk, Commit, Abort, DropChunks
    std::uint32_t index = 0;                  // Chunk: its index; the others: the chunk count
    std::shared_ptr<LargeWriteState> large;   // Chunk, Commit, Abort
  };
  struct Read {
    std::string key_text;
    std::uint64_t index_hash = 0;
    LookupDone done;                          // a lookup, or
    RangeDone range_done;                     // a range read of
    std::uint64_t generation = 0, offset = 0, len = 0;  // (generation 0: the current version)
  };
  struct BatchState;  // disk_tier.cc
  void enqueue(Write w);
  void enqueue_read(Read r);
  void writer_loop();
  void reader_loop();
  // Writer thread: adds `w` to the batch; `latest` follows each key's manifest through the batch.
  void add_to_batch(Write& w, rocksdb::WriteBatch& wb, BatchState& bs);
  std::optional<LargeDescriptor> current_large(const std::string& key, BatchState& bs);
  void delete_chunks(rocksdb::WriteBatch& wb, std::string_view key, std::uint64_t generation, std::uint32_t chunks,
                     BatchState& bs);
  void note_write(bool ok, const std::string& what);
  void remember_large(const std::string& key, bool large);

  StateDb& db_;
  DiskTierOptions options_;
  DiskStats stats_;
  std::mutex write_mu_;
  std::condition_variable write_cv_;
  std::condition_variable idle_cv_;  // a batch finished (wait_idle_for_testing)
  bool writing_ = false;             // a batch is being written (guarded by write_mu_)
  std::deque<Write> writes_;
  std::size_t queued_puts_ = 0;
  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::deque<Read> reads_;
  bool stopping_ = false;
  bool held_for_testing_ = false;
  std::atomic<bool> fail_for_testing_{false};
  std::atomic<std::uint64_t> next_generation_;
  std::shared_ptr<LargeSink> sink_;
  std::mutex large_mu_;
  std::unordered_set<std::string> large_keys_;  // disk keys known to hold a large manifest
  // writer thread only
  std::chrono::steady_clock::time_point last_error_log_{};
  std::chrono::steady_clock::time_point last_resume_{};
  std::uint64_t errors_since_log_ = 0;
  bool outage_reported_ = false;
  bool unflushed_ = false;  // entries were written since the last idle flush
  std::chrono::steady_clock::time_point last_idle_flush_{};
  std::thread writer_;
  std::vector<std::thread> readers_;
  std::unique_ptr<DiskScrubber> scrubber_;
  std::unique_ptr<DiskAdmission> admission_;
};

// How a LargeObjectWriter reaches its tier: cleared when the tier stops, so a writer that
// outlives it does nothing instead of touching freed memory.
struct LargeSink {
  std::mutex mu;
  DiskTier* tier = nullptr;
};

}  // namespace lacquer::storage
