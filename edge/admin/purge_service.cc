#include "edge/admin/purge_service.h"

#include "http/json_string.h"

#include <memory>

#include "cluster/node.h"
#include "edge/server/worker.h"
#include "purge/purge_store.h"
#include "purge/scopes.h"

namespace lacquer::edge {

std::string json_string(std::string_view s) { return http::json_string(s); }

std::string purge_json(const std::vector<PurgeTarget>& targets, bool soft, std::uint64_t seq) {
  purge::Scope scope = targets.empty() ? purge::Scope::Global : targets.front().scope;
  std::string out = "{\"purged\":";
  out.append(json_string(purge::to_string(scope)));
  if (scope == purge::Scope::Tag) {
    out.append(",\"tags\":[");
    for (std::size_t i = 0; i < targets.size(); ++i) {
      if (i) out.push_back(',');
      out.append(json_string(targets[i].label));
    }
    out.push_back(']');
  } else if (scope != purge::Scope::Global) {
    out.append(scope == purge::Scope::Url ? ",\"url\":" : ",\"prefix\":");
    out.append(json_string(targets.front().label));
  }
  out.append(",\"soft\":").append(soft ? "true" : "false");
  out.append(",\"seq\":").append(std::to_string(seq)).append("}\n");
  return out;
}

void run_purge(Worker& worker, const std::vector<PurgeTarget>& targets, bool soft, PurgeDone done) {
  SharedState& shared = worker.shared();
  auto started = std::chrono::steady_clock::now();
  LoopInbox* inbox = &worker.inbox();
  purge::PurgeMetrics* metrics = &shared.purge_metrics;
  std::vector<purge::PurgeRecord> records;
  std::vector<std::string> labels;
  std::uint64_t seq = 0;
  for (const auto& t : targets) {
    records.push_back(shared.versions.apply(t.scope, t.key, soft));
    metrics->by_scope_kind[static_cast<int>(t.scope)][soft ? 1 : 0].fetch_add(1, std::memory_order_relaxed);
    seq = std::max(seq, records.back().seq);
    labels.push_back(t.label);
  }
  // With [cluster], the purge's outbox record (what the stream will carry) commits in the same
  // synced batch as the purge itself.
  if (!targets.empty()) {
    std::string label;
    for (const auto& t : targets) label.append(label.empty() ? "" : " ").append(t.label);
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    shared.recent_purges.add({now_ms, std::string(purge::to_string(targets.front().scope)), std::move(label), soft, ""});
  }
  std::vector<purge::SideWrite> side;
  if (shared.cluster && !targets.empty()) {
    // A site's purge-all travels as scope=all with site=<name> (its scope tag is not a tag a
    // publisher names); the site's tags as scope=tag with site=<name> (cluster/event.h).
    const PurgeTarget& first = targets.front();
    purge::Scope wire_scope = first.scope;
    if (!first.site.empty() && first.scope == purge::Scope::Tag && first.key == purge::site_scope_hash(first.site)) {
      wire_scope = purge::Scope::Global;
      labels.clear();
    }
    side.push_back(shared.cluster->outbox_write(wire_scope, labels, soft, first.site, seq));
  }
  // Runs on the RocksDB writer thread: only hand the result back to the loop.
  shared.purge_store->persist(std::move(records), std::move(side),
                              [inbox, metrics, seq, started, done = std::move(done)](bool ok) mutable {
    inbox->post([metrics, seq, started, ok, done = std::move(done)] {
      auto us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::steady_clock::now() - started).count());
      metrics->latency_us_sum.fetch_add(us, std::memory_order_relaxed);
      metrics->latency_count.fetch_add(1, std::memory_order_relaxed);
      auto prev = metrics->latency_us_max.load(std::memory_order_relaxed);
      while (prev < us && !metrics->latency_us_max.compare_exchange_weak(prev, us)) {
      }
      if (!ok) metrics->failed.fetch_add(1, std::memory_order_relaxed);
      done(ok, seq);
    });
  });
}

}  // namespace lacquer::edge
