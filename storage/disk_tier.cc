#include "storage/disk_tier.h"

#include <pthread.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "storage/entry_codec.h"
#include "storage/state_db.h"

namespace lacquer::storage {
namespace {
constexpr auto kErrorLogEvery = std::chrono::seconds(60);
constexpr auto kResumeEvery = std::chrono::seconds(10);

// Entries skip the WAL (see the header): written once to the memtable, once to a table file.
rocksdb::WriteOptions entry_write_options() {
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  return wo;
}

std::uint64_t first_generation() {
  // Unique across restarts: nanoseconds since the epoch, then counted up.
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}
}  // namespace

// What the writer thread learns while it builds one batch, applied once the batch is written.
struct DiskTier::BatchState {
  // Each key's large-object manifest as of the items added so far (nullopt: none).
  std::unordered_map<std::string, std::optional<LargeDescriptor>> latest;
  std::uint64_t entries = 0, bytes = 0, erases = 0, chunk_bytes = 0, chunk_deletes = 0;
  std::uint64_t commits = 0, aborts = 0;
  std::vector<std::shared_ptr<LargeWriteState>> chunks;  // one per chunk written
  std::string record;                                    // scratch
};

DiskTier::DiskTier(StateDb& db, DiskTierOptions options)
    : db_(db), options_(options), next_generation_(first_generation()), sink_(std::make_shared<LargeSink>()) {
  sink_->tier = this;
  db_.entry_filter().set_large_dropped([this](std::string_view key, std::uint64_t generation, std::uint32_t chunks) {
    Write w;
    w.kind = Write::Kind::DropChunks;
    w.key = std::string(key);
    w.generation = generation;
    w.index = chunks;
    enqueue(std::move(w));
  });
  DiskAdmissionOptions admission = options_.admission;
  admission.disk_budget = db_.disk_budget();
  // One counter per row for each 4 KiB of budget: 256 KiB to 16 MiB of sketch in all.
  admission.counters = std::clamp<std::uint64_t>(admission.disk_budget / 4096, 1 << 16, 1 << 22);
  admission_ = std::make_unique<DiskAdmission>(admission, estimated_bytes());
  writer_ = std::thread([this] { writer_loop(); });
  for (std::size_t i = 0; i < options_.reader_threads; ++i) readers_.emplace_back([this] { reader_loop(); });
  scrubber_ = std::make_unique<DiskScrubber>(db, options_.scrub);
}

bool DiskTier::admit(const Entry& entry) {
  const std::uint64_t bytes = entry.key().size() + entry.head().size() + entry.body().size();
  if (entry.meta().flags & kEntryVaryMarker) {
    admission_->admit_always();
    return true;
  }
  return admission_->admit(entry.hash(), bytes);
}

DiskTier::~DiskTier() {
  scrubber_.reset();
  db_.entry_filter().set_large_dropped(nullptr);
  {
    std::lock_guard lock(sink_->mu);
    sink_->tier = nullptr;
  }
  {
    std::scoped_lock lock(write_mu_, read_mu_);
    stopping_ = true;
  }
  write_cv_.notify_all();
  read_cv_.notify_all();
  writer_.join();
  for (auto& t : readers_) t.join();
  // A clean stop leaves no WAL to replay: the next start serves from disk at once.
  db_.db()->Flush(rocksdb::FlushOptions(), db_.entries_cf());
}

void DiskTier::lookup(std::string key_text, std::uint64_t index_hash, LookupDone done) {
  stats_.lookups.fetch_add(1, std::memory_order_relaxed);
  Read r;
  r.key_text = std::move(key_text);
  r.index_hash = index_hash;
  r.done = std::move(done);
  enqueue_read(std::move(r));
}

void DiskTier::enqueue_read(Read r) {
  {
    std::lock_guard lock(read_mu_);
    reads_.push_back(std::move(r));
  }
  read_cv_.notify_one();
}

void DiskTier::store(EntryRef entry) {
  std::string key = disk_key(entry->key());
  {
    std::lock_guard lock(write_mu_);
    if (queued_puts_ >= options_.max_queue) {  // the disk cannot keep up: serve from memory only
      stats_.write_failures.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    ++queued_puts_;
    Write w;
    w.key = std::move(key);
    w.entry = std::move(entry);
    writes_.push_back(std::move(w));
    stats_.queue_depth.store(writes_.size(), std::memory_order_relaxed);
  }
  write_cv_.notify_one();
}

void DiskTier::erase(const std::string& key_text) {
  Write w;
  w.kind = Write::Kind::Erase;
  w.key = disk_key(key_text);
  enqueue(std::move(w));
}

void DiskTier::hold_writes_for_testing(bool hold) {
  {
    std::lock_guard lock(write_mu_);
    held_for_testing_ = hold;
  }
  write_cv_.notify_all();
}

void DiskTier::wait_idle_for_testing() {
  std::unique_lock lock(write_mu_);
  idle_cv_.wait(lock, [this] { return (writes_.empty() && !writing_) || held_for_testing_ || stopping_; });
}

void DiskTier::enqueue(Write w) {
  {
    std::lock_guard lock(write_mu_);
    writes_.push_back(std::move(w));
    stats_.queue_depth.store(writes_.size(), std::memory_order_relaxed);
  }
  write_cv_.notify_one();
}

std::optional<LargeDescriptor> DiskTier::current_large(const std::string& key, BatchState& bs) {
  if (auto it = bs.latest.find(key); it != bs.latest.end()) return it->second;
  {
    std::lock_guard lock(large_mu_);
    if (!large_keys_.contains(key)) return std::nullopt;  // never saw a large object there
  }
  rocksdb::PinnableSlice value;
  if (!db_.db()->Get(rocksdb::ReadOptions(), db_.entries_cf(), key, &value).ok()) return std::nullopt;
  auto decoded = decode_entry(std::string_view(value.data(), value.size()), 0);
  if (decoded.error != DecodeError::None) return std::nullopt;
  return large_descriptor(*decoded.entry.get());
}

void DiskTier::delete_chunks(rocksdb::WriteBatch& wb, std::string_view key, std::uint64_t generation,
                             std::uint32_t chunks, BatchState& bs) {
  for (std::uint32_t i = 0; i < chunks; ++i) wb.Delete(db_.entries_cf(), chunk_key(key, generation, i));
  bs.chunk_deletes += chunks;
}

void DiskTier::add_to_batch(Write& w, rocksdb::WriteBatch& wb, BatchState& bs) {
  auto* cf = db_.entries_cf();
  auto drop_old_version = [&](std::uint64_t keep_generation) {
    auto old = current_large(w.key, bs);
    if (old && old->generation != keep_generation) delete_chunks(wb, w.key, old->generation, old->chunks, bs);
  };
  switch (w.kind) {
    case Write::Kind::Put:
      drop_old_version(0);
      bs.record.clear();
      encode_entry(*w.entry.get(), bs.record);
      wb.Put(cf, w.key, bs.record);
      bs.bytes += bs.record.size();
      ++bs.entries;
      bs.latest[w.key] = std::nullopt;
      return;
    case Write::Kind::Erase:
      drop_old_version(0);
      wb.Delete(cf, w.key);
      ++bs.erases;
      bs.latest[w.key] = std::nullopt;
      return;
    case Write::Kind::Chunk: {
      std::string ck = chunk_key(w.key, w.generation, w.index);
      bs.record.clear();
      encode_chunk(ck, w.chunk, bs.record);
      wb.Put(cf, ck, bs.record);
      bs.chunk_bytes += w.chunk.size();
      bs.chunks.push_back(w.large);
      return;
    }
    case Write::Kind::Commit: {
      if (w.large->failed.load(std::memory_order_acquire)) {  // a chunk is missing: never publish
        delete_chunks(wb, w.key, w.generation, w.index, bs);
        ++bs.aborts;
        return;
      }
      if (!w.chunk.empty()) {
        std::string ck = chunk_key(w.key, w.generation, w.index - 1);
        bs.record.clear();
        encode_chunk(ck, w.chunk, bs.record);
        wb.Put(cf, ck, bs.record);
        bs.chunk_bytes += w.chunk.size();
      }
      drop_old_version(w.generation);
      bs.record.clear();
      encode_entry(*w.entry.get(), bs.record);
      wb.Put(cf, w.key, bs.record);
      bs.bytes += bs.record.size();
      ++bs.entries;
      ++bs.commits;
      bs.latest[w.key] = large_descriptor(*w.entry.get());
      return;
    }
    case Write::Kind::Abort:
      delete_chunks(wb, w.key, w.generation, w.index, bs);
      ++bs.aborts;
      return;
    case Write::Kind::DropChunks:
      delete_chunks(wb, w.key, w.generation, w.index, bs);
      return;
  }
}

void DiskTier::writer_loop() {
  std::unique_lock lock(write_mu_);
  auto ready = [this] { return stopping_ || (!writes_.empty() && !held_for_testing_); };
  for (;;) {
    if (unflushed_) {
      // Entries wait in the memtable, outside any log: once no write has come for a while, flush
      // them, so a quiet cache loses nothing to a kill -9 (see the header).
      if (!write_cv_.wait_for(lock, options_.idle_flush_after, ready)) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_idle_flush_ < options_.idle_flush_every) {
          write_cv_.wait_until(lock, last_idle_flush_ + options_.idle_flush_every, ready);
          continue;
        }
        last_idle_flush_ = now;
        unflushed_ = false;
        stats_.idle_flushes.fetch_add(1, std::memory_order_relaxed);
        lock.unlock();
        rocksdb::FlushOptions fo;
        fo.wait = false;  // the flush thread writes the file; new writes go to a fresh memtable
        db_.db()->Flush(fo, db_.entries_cf());
        lock.lock();
        continue;
      }
    } else {
      write_cv_.wait(lock, ready);
    }
    if (writes_.empty()) return;
    std::deque<Write> batch;
    batch.swap(writes_);
    writing_ = true;
    queued_puts_ = 0;
    stats_.queue_depth.store(0, std::memory_order_relaxed);
    lock.unlock();

    const bool injected = fail_for_testing_.load();
    if (!stats_.writable.load() && !injected && std::chrono::steady_clock::now() - last_resume_ >= kResumeEvery) {
      last_resume_ = std::chrono::steady_clock::now();
      db_.db()->Resume();  // clears RocksDB's background error once the disk has room again
    }
    rocksdb::WriteBatch wb;
    BatchState bs;
    for (auto& w : batch) add_to_batch(w, wb, bs);
    rocksdb::Status st;
    if (wb.Count() > 0)
      st = injected ? rocksdb::Status::IOError("injected fault: disk full") : db_.db()->Write(entry_write_options(), &wb);
    const bool ok = st.ok();
    stats_.write_batches.fetch_add(1, std::memory_order_relaxed);
    if (ok) {
      if (wb.Count() > 0) unflushed_ = true;
      stats_.writes.fetch_add(bs.entries, std::memory_order_relaxed);
      stats_.erases.fetch_add(bs.erases, std::memory_order_relaxed);
      stats_.write_bytes.fetch_add(bs.bytes + bs.chunk_bytes, std::memory_order_relaxed);
      stats_.large_bytes.fetch_add(bs.chunk_bytes, std::memory_order_relaxed);
      stats_.large_commits.fetch_add(bs.commits, std::memory_order_relaxed);
      stats_.chunk_deletes.fetch_add(bs.chunk_deletes, std::memory_order_relaxed);
      // What is really on disk (compressed, after FIFO deletions), until the budget is reached once.
      if (!admission_->disk_filled()) admission_->note_disk_bytes(estimated_bytes());
      std::lock_guard large_lock(large_mu_);
      for (const auto& [key, manifest] : bs.latest) {
        if (manifest) large_keys_.insert(key);
        else large_keys_.erase(key);
      }
    } else {
      stats_.write_failures.fetch_add(bs.entries, std::memory_order_relaxed);
      bs.aborts += bs.commits;  // not published
    }
    stats_.large_aborts.fetch_add(bs.aborts, std::memory_order_relaxed);
    for (auto& state : bs.chunks) state->chunk_done(ok);
    if (wb.Count() > 0) note_write(ok, st.ToString());
    batch.clear();  // release entry references outside the lock
    lock.lock();
    writing_ = false;
    idle_cv_.notify_all();
  }
}

