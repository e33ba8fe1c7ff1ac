// A summary of each SST file of the entries column family, written into the file as
// user-collected table properties when RocksDB builds it (flush or compaction). The scrubber
// (disk_scrubber.h) reads them to pick files worth rewriting without reading the files.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace rocksdb {
class TablePropertiesCollectorFactory;
}

namespace lacquer::storage {

class EntryFilterContext;

struct FileSummary {
  std::uint64_t entries = 0;      // entry records (manifests included)
  std::uint64_t entry_bytes = 0;  // their keys and values
  std::uint64_t chunk_bytes = 0;  // large-object chunks (no meta: never counted as expired)
  std::uint64_t min_birth = 0;    // smallest birth sequence of its entries
  // The newest purge sequence when the file was written: the filter applied every purge up to
  // it to every record of the file.
  std::uint64_t purge_seq_at_write = 0;
  // Octiles of the entries' useless_after(), weighted by bytes: useless[i] is the moment by which
  // (i + 1) / 8 of the entry bytes can no longer be served; useless[7] is the latest.
  std::array<std::int64_t, 8> useless{};
};

std::optional<FileSummary> read_file_summary(const std::map<std::string, std::string>& user_properties);

// Share (0..1) of the file's bytes the filter would now drop as expired, in eighths of its
// entry bytes (a lower bound: records with their own earlier expiry are not counted).
double expired_share(const FileSummary& s, std::int64_t now, std::int64_t keep_expired_s);

std::shared_ptr<rocksdb::TablePropertiesCollectorFactory> make_entry_properties_factory(
    std::shared_ptr<EntryFilterContext> ctx);

}  // namespace lacquer::storage
