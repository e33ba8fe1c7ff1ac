#include "cluster/node.h"

#include "cluster/consumer.h"
#include "cluster/publisher.h"
#include "http/json_string.h"

namespace lacquer::cluster {

using http::json_string;

namespace {

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help, std::uint64_t v) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(std::to_string(v)).append("\n");
}

std::uint64_t load(const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); }

}  // namespace

Node::Node(const conf::ClusterConfig& config, purge::VersionTable& versions, purge::PurgeStore& store,
           rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf)
    : ctx_(std::make_shared<Context>(config, versions, store, RecordStore(db, cf))) {
  if (auto p = ctx_->records.position()) ctx_->durable_position = *p;
  ctx_->metrics.outbox_depth = ctx_->records.outbox_size();
}

Node::~Node() {
  {
    std::lock_guard lock(ctx_->mu);
    ctx_->stopping = true;
  }
  ctx_->wake.notify_all();
  if (consumer_) consumer_->join();
  if (publisher_) publisher_->join();
}

void Node::start() {
  std::weak_ptr<Context> weak = ctx_;
  ctx_->store.set_after_commit([weak] {
    auto ctx = weak.lock();
    if (!ctx) return;
    {
      std::lock_guard lock(ctx->mu);
      ctx->outbox_dirty = true;
    }
    ctx->wake.notify_all();
  });
  consumer_ = std::make_unique<Consumer>(ctx_);
  publisher_ = std::make_unique<Publisher>(*ctx_);
  consumer_->start();
  publisher_->start();
}

bool Node::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(ctx_->mu);
  return ctx_->ready_cv.wait_for(lock, timeout, [this] { return ctx_->ready; });
}

bool Node::ready() {
  std::lock_guard lock(ctx_->mu);
  return ctx_->ready;
}

purge::SideWrite Node::outbox_write(purge::Scope scope, const std::vector<std::string>& labels, bool soft,
                                    std::string_view site, std::uint64_t seq) {
  return cluster::outbox_write(seq, encode_purge(ctx_->config.node, scope, labels, soft, site));
}

void Node::wait_everywhere(std::uint64_t seq, WaitDone done) {
  {
    std::lock_guard lock(ctx_->mu);
    ctx_->waiters.push_back({seq, Context::now_ms() + ctx_->config.wait_timeout_ms, std::move(done)});
  }
  ctx_->wake.notify_all();
}

std::string Node::status_json() {
  auto now = Context::now_ms();
  std::lock_guard lock(ctx_->mu);
  std::string out = "{\"node\":" + json_string(ctx_->config.node) + ",\"stream\":" + json_string(ctx_->config.stream) +
                    ",\"redis\":" + json_string(ctx_->config.redis.to_string()) +
                    ",\"connected\":" + (ctx_->metrics.publisher_connected && ctx_->metrics.consumer_connected ? "true" : "false") +
                    ",\"ready\":" + (ctx_->ready ? "true" : "false") +
                    ",\"position\":" + json_string(ctx_->durable_position.to_string()) +
                    ",\"outbox_depth\":" + std::to_string(load(ctx_->metrics.outbox_depth)) +
                    ",\"last_entry\":" + json_string(ctx_->last_entry.to_string()) +
                    ",\"snapshot_age_ms\":" + std::to_string(ctx_->snapshot_ms ? now - std::min(now, ctx_->snapshot_ms) : 0) +
                    ",\"nodes\":[";
  bool first = true;
  for (const auto& n : ctx_->nodes) {
    if (!first) out.push_back(',');
    first = false;
    std::uint64_t lag = n.position < ctx_->last_entry ? ctx_->last_entry.ms - std::min(ctx_->last_entry.ms, n.position.ms) : 0;
    out += "{\"node\":" + json_string(n.node) + ",\"position\":" + json_string(n.position.to_string()) +
           ",\"behind\":" + (n.position < ctx_->last_entry ? "true" : "false") + ",\"lag_ms\":" + std::to_string(lag) +
           ",\"heartbeat_age_ms\":" + std::to_string(now - std::min(now, n.heartbeat_ms)) +
           ",\"live\":" + (is_live(n, now) ? "true" : "false") + "}";
  }
  out += "]}\n";
  return out;
}

void Node::render_metrics(std::string& out) {
  const auto& m = ctx_->metrics;
  metric(out, "lacquer_cluster_connected", "gauge", "1 while both Redis connections (publisher, consumer) are up.",
         m.publisher_connected && m.consumer_connected ? 1 : 0);
  metric(out, "lacquer_cluster_ready", "gauge", "1 once the consumer caught up with the stream (or Redis was unreachable at start).", ready() ? 1 : 0);
  metric(out, "lacquer_cluster_connect_failures_total", "counter", "Failed Redis connection attempts (consumer).", load(m.connect_failures));
  metric(out, "lacquer_cluster_events_published_total", "counter", "Local purges appended to the stream.", load(m.published));
  metric(out, "lacquer_cluster_publish_errors_total", "counter", "XADDs Redis refused (kept in the outbox).", load(m.publish_errors));
  metric(out, "lacquer_cluster_outbox_depth", "gauge", "Local purges waiting to be appended to the stream.", load(m.outbox_depth));
  metric(out, "lacquer_cluster_events_applied_total", "counter", "Events from other nodes or publishers applied.", load(m.applied));
  out.append("# HELP lacquer_cluster_events_skipped_total Stream entries not applied, by reason.\n");
  out.append("# TYPE lacquer_cluster_events_skipped_total counter\n");
  out.append("lacquer_cluster_events_skipped_total{reason=\"own\"} ").append(std::to_string(load(m.skipped_own))).append("\n");
  out.append("lacquer_cluster_events_skipped_total{reason=\"hello\"} ").append(std::to_string(load(m.skipped_hello))).append("\n");
  for (int k = 1; k < kDecodeErrorKinds; ++k)
    out.append("lacquer_cluster_events_skipped_total{reason=\"")
        .append(to_string(static_cast<DecodeError>(k)))
        .append("\"} ")
        .append(std::to_string(load(m.skipped_bad[static_cast<std::size_t>(k)])))
        .append("\n");
  metric(out, "lacquer_cluster_gap_purges_total", "counter", "Conservative purges of everything after a gap in the stream.", load(m.gap_purges));
  metric(out, "lacquer_cluster_consumer_lag_milliseconds", "gauge", "Newest stream entry minus this node's applied position (ID time).", load(m.lag_ms));
  metric(out, "lacquer_cluster_waits_everywhere_total", "counter", "Purge-Wait requests answered: applied on every live node.", load(m.waits_everywhere));
  metric(out, "lacquer_cluster_waits_timed_out_total", "counter", "Purge-Wait requests answered with lagging nodes.", load(m.waits_timed_out));
}

}  // namespace lacquer::cluster
