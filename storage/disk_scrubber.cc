#include "storage/disk_scrubber.h"

#include <rocksdb/db.h>
#include <rocksdb/metadata.h>
#include <rocksdb/table_properties.h>

#include <algorithm>

#include "storage/state_db.h"

namespace lacquer::storage {

ScrubChoice choose_scrub(std::span<const ScrubCandidate> files, std::int64_t now, std::int64_t keep_expired_s,
                         std::uint64_t purge_seq, const ScrubOptions& options) {
  ScrubChoice best;
  double best_share = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    if (f.being_compacted || !f.summary) continue;
    double share = expired_share(*f.summary, now, keep_expired_s);
    if (share >= options.min_expired_share && share > best_share) {
      best = {ScrubReason::Expired, i};
      best_share = share;
    }
  }
  if (best.reason != ScrubReason::None) return best;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    if (f.being_compacted || !f.summary || f.summary->entries == 0) continue;
    bool purge_since = purge_seq > f.summary->purge_seq_at_write && f.summary->min_birth < purge_seq;
    if (!purge_since || now - f.written_at < options.purge_rescrub_s) continue;
    if (best.reason == ScrubReason::None || f.smallest_seqno < files[best.index].smallest_seqno)
      best = {ScrubReason::Purged, i};
  }
  return best;
}

DiskScrubber::DiskScrubber(StateDb& db, ScrubOptions options) : db_(db), options_(options) {
  if (options_.interval.count() > 0) thread_ = std::thread([this] { run(); });
}

DiskScrubber::~DiskScrubber() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<ScrubCandidate> DiskScrubber::candidates() const {
  rocksdb::ColumnFamilyMetaData meta;
  db_.db()->GetColumnFamilyMetaData(db_.entries_cf(), &meta);
  rocksdb::TablePropertiesCollection props;
  db_.db()->GetPropertiesOfAllTables(db_.entries_cf(), &props);  // keyed by full path
  std::vector<ScrubCandidate> out;
  for (const auto& level : meta.levels) {
    for (const auto& f : level.files) {
      ScrubCandidate c;
      c.name = f.relative_filename;
      c.size = f.size;
      c.written_at = static_cast<std::int64_t>(f.file_creation_time);
      c.smallest_seqno = f.smallest_seqno;
      c.being_compacted = f.being_compacted;
      for (const auto& [path, p] : props) {
        if (path.size() > c.name.size() && path.ends_with(c.name) && path[path.size() - c.name.size() - 1] == '/') {
          c.summary = read_file_summary(p->user_collected_properties);
          break;
        }
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

bool DiskScrubber::rewrite(const ScrubCandidate& file) {
  rocksdb::CompactionOptions co;
  co.compression = rocksdb::kDisableCompressionOption;  // as the column family says
  std::vector<std::string> outputs;
  auto st = db_.db()->CompactFiles(co, db_.entries_cf(), {file.name}, 0, -1, &outputs);
  if (!st.ok()) {  // usually FIFO deleting it meanwhile, or another compaction on it: next pass
    stats_.errors.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  std::uint64_t out_bytes = 0;
  rocksdb::ColumnFamilyMetaData meta;
  db_.db()->GetColumnFamilyMetaData(db_.entries_cf(), &meta);
  for (const auto& level : meta.levels)
    for (const auto& f : level.files)
      if (std::find_if(outputs.begin(), outputs.end(), [&](const std::string& o) { return o.ends_with(f.relative_filename); }) != outputs.end())
        out_bytes += f.size;
  stats_.rewrites.fetch_add(1, std::memory_order_relaxed);
  stats_.bytes_in.fetch_add(file.size, std::memory_order_relaxed);
  stats_.bytes_out.fetch_add(out_bytes, std::memory_order_relaxed);
  return true;
}

bool DiskScrubber::scrub_once() {
  stats_.passes.fetch_add(1, std::memory_order_relaxed);
  auto files = candidates();
  const auto& filter = db_.entry_filter();
  std::uint64_t seq = filter.purge_seq();
  ScrubChoice c = choose_scrub(files, filter.now(), filter.config().keep_expired_s,
                               seq == ~std::uint64_t{0} ? 0 : seq, options_);
  return c.reason != ScrubReason::None && rewrite(files[c.index]);
}

std::size_t DiskScrubber::scrub_all() {
  auto files = candidates();
  std::sort(files.begin(), files.end(),
            [](const ScrubCandidate& a, const ScrubCandidate& b) { return a.smallest_seqno < b.smallest_seqno; });
  std::size_t n = 0;
  for (const auto& f : files) n += rewrite(f) ? 1 : 0;
  return n;
}

void DiskScrubber::run() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, options_.interval, [this] { return stopping_; })) {
    lock.unlock();
    scrub_once();
    lock.lock();
  }
}

}  // namespace lacquer::storage
