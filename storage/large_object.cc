// Large objects: the writer (loop side), and the disk tier's begin/read entry points.
#include "storage/large_object.h"

#include <rocksdb/db.h>

#include <algorithm>

#include "storage/disk_tier.h"
#include "storage/entry_codec.h"
#include "storage/state_db.h"

namespace lacquer::storage {

std::optional<LargeDescriptor> large_descriptor(const Entry& e) {
  if (!(e.meta().flags & kEntryLarge)) return std::nullopt;
  return decode_descriptor(e.body());
}

void LargeWriteState::chunk_done(bool ok) {
  if (!ok) failed.store(true, std::memory_order_release);
  std::uint32_t left = in_flight.fetch_sub(1) - 1;
  if ((left < kMaxChunksInFlight || !ok) && want_ready.exchange(false)) {
    std::function<void()> fn;
    {
      std::lock_guard lock(mu);
      fn = on_ready;
    }
    if (fn) fn();
  }
}

LargeObjectWriter::LargeObjectWriter(std::shared_ptr<LargeSink> sink, std::string key_text,
                                     std::uint64_t generation, std::uint32_t chunk_bytes)
    : sink_(std::move(sink)),
      key_text_(std::move(key_text)),
      disk_key_(disk_key(key_text_)),
      generation_(generation),
      chunk_bytes_(chunk_bytes) {}

LargeObjectWriter::~LargeObjectWriter() { abort(); }

template <class Write>
bool LargeObjectWriter::hand(LargeSink& sink, Write&& write) {
  std::lock_guard lock(sink.mu);
  if (!sink.tier) return false;
  sink.tier->enqueue(std::forward<Write>(write));
  return true;
}

void LargeObjectWriter::hand_over_chunk() {
  DiskTier::Write w;
  w.kind = DiskTier::Write::Kind::Chunk;
  w.key = disk_key_;
  w.chunk = std::move(buffer_);
  w.generation = generation_;
  w.index = chunks_++;
  w.large = state_;
  buffer_ = std::string();
  state_->in_flight.fetch_add(1);
  if (!hand(*sink_, std::move(w))) {
    state_->in_flight.fetch_sub(1);
    state_->failed.store(true, std::memory_order_release);
  }
}

bool LargeObjectWriter::append(const char* data, std::size_t len) {
  if (finished_ || failed()) return true;  // nothing to wait for: the caller streams on
  if (state_->in_flight.load() >= kHardChunkLimit) {  // back-pressure ignored: give up, stay bounded
    state_->failed.store(true, std::memory_order_release);
    abort();
    return true;
  }
  total_ += len;
  while (len > 0 && !finished_) {
    if (buffer_.capacity() < chunk_bytes_) buffer_.reserve(chunk_bytes_);
    std::size_t take = std::min<std::size_t>(len, chunk_bytes_ - buffer_.size());
    buffer_.append(data, take);
    data += take;
    len -= take;
    if (buffer_.size() == chunk_bytes_) hand_over_chunk();
  }
  if (finished_ || state_->in_flight.load() < kMaxChunksInFlight) return true;
  // Ask for the callback, then look again: the writer thread may have caught up meanwhile, and
  // exactly one of us takes the flag back.
  state_->want_ready.store(true);
  if (state_->in_flight.load() < kMaxChunksInFlight && state_->want_ready.exchange(false)) return true;
  return false;
}

bool LargeObjectWriter::ready() const {
  return failed() || state_->in_flight.load() < kMaxChunksInFlight;
}

void LargeObjectWriter::on_ready(std::function<void()> fn) {
  std::lock_guard lock(state_->mu);
  state_->on_ready = std::move(fn);
}

bool LargeObjectWriter::commit(const EntryMeta& meta, std::string_view head, std::span<const std::uint64_t> tags) {
  if (finished_) return false;
  if (failed()) {
    abort();
    return false;
  }
  finished_ = true;
  LargeDescriptor d;
  d.generation = generation_;
  d.length = total_;
  d.chunk_bytes = chunk_bytes_;
  d.chunks = chunks_ + (buffer_.empty() ? 0 : 1);
  EntryMeta m = meta;
  m.flags |= kEntryLarge;
  DiskTier::Write w;
  w.kind = DiskTier::Write::Kind::Commit;
  w.key = disk_key_;
  w.entry = Entry::create(key_text_, 0, head, encode_descriptor(d), m, tags);
  w.chunk = std::move(buffer_);
  w.generation = generation_;
  w.index = d.chunks;
  w.large = state_;
  return hand(*sink_, std::move(w));
}

void LargeObjectWriter::abort() {
  if (finished_) return;
  finished_ = true;
  std::string().swap(buffer_);
  DiskTier::Write w;
  w.kind = DiskTier::Write::Kind::Abort;
  w.key = disk_key_;
  w.generation = generation_;
  w.index = chunks_;
  w.large = state_;
  hand(*sink_, std::move(w));
}

std::unique_ptr<LargeObjectWriter> DiskTier::begin_large(std::string key_text) {
  return std::unique_ptr<LargeObjectWriter>(
      new LargeObjectWriter(sink_, std::move(key_text), next_generation_.fetch_add(1), options_.chunk_bytes));
}

void DiskTier::read_large_range(std::string key_text, std::uint64_t offset, std::uint64_t len, RangeDone done) {
  Read r;
  r.key_text = std::move(key_text);
  r.range_done = std::move(done);
  r.offset = offset;
  r.len = len;
  enqueue_read(std::move(r));
}

void DiskTier::read_large_range(const Entry& entry, std::uint64_t offset, std::uint64_t len, RangeDone done) {
  auto d = large_descriptor(entry);
  Read r;
  r.key_text = std::string(entry.key());
  r.range_done = std::move(done);
  r.generation = d ? d->generation : ~std::uint64_t{0};  // not a large object: matches nothing
  r.offset = offset;
  r.len = len;
  enqueue_read(std::move(r));
}

std::optional<std::string> DiskTier::read_range_now(const std::string& key_text, std::uint64_t generation,
                                                    std::uint64_t offset, std::uint64_t len) {
  stats_.large_reads.fetch_add(1, std::memory_order_relaxed);
  auto fail = [&](bool corrupt, bool drop) -> std::optional<std::string> {
    stats_.large_read_failures.fetch_add(1, std::memory_order_relaxed);
    if (corrupt) stats_.corrupt.fetch_add(1, std::memory_order_relaxed);
    if (drop) erase(key_text);  // the next lookup misses and the origin refills it
    return std::nullopt;
  };
  EntryRef manifest = read_now(key_text, 0);
  auto d = manifest ? large_descriptor(*manifest.get()) : std::nullopt;
  if (!d || (generation != 0 && d->generation != generation) || offset > d->length) return fail(false, false);
  const std::uint64_t end = offset + std::min(len, d->length - offset);
  const std::string dk = disk_key(key_text);
  std::string out;
  out.reserve(end - offset);
  rocksdb::PinnableSlice value;
  for (std::uint64_t c = offset / d->chunk_bytes; c * d->chunk_bytes < end; ++c) {
    const std::uint64_t chunk_start = c * d->chunk_bytes;
    const std::uint64_t expected = std::min<std::uint64_t>(d->chunk_bytes, d->length - chunk_start);
    const std::string ck = chunk_key(dk, d->generation, static_cast<std::uint32_t>(c));
    value.Reset();
    if (!db_.db()->Get(rocksdb::ReadOptions(), db_.entries_cf(), ck, &value).ok()) return fail(false, true);
    auto data = verify_chunk(ck, std::string_view(value.data(), value.size()));
    if (!data || data->size() != expected) return fail(true, true);
    const std::uint64_t lo = std::max(offset, chunk_start) - chunk_start;
    const std::uint64_t hi = std::min(end, chunk_start + expected) - chunk_start;
    out.append(data->data() + lo, hi - lo);
  }
  return out;
}

}  // namespace lacquer::storage
