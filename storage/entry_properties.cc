#include "storage/entry_properties.h"

#include <rocksdb/table_properties.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>
#include <vector>

#include "storage/disk_records.h"
#include "storage/entry_codec.h"
#include "storage/entry_filter.h"

namespace lacquer::storage {
namespace {

constexpr const char* kEntries = "lacquer.entries";
constexpr const char* kEntryBytes = "lacquer.entry-bytes";
constexpr const char* kChunkBytes = "lacquer.chunk-bytes";
constexpr const char* kMinBirth = "lacquer.min-birth";
constexpr const char* kPurgeSeq = "lacquer.purge-seq";
constexpr const char* kUseless = "lacquer.useless-octiles";

template <class T>
bool parse(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

class Collector final : public rocksdb::TablePropertiesCollector {
 public:
  explicit Collector(std::uint64_t purge_seq) { summary_.purge_seq_at_write = purge_seq; }

  rocksdb::Status AddUserKey(const rocksdb::Slice& key, const rocksdb::Slice& value, rocksdb::EntryType type,
                             rocksdb::SequenceNumber, std::uint64_t) override {
    if (type != rocksdb::kEntryPut) return rocksdb::Status::OK();
    if (is_chunk_key({key.data(), key.size()})) {
      summary_.chunk_bytes += key.size() + value.size();
      return rocksdb::Status::OK();
    }
    EntryMeta meta;
    if (key.size() != kDiskKeyBytes || !peek_meta({value.data(), value.size()}, meta)) return rocksdb::Status::OK();
    const std::uint64_t bytes = key.size() + value.size();
    ++summary_.entries;
    summary_.entry_bytes += bytes;
    min_birth_ = std::min(min_birth_, meta.birth_seq);
    useless_.emplace_back(meta.useless_after(), bytes);
    return rocksdb::Status::OK();
  }

  rocksdb::Status Finish(rocksdb::UserCollectedProperties* out) override {
    summary_.min_birth = summary_.entries ? min_birth_ : 0;
    std::sort(useless_.begin(), useless_.end());
    std::uint64_t seen = 0;
    std::size_t next = 0;
    for (const auto& [t, bytes] : useless_) {
      seen += bytes;
      while (next < 8 && seen * 8 >= summary_.entry_bytes * (next + 1)) summary_.useless[next++] = t;
    }
    for (; next < 8; ++next) summary_.useless[next] = useless_.empty() ? 0 : useless_.back().first;
    *out = render();
    return rocksdb::Status::OK();
  }
  rocksdb::UserCollectedProperties GetReadableProperties() const override { return render(); }
  const char* Name() const override { return "lacquer.EntryProperties"; }

 private:
  rocksdb::UserCollectedProperties render() const {
    std::string octiles;
    for (std::int64_t t : summary_.useless) octiles.append(octiles.empty() ? "" : " ").append(std::to_string(t));
    return {{kEntries, std::to_string(summary_.entries)},
            {kEntryBytes, std::to_string(summary_.entry_bytes)},
            {kChunkBytes, std::to_string(summary_.chunk_bytes)},
            {kMinBirth, std::to_string(summary_.min_birth)},
            {kPurgeSeq, std::to_string(summary_.purge_seq_at_write)},
            {kUseless, octiles}};
  }
  FileSummary summary_;
  std::uint64_t min_birth_ = std::numeric_limits<std::uint64_t>::max();
  std::vector<std::pair<std::int64_t, std::uint64_t>> useless_;
};

class CollectorFactory final : public rocksdb::TablePropertiesCollectorFactory {
 public:
  explicit CollectorFactory(std::shared_ptr<EntryFilterContext> ctx) : ctx_(std::move(ctx)) {}
  rocksdb::TablePropertiesCollector* CreateTablePropertiesCollector(Context) override {
    // Read before the file's first record: the filter applies at least every purge up to it.
    std::uint64_t seq = ctx_->purge_seq();
    return new Collector(seq == ~std::uint64_t{0} ? 0 : seq);
  }
  const char* Name() const override { return "lacquer.EntryPropertiesFactory"; }

 private:
  std::shared_ptr<EntryFilterContext> ctx_;
};

}  // namespace

std::optional<FileSummary> read_file_summary(const std::map<std::string, std::string>& p) {
  FileSummary s;
  auto field = [&p](const char* name, auto& out) {
    auto it = p.find(name);
    return it != p.end() && parse(it->second, out);
  };
  if (!field(kEntries, s.entries) || !field(kEntryBytes, s.entry_bytes) || !field(kChunkBytes, s.chunk_bytes) ||
      !field(kMinBirth, s.min_birth) || !field(kPurgeSeq, s.purge_seq_at_write))
    return std::nullopt;
  auto it = p.find(kUseless);
  if (it == p.end()) return std::nullopt;
  std::string_view rest = it->second;
  for (auto& t : s.useless) {
    std::size_t sp = rest.find(' ');
    if (!parse(rest.substr(0, sp), t)) return std::nullopt;
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  return s;
}

std::shared_ptr<rocksdb::TablePropertiesCollectorFactory> make_entry_properties_factory(
    std::shared_ptr<EntryFilterContext> ctx) {
  return std::make_shared<CollectorFactory>(std::move(ctx));
}

double expired_share(const FileSummary& s, std::int64_t now, std::int64_t keep_expired_s) {
  const std::uint64_t total = s.entry_bytes + s.chunk_bytes;
  if (total == 0 || s.entries == 0) return 0;
  int eighths = 0;
  for (std::int64_t t : s.useless) eighths += t + keep_expired_s < now ? 1 : 0;
  return static_cast<double>(s.entry_bytes) * eighths / 8.0 / static_cast<double>(total);
}

}  // namespace lacquer::storage
