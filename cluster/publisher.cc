#include "cluster/publisher.h"

#include <cstdio>

namespace lacquer::cluster {
namespace {

constexpr std::size_t kOutboxBatch = 256;
constexpr std::size_t kRememberPublished = 4096;  // purge seq -> stream id, for late waiters
constexpr std::uint64_t kSnapshotMs = 1000;
constexpr std::uint64_t kTrimEveryMs = 10000;

}  // namespace

void Publisher::run() {
  std::uint32_t backoff_ms = 100;
  for (;;) {
    bool heartbeat_due;
    {
      std::unique_lock lock(ctx_.mu);
      auto wait = std::chrono::milliseconds(ctx_.waiters.empty() ? 200 : 5);
      ctx_.wake.wait_for(lock, wait, [this] { return ctx_.stopping || ctx_.outbox_dirty || ctx_.position_dirty; });
      if (ctx_.stopping) break;
      heartbeat_due = Context::now_ms() >= last_heartbeat_ms_ + kHeartbeatMs;
      if (!ctx_.outbox_dirty && !ctx_.position_dirty && !heartbeat_due && ctx_.waiters.empty()) continue;
    }
    if (!link_.ensure()) {
      ctx_.metrics.publisher_connected = false;  // the consumer logs the outage
      ctx_.metrics.outbox_depth = ctx_.records.outbox_size();
      resolve_waiters(false);
      ctx_.pause(backoff_ms);
      backoff_ms = std::min<std::uint32_t>(backoff_ms * 2, 1000);
      continue;
    }
    backoff_ms = 100;
    ctx_.metrics.publisher_connected = true;
    bool waiting;
    {
      std::lock_guard lock(ctx_.mu);
      waiting = !ctx_.waiters.empty();
    }
    bool ok = publish_outbox() && report_position(heartbeat_due) &&
              ((!waiting && !heartbeat_due) || refresh_snapshot()) && trim_by_age();
    resolve_waiters(ok);
  }
  ctx_.metrics.publisher_connected = false;
}

bool Publisher::publish_outbox() {
  {
    std::lock_guard lock(ctx_.mu);
    if (!ctx_.outbox_dirty) return true;
    ctx_.outbox_dirty = false;
  }
  for (;;) {
    auto entries = ctx_.records.outbox(kOutboxBatch);
    if (entries.empty()) break;
    std::vector<std::vector<std::string>> commands;
    for (const auto& e : entries) {
      std::vector<std::string> argv = {"XADD", ctx_.config.stream};
      if (ctx_.config.trim_max_length) {
        argv.insert(argv.end(), {"MAXLEN", "~", std::to_string(ctx_.config.trim_max_length)});
      }
      argv.push_back("*");
      for (const auto& [k, v] : e.fields) {
        argv.push_back(k);
        argv.push_back(v);
      }
      commands.push_back(std::move(argv));
    }
    auto replies = link_.pipeline(commands);
    if (replies.empty()) {
      std::lock_guard lock(ctx_.mu);
      ctx_.outbox_dirty = true;  // try again once reconnected
      return false;
    }
    std::vector<std::uint64_t> done;
    bool refused = false;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto id = parse_stream_id(reply_text(replies[i].get()));
      if (!id || entries[i].fields.empty()) {
        if (entries[i].fields.empty()) {  // undecodable record: nothing to send, drop it
          done.push_back(entries[i].seq);
          continue;
        }
        ctx_.metrics.publish_errors.fetch_add(1, std::memory_order_relaxed);
        if (!logged_xadd_error_) {
          logged_xadd_error_ = true;
          std::fprintf(stderr, "lacquer: cluster: XADD to %s refused: %s (the outbox keeps the purge)\n",
                       ctx_.config.stream.c_str(), reply_text(replies[i].get()).c_str());
        }
        refused = true;
        break;  // keep the order: nothing after a refused entry goes first
      }
      done.push_back(entries[i].seq);
      std::lock_guard lock(ctx_.mu);
      ctx_.published[entries[i].seq] = *id;
      while (ctx_.published.size() > kRememberPublished) ctx_.published.erase(ctx_.published.begin());
    }
    ctx_.records.erase(done);
    ctx_.metrics.published.fetch_add(done.size(), std::memory_order_relaxed);
    if (refused) {
      {
        std::lock_guard lock(ctx_.mu);
        ctx_.outbox_dirty = true;
      }
      ctx_.pause(1000);  // do not hammer a Redis that refuses (out of memory, wrong key type)
      break;
    }
    if (entries.size() < kOutboxBatch) break;
  }
  ctx_.metrics.outbox_depth = ctx_.records.outbox_size();
  return true;
}