// Writer thread. While writes fail: one line at once, then at most one a minute (with a count),
// and one when they work again, so a flapping disk cannot flood stderr.
void DiskTier::note_write(bool ok, const std::string& what) {
  if (ok) {
    if (!stats_.writable.exchange(true) && outage_reported_) {
      std::fprintf(stderr, "lacquer: disk tier writes to %s work again\n", db_.dir().c_str());
      outage_reported_ = false;
    }
    return;
  }
  stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
  stats_.writable.store(false);
  auto now = std::chrono::steady_clock::now();
  ++errors_since_log_;
  if (last_error_log_ != std::chrono::steady_clock::time_point{} && now - last_error_log_ < kErrorLogEvery) return;
  std::fprintf(stderr,
               "lacquer: disk tier cannot write to %s (%s); serving from memory and the origin "
               "(%llu failed writes since the last report; reported at most once a minute)\n",
               db_.dir().c_str(), what.c_str(), static_cast<unsigned long long>(errors_since_log_));
  last_error_log_ = now;
  errors_since_log_ = 0;
  outage_reported_ = true;
}

void DiskTier::remember_large(const std::string& key, bool large) {
  std::lock_guard lock(large_mu_);
  if (large) large_keys_.insert(key);
  else large_keys_.erase(key);
}

