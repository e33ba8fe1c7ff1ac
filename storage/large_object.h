// Large objects: a response body too big for the memory tier goes to the disk tier in chunks
// while it streams, and is read back by byte range, one chunk at a time if need be. The body is
// never held whole in memory.
//
// On disk (disk_records.h): chunks under keys of their own (the object's disk key, a
// generation new for every object written, the chunk index), each with its own checksum; then,
// at commit, a manifest under the object's entry key: an ordinary entry record (meta, head,
// tags) with kEntryLarge, whose body is the 24-byte LargeDescriptor. Until the manifest is
// written nothing is visible; the manifest and the last chunk go in one write batch.
//
// Chunks go when their manifest goes: an abort deletes them; a new version of the object
// (large or small) or an erase deletes the old version's chunks, when this process knows the key
// holds a large object (it wrote or read one there); the compaction filter reports a dropped
// manifest so its chunks are deleted; anything left over (after a crash, or a key overwritten
// before this process ever saw its manifest) is deleted by FIFO with its file.
//
// A lookup of a large object returns its manifest entry: meta.flags has kEntryLarge, head() is
// the stored head, and body() is the descriptor, never response bytes (large_descriptor()
// parses it). The memory tier refuses such entries.
//
// Threading: a LargeObjectWriter belongs to the loop thread that streams the response; its
// chunks are written by the disk tier's writer thread. Memory is bounded per writer: the chunk
// being filled plus at most kMaxChunksInFlight handed over. When that many are waiting, append()
// returns false and the writer calls the on_ready callback (on the disk writer thread: post it
// to your loop) when the caller may go on. A caller that ignores this and appends again while
// kHardChunkLimit chunks are in flight gets its object dropped (failed()): memory stays bounded
// by those chunks plus what one append brings.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "storage/disk_records.h"
#include "storage/entry.h"

namespace lacquer::storage {

inline constexpr std::uint32_t kDefaultChunkBytes = 1u << 20;
inline constexpr std::uint32_t kMaxChunksInFlight = 2;
inline constexpr std::uint32_t kHardChunkLimit = 4;

// The descriptor of a large object's manifest entry (nullopt when the entry is not one).
std::optional<LargeDescriptor> large_descriptor(const Entry& e);

// What a writer and the disk writer thread share.
struct LargeWriteState {
  std::atomic<std::uint32_t> in_flight{0};  // chunks handed over, not yet written
  std::atomic<bool> failed{false};          // a chunk write failed, or the limit was ignored
  std::atomic<bool> want_ready{false};      // append() returned false: call on_ready when below the limit
  std::mutex mu;
  std::function<void()> on_ready;
  // Writer thread: a handed-over chunk was written (or failed).
  void chunk_done(bool ok);
};

class DiskTier;
struct LargeSink;

class LargeObjectWriter {
 public:
  ~LargeObjectWriter();  // aborts unless committed
  LargeObjectWriter(const LargeObjectWriter&) = delete;
  LargeObjectWriter& operator=(const LargeObjectWriter&) = delete;

  // Buffers the bytes and hands every full chunk to the writer thread. False: pause the
  // source until on_ready runs (the bytes were taken all the same).
  bool append(const char* data, std::size_t len);
  bool ready() const;  // below the in-flight limit (append may go on)
  // Runs on the disk writer thread when a paused writer may go on, or failed.
  void on_ready(std::function<void()> fn);
  // The body is complete: writes the last chunk and the manifest (meta gets kEntryLarge). The
  // head should carry the body's Content-Length, as a stored head always does. False when
  // nothing will be published (a chunk write failed, or it was aborted): the chunks are deleted.
  bool commit(const EntryMeta& meta, std::string_view head, std::span<const std::uint64_t> tags);
  // The body was cut short: never visible; the chunks written so far are deleted.
  void abort();

  bool failed() const { return state_->failed.load(std::memory_order_acquire); }
  std::uint64_t bytes() const { return total_; }
  std::uint64_t generation() const { return generation_; }

 private:
  friend class DiskTier;
  LargeObjectWriter(std::shared_ptr<LargeSink> sink, std::string key_text, std::uint64_t generation,
                    std::uint32_t chunk_bytes);
  void hand_over_chunk();
  // Hands a write to the tier, if it still runs (defined where DiskTier::Write is known).
  template <class Write>
  static bool hand(LargeSink& sink, Write&& write);

  std::shared_ptr<LargeSink> sink_;
  std::shared_ptr<LargeWriteState> state_ = std::make_shared<LargeWriteState>();
  std::string key_text_;
  std::string disk_key_;
  std::uint64_t generation_;
  std::uint32_t chunk_bytes_;
  std::string buffer_;  // the chunk being filled
  std::uint32_t chunks_ = 0;  // handed over so far
  std::uint64_t total_ = 0;
  bool finished_ = false;  // committed or aborted
};

}  // namespace lacquer::storage
