#include "storage/entry_filter.h"

#include <rocksdb/compaction_filter.h>

#include <ctime>
#include <vector>

#include "storage/disk_records.h"
#include "storage/entry_codec.h"

namespace lacquer::storage {

std::int64_t EntryFilterContext::now() const {
  return config_.now ? config_.now() : static_cast<std::int64_t>(std::time(nullptr));
}

void EntryFilterContext::set_large_dropped(LargeDroppedHook hook) {
  std::lock_guard lock(hook_mu_);
  hook_ = std::move(hook);
}

void EntryFilterContext::large_dropped(std::string_view disk_key, std::uint64_t generation,
                                       std::uint32_t chunks) const {
  std::lock_guard lock(hook_mu_);
  if (hook_) hook_(disk_key, generation, chunks);
}

FilterVerdict judge_record(const EntryFilterContext& ctx, std::string_view key, std::string_view value,
                           std::int64_t now) {
  if (key.size() != kDiskKeyBytes) return FilterVerdict::Keep;  // chunks (and anything not ours)
  EntryMeta meta;
  if (!peek_meta(value, meta)) return FilterVerdict::Undecodable;
  if (meta.useless_after() + ctx.config().keep_expired_s < now) return FilterVerdict::Expired;
  const auto& purged = ctx.config().purged;
  if (!purged || ctx.purge_seq() <= meta.birth_seq) return FilterVerdict::Keep;
  // Only now decode the scopes: most records meet no purge newer than their birth.
  std::string_view key_text;
  std::vector<std::uint64_t> tags;
  if (!peek_scopes(value, key_text, tags)) return FilterVerdict::Undecodable;
  return purged(meta, key_text, tags) ? FilterVerdict::Purged : FilterVerdict::Keep;
}

namespace {

class EntryFilter final : public rocksdb::CompactionFilter {
 public:
  explicit EntryFilter(std::shared_ptr<EntryFilterContext> ctx) : ctx_(std::move(ctx)), now_(ctx_->now()) {}

  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice& value, std::string*, bool*) const override {
    std::string_view k(key.data(), key.size()), v(value.data(), value.size());
    auto& st = ctx_->stats();
    switch (judge_record(*ctx_, k, v, now_)) {
      case FilterVerdict::Keep: return false;
      case FilterVerdict::Expired: st.expired.fetch_add(1, std::memory_order_relaxed); break;
      case FilterVerdict::Purged: st.purged.fetch_add(1, std::memory_order_relaxed); break;
      case FilterVerdict::Undecodable: st.undecodable.fetch_add(1, std::memory_order_relaxed); return true;
    }
    EntryMeta meta;
    if (peek_meta(v, meta) && (meta.flags & kEntryLarge))
      if (auto d = decode_descriptor(peek_body(v))) ctx_->large_dropped(k, d->generation, d->chunks);
    return true;
  }
  const char* Name() const override { return "lacquer.EntryFilter"; }

 private:
  std::shared_ptr<EntryFilterContext> ctx_;
  std::int64_t now_;  // one clock reading per flush or compaction
};

class EntryFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  explicit EntryFilterFactory(std::shared_ptr<EntryFilterContext> ctx) : ctx_(std::move(ctx)) {}
  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(const rocksdb::CompactionFilter::Context&) override {
    return std::make_unique<EntryFilter>(ctx_);
  }
  // Flushes too: a record purged while still in the memtable never reaches a file.
  bool ShouldFilterTableFileCreation(rocksdb::TableFileCreationReason reason) const override {
    return reason == rocksdb::TableFileCreationReason::kFlush ||
           reason == rocksdb::TableFileCreationReason::kCompaction;
  }
  const char* Name() const override { return "lacquer.EntryFilterFactory"; }

 private:
  std::shared_ptr<EntryFilterContext> ctx_;
};

}  // namespace

std::shared_ptr<rocksdb::CompactionFilterFactory> make_entry_filter_factory(std::shared_ptr<EntryFilterContext> ctx) {
  return std::make_shared<EntryFilterFactory>(std::move(ctx));
}

}  // namespace lacquer::storage
