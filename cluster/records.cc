#include "cluster/records.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <memory>

namespace lacquer::cluster {
namespace {

const std::string kOutboxPrefix = "\xfc" "outbox";
const std::string kPositionKey = "\xfd" "position";

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

std::uint64_t get_be(std::string_view p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[static_cast<std::size_t>(i)]);
  return v;
}

std::string outbox_key(std::uint64_t seq) {
  std::string k = kOutboxPrefix;
  put_u64(k, seq);
  return k;
}

}  // namespace

std::string encode_fields(const Fields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    put_u32(out, static_cast<std::uint32_t>(name.size()));
    out += name;
    put_u32(out, static_cast<std::uint32_t>(value.size()));
    out += value;
  }
  return out;
}

std::optional<Fields> decode_fields(std::string_view data) {
  Fields fields;
  auto take = [&data](std::string& out) {
    if (data.size() < 4) return false;
    auto n = get_be(data, 4);
    data.remove_prefix(4);
    if (n > data.size()) return false;
    out.assign(data.substr(0, n));
    data.remove_prefix(n);
    return true;
  };
  while (!data.empty()) {
    std::pair<std::string, std::string> f;
    if (!take(f.first) || !take(f.second)) return std::nullopt;
    fields.push_back(std::move(f));
  }
  return fields;
}

purge::SideWrite outbox_write(std::uint64_t seq, const Fields& fields) {
  return {outbox_key(seq), encode_fields(fields)};
}

purge::SideWrite position_write(StreamId position) { return {kPositionKey, position.to_string()}; }

std::vector<OutboxEntry> RecordStore::outbox(std::size_t limit) const {
  std::vector<OutboxEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_));
  for (it->Seek(kOutboxPrefix); it->Valid() && out.size() < limit; it->Next()) {
    auto k = it->key().ToStringView();
    if (!k.starts_with(kOutboxPrefix) || k.size() != kOutboxPrefix.size() + 8) break;
    OutboxEntry e;
    e.seq = get_be(k.substr(kOutboxPrefix.size()), 8);
    if (auto f = decode_fields(it->value().ToStringView())) e.fields = std::move(*f);
    out.push_back(std::move(e));
  }
  return out;
}

std::size_t RecordStore::outbox_size() const {
  std::size_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_));
  for (it->Seek(kOutboxPrefix); it->Valid() && it->key().ToStringView().starts_with(kOutboxPrefix); it->Next()) ++n;
  return n;
}

bool RecordStore::erase(const std::vector<std::uint64_t>& seqs) {
  rocksdb::WriteBatch wb;
  for (auto s : seqs) wb.Delete(cf_, outbox_key(s));
  return db_->Write(rocksdb::WriteOptions(), &wb).ok();
}

std::optional<StreamId> RecordStore::position() const {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), cf_, kPositionKey, &value).ok()) return std::nullopt;
  return parse_stream_id(value);
}

}  // namespace lacquer::cluster
