// The scrubber: gets the compaction filter (entry_filter.h) to run over the old files of the
// entries column family.
//
// FIFO compaction holds the budget by deleting the oldest file whole and never rewrites one, so
// without this a record that expired or was purged would keep its space until its whole file
// aged out, pushing valid records out first. The scrubber rewrites one file at a time through
// the filter (CompactFiles into level 0: the output keeps the input's sequence numbers, so it
// keeps its place in the FIFO order and its valid records are not made "younger"). It picks
// from the files' summaries (entry_properties.h), never reading a file to decide:
//   1. the file with the largest expired share, if that is at least min_expired_share;
//   2. else the oldest file written before the newest purge whose records may be covered by it
//      (born before it), if it was written at least purge_rescrub_s ago: a steady stream of
//      purges rewrites each file at most once per period.
// One file per pass and a pass per interval bound the extra writes (64 MiB files every 30 s at
// most: about 2 MB/s, usually nothing).
//
// Threading: its own thread, which only blocks on RocksDB. scrub_once / scrub_all run on the
// caller's thread (tests, tools), never on an event loop.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "storage/entry_properties.h"

namespace lacquer::storage {

class StateDb;

struct ScrubOptions {
  std::chrono::milliseconds interval{30000};  // zero: no thread (scrub_once/scrub_all only)
  double min_expired_share = 0.25;
  std::int64_t purge_rescrub_s = 600;
};

// One SST file as the scrubber sees it.
struct ScrubCandidate {
  std::string name;                  // relative file name, "000123.sst"
  std::uint64_t size = 0;
  std::int64_t written_at = 0;       // file creation time (epoch seconds): flush or last rewrite
  std::uint64_t smallest_seqno = 0;  // FIFO order: smaller is older
  bool being_compacted = false;
  std::optional<FileSummary> summary;  // none: written before summaries existed
};

enum class ScrubReason : std::uint8_t { None, Expired, Purged };
struct ScrubChoice {
  ScrubReason reason = ScrubReason::None;
  std::size_t index = 0;  // into the candidates
};

// Which file to rewrite now. Pure, so the policy is tested with made-up files.
ScrubChoice choose_scrub(std::span<const ScrubCandidate> files, std::int64_t now, std::int64_t keep_expired_s,
                         std::uint64_t purge_seq, const ScrubOptions& options);

struct ScrubStats {
  std::atomic<std::uint64_t> passes{0};
  std::atomic<std::uint64_t> rewrites{0};   // files rewritten through the filter
  std::atomic<std::uint64_t> bytes_in{0};   // their size before
  std::atomic<std::uint64_t> bytes_out{0};  // and after
  std::atomic<std::uint64_t> errors{0};     // rewrites RocksDB refused or failed (retried later)
};

class DiskScrubber {
 public:
  DiskScrubber(StateDb& db, ScrubOptions options);
  ~DiskScrubber();  // stops the thread (waits for a rewrite in progress)
  DiskScrubber(const DiskScrubber&) = delete;
  DiskScrubber& operator=(const DiskScrubber&) = delete;

  // One pass: rewrites the chosen file, if any. True when a file was rewritten.
  bool scrub_once();
  // Rewrites every file through the filter, one at a time, oldest first. Returns how many.
  std::size_t scrub_all();
  const ScrubStats& stats() const { return stats_; }

 private:
  std::vector<ScrubCandidate> candidates() const;
  bool rewrite(const ScrubCandidate& file);
  void run();

  StateDb& db_;
  ScrubOptions options_;
  ScrubStats stats_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lacquer::storage
