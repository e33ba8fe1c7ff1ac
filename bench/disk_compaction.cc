// Which compaction holds the disk budget best for a cache: FIFO alone, FIFO plus the scrubber
// (the compaction filter run over old files), or level compaction with the filter. One run
// writes the same stream of ~4 KiB records into each, half with a 5-minute lifetime and half
// with a day, on a simulated clock (10 records a second), and then reports the bytes on disk,
// how many records still servable are kept, and the bytes written per byte stored (WAL
// included).
//
//   g++ -O2 -std=c++20 -I. bench/disk_compaction.cc storage/*.cc -lrocksdb -lxxhash -lpthread \
//       -o /tmp/disk_compaction
//   /tmp/disk_compaction [budget MiB, default 64] [written MiB, default 512]
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "storage/disk_records.h"
#include "storage/disk_scrubber.h"
#include "storage/entry_codec.h"
#include "storage/entry_filter.h"
#include "storage/entry_properties.h"
#include "storage/state_db.h"

using namespace lacquer::storage;

namespace {

constexpr std::int64_t kStart = 1700000000;
constexpr int kRecordsPerSecond = 10;
constexpr std::size_t kBody = 4000;

std::uint64_t wchar() {  // bytes this process passed to write(): WAL, flushes, compactions
  std::ifstream f("/proc/self/io");
  std::string name;
  std::uint64_t v = 0;
  while (f >> name >> v)
    if (name == "wchar:") return v;
  return 0;
}

bool is_short(std::uint64_t i) { return i % 2 == 0; }
std::uint32_t lifetime(std::uint64_t i) { return is_short(i) ? 300 : 86400; }
std::int64_t time_of(std::uint64_t i) { return kStart + static_cast<std::int64_t>(i / kRecordsPerSecond); }
std::string key_of(std::uint64_t i) { return std::string("http://bench/").append(std::to_string(i)); }

std::string record(std::uint64_t i) {
  EntryMeta m;
  m.response_time = time_of(i);
  m.lifetime_s = lifetime(i);
  m.birth_seq = 1;
  std::string body(kBody, '\0');
  std::uint64_t x = i * 0x9e3779b97f4a7c15ull + 1;  // incompressible, like most stored bodies
  for (auto& c : body) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  std::string out;
  encode_entry(*Entry::create(key_of(i), 1, "HTTP/1.1 200 OK\r\n", body, m).get(), out);
  return out;
}

enum class Mode { Fifo, FifoScrub, LevelFilter };
const char* name(Mode m) {
  switch (m) {
    case Mode::Fifo: return "FIFO";
    case Mode::FifoScrub: return "FIFO + scrubber";
    case Mode::LevelFilter: return "level + filter";
  }
  return "?";
}

void run(Mode mode, std::uint64_t budget, std::uint64_t total) {
  auto clock = std::make_shared<std::atomic<std::int64_t>>(kStart);
  EntryFilterConfig fc;
  fc.now = [clock] { return clock->load(); };
  const std::string dir = std::string("/tmp/lacquer-compaction-bench-").append(std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::unique_ptr<StateDb> state;
  std::unique_ptr<rocksdb::DB> level_db;
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  if (mode == Mode::LevelFilter) {
    // The same table and filter settings as the entries column family, with level compaction.
    auto ctx = std::make_shared<EntryFilterContext>(fc);
    rocksdb::Options o;
    o.create_if_missing = true;
    o.max_background_jobs = 2;
    o.write_buffer_size = std::clamp<std::uint64_t>(budget / 16, 1 << 20, 64 << 20);
    o.max_bytes_for_level_base = budget / 4;
    o.target_file_size_base = o.write_buffer_size;
    o.compression = rocksdb::kLZ4Compression;
    o.compaction_filter_factory = make_entry_filter_factory(ctx);
    rocksdb::BlockBasedTableOptions t;
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(o, dir, &raw).ok()) return;
    level_db.reset(raw);
    db = raw;
    cf = raw->DefaultColumnFamily();
  } else {
    state = StateDb::open(dir, StateDbOptions{budget, fc});
    db = state->db();
    cf = state->entries_cf();
  }
  std::unique_ptr<DiskScrubber> scrubber;
  if (mode == Mode::FifoScrub) scrubber = std::make_unique<DiskScrubber>(*state, ScrubOptions{std::chrono::milliseconds(0)});
  const std::uint64_t records = total / (kBody + 100);
  const std::uint64_t w0 = wchar();
  auto t0 = std::chrono::steady_clock::now();
  std::uint64_t user_bytes = 0;
  for (std::uint64_t i = 0; i < records; ++i) {
    clock->store(time_of(i));
    std::string v = record(i);
    user_bytes += v.size() + kDiskKeyBytes;
    db->Put(rocksdb::WriteOptions(), cf, disk_key(key_of(i)), v);
    // Every 100 simulated seconds: one scrubber pass, or (level) nothing: its own compactions run the filter.
    if (i % (100 * kRecordsPerSecond) == 0 && scrubber) scrubber->scrub_once();
  }
  db->Flush(rocksdb::FlushOptions(), cf);
  for (std::uint64_t pending = 1, running = 1; pending || running;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    db->GetIntProperty(cf, "rocksdb.compaction-pending", &pending);
    db->GetIntProperty(cf, "rocksdb.num-running-compactions", &running);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::uint64_t written = wchar() - w0;
  const std::int64_t now = clock->load();
  std::uint64_t live = 0;
  db->GetIntProperty(cf, "rocksdb.live-sst-files-size", &live);
  std::uint64_t kept = 0, servable = 0, servable_written = 0;
  for (std::uint64_t i = 0; i < records; ++i) {
    bool valid = time_of(i) + lifetime(i) >= now;
    servable_written += valid;
    rocksdb::PinnableSlice v;
    if (!db->Get(rocksdb::ReadOptions(), cf, disk_key(key_of(i)), &v).ok()) continue;
    ++kept;
    servable += valid;
  }
  std::printf("%-16s  disk %6.1f MiB (budget %4.0f)  records kept %6llu  servable kept %6llu of %6llu (%5.1f%%)  "
              "write amp %4.2f  %5.1f s\n",
              name(mode), live / 1048576.0, budget / 1048576.0, static_cast<unsigned long long>(kept),
              static_cast<unsigned long long>(servable), static_cast<unsigned long long>(servable_written),
              100.0 * servable / servable_written, static_cast<double>(written) / user_bytes, secs);
  std::fflush(stdout);
  level_db.reset();
  state.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t budget = (argc > 1 ? std::stoull(argv[1]) : 64) << 20;
  std::uint64_t total = (argc > 2 ? std::stoull(argv[2]) : 512) << 20;
  std::printf("%llu MiB written as ~4 KiB records, half living 5 min and half a day, 10 records per simulated s\n",
              static_cast<unsigned long long>(total >> 20));
  for (Mode m : {Mode::Fifo, Mode::FifoScrub, Mode::LevelFilter}) run(m, budget, total);
}
