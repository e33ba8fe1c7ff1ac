#include "cluster/consumer.h"

#include <algorithm>
#include <cstdio>

namespace lacquer::cluster {
namespace {

constexpr std::size_t kBatch = 512;
constexpr std::uint32_t kBlockMs = 500;
const std::string kBatchText = std::to_string(kBatch);

// Reads a field of an XINFO STREAM reply (a flat array of name, value pairs).
const redisReply* info_field(const redisReply* info, std::string_view name) {
  if (!info || info->type != REDIS_REPLY_ARRAY) return nullptr;
  for (std::size_t i = 0; i + 1 < info->elements; i += 2) {
    if (reply_text(info->element[i]) == name) return info->element[i + 1];
  }
  return nullptr;
}

StreamId id_of(const redisReply* r) { return parse_stream_id(reply_text(r)).value_or(StreamId{}); }

}  // namespace

void Consumer::note_link_error() {
  ctx_.metrics.consumer_connected = false;
  if (link_.error() != logged_error_) {
    std::fprintf(stderr, "lacquer: cluster: redis %s: %s (retrying; purges apply locally and queue)\n",
                 ctx_.config.redis.to_string().c_str(), link_.error().c_str());
    logged_error_ = link_.error();
  }
}

void Consumer::refused(std::string_view command, const std::string& answer) {
  std::string text = std::string(command) + ": " + answer;
  if (text != logged_refusal_) {
    std::fprintf(stderr, "lacquer: cluster: Redis refused %s on stream %s (retrying every second)\n", text.c_str(),
                 ctx_.config.stream.c_str());
    logged_refusal_ = text;
  }
  link_.drop();
  ctx_.pause(1000);
}

void Consumer::run() {
  position_ = ctx_.records.position();
  bool first_attempt = true;
  std::uint32_t backoff_ms = 100;
  while (!ctx_.is_stopping()) {
    if (!link_.ensure()) {
      ctx_.metrics.connect_failures.fetch_add(1, std::memory_order_relaxed);
      note_link_error();
      if (first_attempt) missed_start_ = !position_;
      ctx_.set_ready();  // serve anyway (also if Redis went away mid catch-up); catch up later
      first_attempt = false;
      ctx_.pause(backoff_ms);
      backoff_ms = std::min<std::uint32_t>(backoff_ms * 2, 2000);
      continue;
    }
    first_attempt = false;
    backoff_ms = 100;
    ctx_.metrics.consumer_connected = true;
    if (!logged_error_.empty()) {
      std::fprintf(stderr, "lacquer: cluster: redis %s reachable again\n", ctx_.config.redis.to_string().c_str());
      logged_error_.clear();
    }
    if (!attach()) continue;
    // Catch up without blocking until a batch comes back short, then report ready.
    bool full = true;
    while (full && !ctx_.is_stopping()) {
      if (!read_batch(false, full) || (full && !check_gap())) break;
    }
    if (!link_.connected()) continue;
    ctx_.set_ready();
    while (!ctx_.is_stopping()) {
      if (!read_batch(true, full) || (full && !check_gap())) break;
    }
  }
  ctx_.metrics.consumer_connected = false;
}

std::optional<StreamId> Consumer::add_hello() {
  std::vector<std::string> argv = {"XADD", ctx_.config.stream, "*"};
  for (auto& [k, v] : encode_hello(ctx_.config.node)) {
    argv.push_back(k);
    argv.push_back(v);
  }
  Reply r = link_.command(argv);
  if (!r) return std::nullopt;
  auto id = parse_stream_id(reply_text(r.get()));
  if (!id) refused("XADD", reply_text(r.get()));
  return id;
}

bool Consumer::attach() {
  if (position_) return check_gap();
  auto hello = add_hello();
  if (!hello) return false;
  if (missed_start_) {
    // We served (and cached) while Redis was unreachable and have no position: events sent
    // meanwhile are unknown to us.
    position_ = hello;
    recover("joined-late", "this node started while Redis was unreachable and had never read the stream");
  } else {
    position_ = hello;
    commit({}, *hello);
    std::fprintf(stderr, "lacquer: cluster: node %s joined stream %s at %s\n", ctx_.config.node.c_str(),
                 ctx_.config.stream.c_str(), hello->to_string().c_str());
  }
  return link_.connected();
}

bool Consumer::check_gap() {
  const std::string pos = position_->to_string();
  auto replies = link_.pipeline({{"XINFO", "STREAM", ctx_.config.stream}, {"XRANGE", ctx_.config.stream, pos, pos}});
  if (replies.size() != 2) return false;
  StreamState s;
  const redisReply* info = replies[0].get();
  s.exists = !is_error(info);
  if (s.exists) {
    s.last_generated = id_of(info_field(info, "last-generated-id"));
    s.max_deleted = id_of(info_field(info, "max-deleted-entry-id"));
    s.first_entry = id_of(info_field(info, "recorded-first-entry-id"));
    const redisReply* length = info_field(info, "length");
    const redisReply* added = info_field(info, "entries-added");
    s.length = length && length->type == REDIS_REPLY_INTEGER ? static_cast<std::uint64_t>(length->integer) : 0;
    s.entries_added = added && added->type == REDIS_REPLY_INTEGER ? static_cast<std::uint64_t>(added->integer) : 0;
  }
  s.position_present = replies[1]->type == REDIS_REPLY_ARRAY && replies[1]->elements > 0;
  Gap gap = find_gap(*position_, s);
  if (gap != Gap::None) {
    std::string detail = "position " + pos + ", stream " + (s.exists ? "last id " + s.last_generated.to_string() +
                                                                            ", max deleted id " + s.max_deleted.to_string() +
                                                                            ", first id " + s.first_entry.to_string() +
                                                                            ", " + std::to_string(s.entries_added - std::min(s.entries_added, s.length)) +
                                                                            " entries removed"
                                                                      : std::string("missing"));
    recover(gap == Gap::Trimmed ? "trimmed" : "lost", detail);
  }
  return link_.connected();
}

void Consumer::recover(std::string_view reason, std::string_view detail) {
  // The new position is a fresh entry of ours, read BEFORE the purge: every event after it is
  // read normally, every event before it is covered by the purge (which is newer).
  auto hello = add_hello();
  if (!hello) return;
  bool soft = ctx_.config.gap_purge_soft;
  purge::PurgeRecord rec = ctx_.versions.apply(purge::Scope::Global, 0, soft);
  ctx_.metrics.gap_purges.fetch_add(1, std::memory_order_relaxed);
  if (ctx_.on_applied)
    ctx_.on_applied(Event{EventKind::Purge, ctx_.config.node, soft, {}, {{purge::Scope::Global, 0, "all (stream gap)"}}});
  std::fprintf(stderr,
               "lacquer: cluster: GAP (%.*s) on stream %s: %.*s. Events may have been missed: applied a "
               "conservative %s purge of everything (seq %llu); continuing from %s\n",
               static_cast<int>(reason.size()), reason.data(), ctx_.config.stream.c_str(),
               static_cast<int>(detail.size()), detail.data(), soft ? "soft" : "hard",
               static_cast<unsigned long long>(rec.seq), hello->to_string().c_str());
  position_ = hello;
  commit({rec}, *hello);
}

void Consumer::commit(std::vector<purge::PurgeRecord> records, StreamId position) {
  std::shared_ptr<Context> ctx = shared_;
  ctx_.store.persist(std::move(records), {position_write(position)}, [ctx, position](bool ok) {
    if (ok) ctx->advance_durable(position);
    else std::fprintf(stderr, "lacquer: cluster: could not commit stream position %s\n", position.to_string().c_str());
  });
}

bool Consumer::read_batch(bool block, bool& full) {
  full = false;
  std::vector<std::string> argv = {"XREAD", "COUNT", kBatchText};
  if (block) {
    argv.push_back("BLOCK");
    argv.push_back(std::to_string(kBlockMs));
  }
  argv.insert(argv.end(), {"STREAMS", ctx_.config.stream, position_->to_string()});
  Reply r = link_.command(argv, block ? kBlockMs : 0);
  if (!r) {
    note_link_error();
    return false;
  }
  if (r->type == REDIS_REPLY_NIL) return true;  // nothing new
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 || r->element[0]->type != REDIS_REPLY_ARRAY ||
      r->element[0]->elements < 2) {
    refused("XREAD", reply_text(r.get()));
    return false;
  }
  const redisReply* entries = r->element[0]->element[1];
  full = entries->type == REDIS_REPLY_ARRAY && entries->elements >= kBatch;
  apply_entries(entries);
  return true;
}

