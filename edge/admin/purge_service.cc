#include "edge/admin/purge_service.h"

#include <memory>

#include "edge/server/worker.h"
#include "purge/purge_store.h"

namespace lacquer::edge {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out.append(buf);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

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
  struct Pending {
    std::size_t remaining;
    bool ok = true;
    std::uint64_t seq = 0;
    std::chrono::steady_clock::time_point started;
    PurgeDone done;
  };
  SharedState& shared = worker.shared();
  auto pending = std::make_shared<Pending>();
  pending->remaining = targets.size();
  pending->started = std::chrono::steady_clock::now();
  pending->done = std::move(done);
  LoopInbox* inbox = &worker.inbox();
  purge::PurgeMetrics* metrics = &shared.purge_metrics;
  for (const auto& t : targets) {
    purge::PurgeRecord record = shared.versions.apply(t.scope, t.key, soft);
    metrics->by_scope_kind[static_cast<int>(t.scope)][soft ? 1 : 0].fetch_add(1, std::memory_order_relaxed);
    pending->seq = std::max(pending->seq, record.seq);
    // Runs on the RocksDB writer thread: only hand the result back to the loop.
    shared.purge_store->persist(record, [inbox, pending, metrics](bool ok) {
      inbox->post([pending, metrics, ok] {
        pending->ok = pending->ok && ok;
        if (--pending->remaining > 0) return;
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - pending->started).count();
        metrics->latency_us_sum.fetch_add(static_cast<std::uint64_t>(us), std::memory_order_relaxed);
        metrics->latency_count.fetch_add(1, std::memory_order_relaxed);
        auto prev = metrics->latency_us_max.load(std::memory_order_relaxed);
        while (prev < static_cast<std::uint64_t>(us) &&
               !metrics->latency_us_max.compare_exchange_weak(prev, static_cast<std::uint64_t>(us))) {
        }
        if (!pending->ok) metrics->failed.fetch_add(1, std::memory_order_relaxed);
        pending->done(pending->ok, pending->seq);
      });
    });
  }
}

}  // namespace lacquer::edge