bool Publisher::report_position(bool heartbeat_due) {
  StreamId position;
  {
    std::lock_guard lock(ctx_.mu);
    if (!ctx_.position_dirty && !heartbeat_due) return true;
    ctx_.position_dirty = false;
    position = ctx_.durable_position;
  }
  auto now = Context::now_ms();
  Reply r = link_.command({"HSET", ctx_.nodes_key, ctx_.config.node, node_value(position, now)});
  if (!r) {
    std::lock_guard lock(ctx_.mu);
    ctx_.position_dirty = true;
    return false;
  }
  last_heartbeat_ms_ = now;
  return true;
}

bool Publisher::refresh_snapshot() {
  auto replies = link_.pipeline({{"HGETALL", ctx_.nodes_key}, {"XREVRANGE", ctx_.config.stream, "+", "-", "COUNT", "1"}});
  if (replies.size() != 2) return false;
  std::vector<NodeState> nodes;
  const redisReply* h = replies[0].get();
  if (h->type == REDIS_REPLY_ARRAY) {
    for (std::size_t i = 0; i + 1 < h->elements; i += 2) {
      if (auto n = parse_node(reply_text(h->element[i]), reply_text(h->element[i + 1]))) nodes.push_back(std::move(*n));
    }
  }
  StreamId last;
  const redisReply* x = replies[1].get();
  if (x->type == REDIS_REPLY_ARRAY && x->elements > 0 && x->element[0]->type == REDIS_REPLY_ARRAY &&
      x->element[0]->elements > 0)
    last = parse_stream_id(reply_text(x->element[0]->element[0])).value_or(StreamId{});
  std::lock_guard lock(ctx_.mu);
  ctx_.nodes = std::move(nodes);
  ctx_.last_entry = last;
  ctx_.snapshot_ms = Context::now_ms();
  // In ID time (milliseconds between the entries' creation); 0 before the first position.
  const StreamId& pos = ctx_.durable_position;
  ctx_.metrics.lag_ms = !pos.is_zero() && pos < last ? last.ms - std::min(last.ms, pos.ms) : 0;
  return true;
}

bool Publisher::trim_by_age() {
  if (!ctx_.config.trim_max_age_s) return true;
  auto now = Context::now_ms();
  if (now < last_trim_ms_ + kTrimEveryMs) return true;
  last_trim_ms_ = now;
  std::uint64_t age_ms = static_cast<std::uint64_t>(ctx_.config.trim_max_age_s) * 1000;
  if (now <= age_ms) return true;
  Reply r = link_.command({"XTRIM", ctx_.config.stream, "MINID", "~", std::to_string(now - age_ms)});
  return r != nullptr;
}

void Publisher::resolve_waiters(bool fresh) {
  std::vector<std::pair<WaitDone, std::pair<bool, std::vector<std::string>>>> finished;
  auto now = Context::now_ms();
  {
    std::lock_guard lock(ctx_.mu);
    for (auto it = ctx_.waiters.begin(); it != ctx_.waiters.end();) {
      auto pub = ctx_.published.find(it->seq);
      std::vector<std::string> lag;
      bool known = pub != ctx_.published.end();
      if (known) lag = lagging(ctx_.nodes, pub->second, now);
      if (known && fresh && lag.empty()) {
        finished.push_back({std::move(it->done), {true, {}}});
      } else if (now >= it->deadline_ms) {
        if (!known) lag.push_back("(not yet in the stream: Redis unreachable)");
        finished.push_back({std::move(it->done), {false, std::move(lag)}});
      } else {
        ++it;
        continue;
      }
      it = ctx_.waiters.erase(it);
    }
  }
  for (auto& [done, result] : finished) {
    (result.first ? ctx_.metrics.waits_everywhere : ctx_.metrics.waits_timed_out).fetch_add(1, std::memory_order_relaxed);
    done(result.first, std::move(result.second));
  }
}

}  // namespace lacquer::cluster