void Consumer::apply_entries(const redisReply* entries) {
  if (entries->type != REDIS_REPLY_ARRAY || entries->elements == 0) return;
  std::vector<purge::PurgeRecord> records;
  StreamId last = *position_;
  std::vector<Field> fields;
  for (std::size_t i = 0; i < entries->elements; ++i) {
    const redisReply* e = entries->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2) continue;
    auto id = parse_stream_id(reply_text(e->element[0]));
    if (!id) continue;
    last = std::max(last, *id);
    fields.clear();
    const redisReply* kv = e->element[1];
    if (kv->type == REDIS_REPLY_ARRAY) {
      for (std::size_t j = 0; j + 1 < kv->elements; j += 2)
        fields.emplace_back(std::string_view(kv->element[j]->str ? kv->element[j]->str : "", kv->element[j]->len),
                            std::string_view(kv->element[j + 1]->str ? kv->element[j + 1]->str : "",
                                             kv->element[j + 1]->len));
    }
    Decoded d = decode_event(fields);
    if (!d.event) {
      auto k = static_cast<std::size_t>(d.error);
      ctx_.metrics.skipped_bad[k].fetch_add(1, std::memory_order_relaxed);
      if (!logged_[k]) {
        logged_[k] = true;
        std::fprintf(stderr, "lacquer: cluster: skipped stream entry %s (%s: %s); further %s entries are counted, not logged\n",
                     id->to_string().c_str(), std::string(to_string(d.error)).c_str(), d.detail.c_str(),
                     std::string(to_string(d.error)).c_str());
      }
      continue;
    }
    if (d.event->kind == EventKind::Hello) {
      ctx_.metrics.skipped_hello.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (d.event->node == ctx_.config.node) {  // applied when we accepted it
      ctx_.metrics.skipped_own.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    for (const auto& t : d.event->targets) records.push_back(ctx_.versions.apply(t.scope, t.key, d.event->soft));
    ctx_.metrics.applied.fetch_add(1, std::memory_order_relaxed);
    if (ctx_.on_applied) ctx_.on_applied(*d.event);
  }
  position_ = last;
  commit(std::move(records), last);
}

}  // namespace lacquer::cluster
