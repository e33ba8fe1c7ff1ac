#include "storage/state_db.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "storage/entry_properties.h"

namespace lacquer::storage {
namespace {

constexpr const char* kFormatKey = "lacquer-state-format";

[[noreturn]] void fail(const std::string& dir, const std::string& what, const std::string& todo) {
  throw std::runtime_error("state directory " + dir + ": " + what + "; " + todo);
}

// The entries column family; see the header.
rocksdb::ColumnFamilyOptions entries_options(std::uint64_t disk_budget,
                                             const std::shared_ptr<EntryFilterContext>& filter) {
  rocksdb::ColumnFamilyOptions entries;
  entries.compaction_style = rocksdb::kCompactionStyleFIFO;
  entries.compaction_options_fifo.max_table_files_size = disk_budget;
  entries.compaction_options_fifo.allow_compaction = false;
  // Memtables are resident memory outside the memory-tier budget (a large object streams its
  // chunks through them), and what a kill -9 loses (entries skip the WAL: disk_tier.h): at most
  // 2 x 16 MiB, less for a small disk budget.
  entries.write_buffer_size = std::clamp<std::uint64_t>(disk_budget / 64, 1 << 20, 16 << 20);
  entries.max_write_buffer_number = 2;
  // LZ4 decompresses several times faster than the default Snappy, for the same class of ratio.
  entries.compression = rocksdb::kLZ4Compression;
  entries.compaction_filter_factory = make_entry_filter_factory(filter);
  entries.table_properties_collector_factories.push_back(make_entry_properties_factory(filter));
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  entries.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return entries;
}

}  // namespace

// Counts the table files RocksDB writes for the entries column family (on its own threads).
struct TableBytesListener : rocksdb::EventListener {
  std::atomic<std::uint64_t> bytes{0};
  void OnTableFileCreated(const rocksdb::TableFileCreationInfo& info) override {
    if (info.status.ok() && info.cf_name == "entries") bytes.fetch_add(info.file_size, std::memory_order_relaxed);
  }
};

std::unique_ptr<StateDb> StateDb::open(const std::string& dir, StateDbOptions opts) {
  const std::uint64_t disk_budget = opts.disk_budget;
  auto filter = std::make_shared<EntryFilterContext>(std::move(opts.filter));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail(dir, "cannot create it (" + ec.message() + ")", "choose another --state-dir or fix its permissions");
  if (access(dir.c_str(), W_OK) != 0)
    fail(dir, "not writable", "fix its permissions or choose another --state-dir");

  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  options.keep_log_file_num = 3;
  options.max_total_wal_size = 64 << 20;
  // A restart replays the WAL into the memtables and serves at once; flushing them to a file
  // first would hold the start-up for as long as writing up to a whole memtable takes.
  options.avoid_flush_during_recovery = true;
  auto table_bytes = std::make_shared<TableBytesListener>();
  options.listeners.push_back(table_bytes);
  // A budget of 0 (memory only) still opens the entries family, unused: what an earlier run left
  // there stays for a later run with a disk tier (its purges still apply to it then).
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {"purge", rocksdb::ColumnFamilyOptions()},
      {"entries", entries_options(std::max<std::uint64_t>(disk_budget, 1 << 20), filter)},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status st = rocksdb::DB::Open(options, dir, families, &handles, &db);
  if (!st.ok()) {
    std::string msg = st.ToString();
    if (st.IsIOError() && msg.find("lock") != std::string::npos)
      fail(dir, "already in use by another lacquer process (" + msg + ")",
           "stop that process or give this one its own --state-dir");
    fail(dir, "cannot open the RocksDB database (" + msg + ")",
         "move the directory aside if it is not lacquer's, or choose another --state-dir");
  }
  std::unique_ptr<StateDb> s(new StateDb());
  s->dir_ = dir;
  s->disk_budget_ = disk_budget;
  s->filter_ = std::move(filter);
  s->table_bytes_ = std::move(table_bytes);
  s->db_ = db;
  s->default_cf_ = handles[0];
  s->purge_cf_ = handles[1];
  s->entries_cf_ = handles[2];

  std::string format;
  st = db->Get(rocksdb::ReadOptions(), s->default_cf_, kFormatKey, &format);
  const std::string ours = std::to_string(kStateFormatVersion);
  if (st.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    st = db->Put(wo, s->default_cf_, kFormatKey, ours);
    if (!st.ok()) fail(dir, "cannot write (" + st.ToString() + ")", "check free space and permissions");
  } else if (!st.ok()) {
    fail(dir, "cannot read (" + st.ToString() + ")", "check the disk");
  } else if (format != ours) {
    fail(dir, "written by state format " + format + ", this lacquer reads format " + ours,
         "start with an empty --state-dir (the cache refills from the origin)");
  }
  return s;
}

std::uint64_t StateDb::entries_table_bytes_written() const {
  return table_bytes_->bytes.load(std::memory_order_relaxed);
}

std::uint64_t StateDb::entries_unflushed() const {
  std::uint64_t active = 0, immutable = 0;
  db_->GetIntProperty(entries_cf_, "rocksdb.num-entries-active-mem-table", &active);
  db_->GetIntProperty(entries_cf_, "rocksdb.num-entries-imm-mem-tables", &immutable);
  return active + immutable;
}

std::uint64_t StateDb::memtable_bytes() const {
  std::uint64_t total = 0;
  for (auto* h : {default_cf_, purge_cf_, entries_cf_}) {
    std::uint64_t v = 0;
    if (db_->GetIntProperty(h, "rocksdb.cur-size-all-mem-tables", &v)) total += v;
  }
  return total;
}

StateDb::~StateDb() {
  if (!db_) return;
  for (auto* h : {default_cf_, purge_cf_, entries_cf_})
    if (h) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
  delete db_;
}

}  // namespace lacquer::storage
