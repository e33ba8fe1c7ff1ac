// Which stored responses the disk tier takes. Writing every response fetched from the origin to
// disk (what lacquer did first) spends the disk's write bandwidth and its FIFO budget on objects
// requested once: each write pushes an older file out of the budget, and most of what is written
// is never read back. The rule here:
//
//   - while the disk tier has not yet filled its budget once (90 % of it, as the tier reports
//     what is really on disk: compressed, after FIFO deletions), everything goes to disk: a
//     write then evicts nothing, and it keeps a restart warm;
//   - once it has, a response goes to disk only on its second origin fetch within the recent
//     window (a count-min sketch of fetches with periodic halving, as in TinyLFU). A fetch is a
//     memory miss, so a key fetched twice was requested, evicted from memory, and requested
//     again: exactly the objects a disk tier can serve. One-off objects never reach the disk.
//
// Vary markers are always admitted (tiny, and a variant on disk is unreachable without one).
//
// Pure: no clock, no I/O. Thread-safe: one mutex, held for a few counter updates; called once
// per origin fetch that stores a response, never on a hit.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "storage/frequency_sketch.h"

namespace lacquer::storage {

struct DiskAdmissionOptions {
  std::uint64_t disk_budget = 1ull << 30;  // until the disk has held 90 % of it once, admit everything
  std::uint64_t counters = 1u << 16;       // sketch width per row (rounded up to a power of two)
  std::uint32_t min_fetches = 2;           // fetches within the window before the disk takes it
  bool admit_all = false;                  // true: every response goes to disk (no filtering)
};

struct DiskAdmissionStats {
  std::atomic<std::uint64_t> admitted{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> rejected_bytes{0};
};

class DiskAdmission {
 public:
  // `bytes_on_disk`: what the tier already holds (after a restart a full disk stays full).
  DiskAdmission(const DiskAdmissionOptions& options, std::uint64_t bytes_on_disk);
  // What the disk tier holds now (its owner reports it after writes). Once that reaches 90 % of
  // the budget the disk counts as filled, for good: FIFO keeps a filled disk full.
  void note_disk_bytes(std::uint64_t bytes_on_disk);
  DiskAdmission(const DiskAdmission&) = delete;
  DiskAdmission& operator=(const DiskAdmission&) = delete;

  // Counts one origin fetch of the response under `key_hash` (`bytes` long, as written) and says
  // whether the disk tier should take it.
  bool admit(std::uint64_t key_hash, std::uint64_t bytes);
  // Vary markers and other records a stored response depends on: always admitted, counted.
  void admit_always();

  // Fetches of `key_hash` the sketch remembers (an estimate: never low, sometimes high).
  std::uint32_t estimate(std::uint64_t key_hash) const;
  bool disk_filled() const;
  const DiskAdmissionStats& stats() const { return stats_; }
  std::uint64_t memory_bytes() const { return sketch_.memory_bytes(); }

 private:
  DiskAdmissionOptions options_;
  mutable std::mutex mu_;
  FrequencySketch sketch_;  // origin fetches per key, guarded by mu_
  std::atomic<bool> filled_{false};
  DiskAdmissionStats stats_;
};

}  // namespace lacquer::storage