EntryRef DiskTier::read_now(const std::string& key_text, std::uint64_t index_hash) {
  std::string key = disk_key(key_text);
  rocksdb::PinnableSlice value;
  auto st = db_.db()->Get(rocksdb::ReadOptions(), db_.entries_cf(), key, &value);
  if (!st.ok()) return {};
  auto decoded = decode_entry(std::string_view(value.data(), value.size()), index_hash);
  bool bad = decoded.error != DecodeError::None;
  if (!bad && (decoded.entry->meta().flags & kEntryLarge)) {
    bad = !large_descriptor(*decoded.entry.get());
    if (!bad) remember_large(key, true);
  }
  if (bad) {
    stats_.corrupt.fetch_add(1, std::memory_order_relaxed);
    erase(key_text);
    return {};
  }
  if (decoded.entry->key() != key_text) return {};  // 128-bit collision: someone else's entry
  return std::move(decoded.entry);
}

void DiskTier::reader_loop() {
  // SCHED_BATCH: a lookup's wake-up does not preempt the event loop that queued it, so the loop
  // finishes its round (queueing more lookups) and a reader then takes them all in one go,
  // instead of the two threads switching once per request on a shared core.
  sched_param param{};
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
  std::unique_lock lock(read_mu_);
  std::deque<Read> batch;
  for (;;) {
    read_cv_.wait(lock, [this] { return stopping_ || !reads_.empty(); });
    if (reads_.empty()) return;
    batch.swap(reads_);
    lock.unlock();
    for (Read& r : batch) {
      if (r.done) {
        EntryRef e = read_now(r.key_text, r.index_hash);
        (e ? stats_.hits : stats_.misses).fetch_add(1, std::memory_order_relaxed);
        r.done(std::move(e));
      } else {
        r.range_done(read_range_now(r.key_text, r.generation, r.offset, r.len));
      }
    }
    batch.clear();
    lock.lock();
  }
}

std::uint64_t DiskTier::estimated_bytes() const {
  std::uint64_t v = 0;
  db_.db()->GetIntProperty(db_.entries_cf(), "rocksdb.live-sst-files-size", &v);
  std::uint64_t mem = 0;
  db_.db()->GetIntProperty(db_.entries_cf(), "rocksdb.cur-size-all-mem-tables", &mem);
  return v + mem;
}

std::uint64_t DiskTier::estimated_objects() const {
  std::uint64_t v = 0;
  db_.db()->GetIntProperty(db_.entries_cf(), "rocksdb.estimate-num-keys", &v);
  return v;
}

}  // namespace lacquer::storage
