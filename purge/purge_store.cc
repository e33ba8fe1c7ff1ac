#include "purge/purge_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace lacquer::purge {
namespace {

const std::string kSeqKey = "\xff" "seq";

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string record_key(Scope scope, std::uint64_t key) {
  std::string k;
  k.push_back(static_cast<char>(scope));
  put_u64(k, key);
  return k;
}

}  // namespace

PurgeStore::PurgeStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const VersionTable& table)
    : db_(db), cf_(cf), table_(table), thread_([this] { run(); }) {}

PurgeStore::~PurgeStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::size_t PurgeStore::load(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, VersionTable& table) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  std::size_t n = 0;
  bool ran_before = false;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto k = it->key();
    auto v = it->value();
    if (k.ToString() == kSeqKey && v.size() == 8) {
      table.restore_counter(get_u64(v.data()));
      ran_before = true;
      continue;
    }
    if (k.size() != 9 || v.size() != 16 || static_cast<unsigned char>(k[0]) > 3) continue;
    auto scope = static_cast<Scope>(k[0]);
    std::uint64_t key = get_u64(k.data() + 1);
    std::uint64_t hard = get_u64(v.data()), soft = get_u64(v.data() + 8);
    if (hard) table.restore({scope, key, false, hard});
    if (soft) table.restore({scope, key, true, soft});
    ++n;
  }
  if (!it->status().ok()) throw std::runtime_error("reading purge versions: " + it->status().ToString());
  if (ran_before) table.restore_counter(table.current_seq() + kRestartGap);
  // Durable before any request is sent, so a crash right after this start cannot undo the gap.
  std::string seq_value;
  put_u64(seq_value, table.current_seq());
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status written = db->Put(wo, cf, kSeqKey, seq_value);
  if (!written.ok()) throw std::runtime_error("writing the purge sequence: " + written.ToString());
  return n;
}

void PurgeStore::persist(const PurgeRecord& record, Done done) {
  persist(std::vector<PurgeRecord>{record}, {}, std::move(done));
}

void PurgeStore::persist(std::vector<PurgeRecord> records, std::vector<SideWrite> side, Done done) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back({std::move(records), std::move(side), std::move(done)});
  }
  cv_.notify_one();
}

void PurgeStore::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::deque<Pending> batch;
    batch.swap(queue_);
    lock.unlock();

    rocksdb::WriteBatch wb;
    std::uint64_t max_seq = 0;
    bool has_side = false;
    for (const auto& p : batch) {
      for (const auto& record : p.records) {
        // Write the scope's current versions (they include this purge and any later one).
        Versions v = table_.get(record.scope, record.key);
        std::string value;
        put_u64(value, v.hard);
        put_u64(value, v.soft);
        wb.Put(cf_, record_key(record.scope, record.key), value);
        max_seq = std::max(max_seq, record.seq);
      }
      // In queue order, so a later side write to the same key (a newer position) wins.
      for (const auto& w : p.side) wb.Put(cf_, w.key, w.value);
      has_side = has_side || !p.side.empty();
    }
    std::string seq_value;
    put_u64(seq_value, std::max(max_seq, table_.current_seq()));
    wb.Put(cf_, kSeqKey, seq_value);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    bool ok = !fail_for_testing_.load() && db_->Write(wo, &wb).ok();
    batches_.fetch_add(1, std::memory_order_relaxed);
    if (!ok) failures_.fetch_add(batch.size(), std::memory_order_relaxed);
    for (auto& p : batch) p.done(ok);
    if (ok && has_side && after_commit_) after_commit_();

    lock.lock();
  }
}

}  // namespace lacquer::purge
