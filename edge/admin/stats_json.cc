#include "edge/admin/stats_json.h"

#include "cluster/node.h"
#include "edge/server/worker.h"
#include "edge/version.h"
#include "http/json_string.h"
#include "origin/pool_state.h"
#include "storage/disk_tier.h"
#include "storage/memory_tier.h"
#include "storage/state_db.h"

namespace lacquer::edge {
namespace {

class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
  ~JsonObject() { out_ += '}'; }
  JsonObject& num(const char* name, std::uint64_t v) {
    key(name);
    out_ += std::to_string(v);
    return *this;
  }
  JsonObject& boolean(const char* name, bool v) {
    key(name);
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonObject& str(const char* name, std::string_view v) {
    key(name);
    out_ += http::json_string(v);
    return *this;
  }
  // The caller writes the value (a nested object or array) right after.
  void key(const char* name) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

std::string render_stats_json(const SharedState& s, const LiveSettings& live, std::int64_t now_ms) {
  std::string out;
  out.reserve(4096);
  auto total = [&](Counter WorkerMetrics::*field) {
    std::uint64_t n = 0;
    for (const Worker* w : s.workers) n += (w->metrics().*field).get();
    return n;
  };
  auto origin_total = [&](auto get) {
    std::uint64_t n = 0;
    for (const Worker* w : s.workers)
      if (const auto* p = w->origin_counters_if_any()) n += get(*p);
    return n;
  };
  {
    JsonObject o(out);
    o.num("time_ms", static_cast<std::uint64_t>(now_ms));
    o.num("uptime_s", static_cast<std::uint64_t>(now_ms / 1000 > s.started_at ? now_ms / 1000 - s.started_at : 0));
    o.str("version", LACQUER_VERSION);
    std::uint64_t requests = 0;
    for (const Worker* w : s.workers) requests += w->metrics().requests();
    o.num("requests", requests);
    o.num("hits", total(&WorkerMetrics::hits));
    o.num("disk_hits", total(&WorkerMetrics::disk_hits));
    o.num("misses", total(&WorkerMetrics::misses));
    o.num("passes", total(&WorkerMetrics::passes));
    o.num("collapsed", total(&WorkerMetrics::collapsed));
    o.num("stale_while_revalidate", total(&WorkerMetrics::stale_while_revalidate));
    o.num("stale_if_error", total(&WorkerMetrics::stale_if_error));
    o.num("early_refreshes", total(&WorkerMetrics::early_refreshes));
    o.num("stored", total(&WorkerMetrics::stored));
    o.num("not_stored", total(&WorkerMetrics::not_stored));
    o.num("synthetic_errors", total(&WorkerMetrics::synthetic_errors));
    o.num("response_body_bytes", total(&WorkerMetrics::response_body_bytes));
    o.num("connections_open", total(&WorkerMetrics::connections_open));
    o.key("origin");
    {
      JsonObject origin(out);
      origin.num("fetches", origin_total([](const origin::OriginCounters& c) { return c.fetches.load(std::memory_order_relaxed); }));
      origin.num("errors", origin_total([](const origin::OriginCounters& c) {
        std::uint64_t n = 0;
        for (const auto& e : c.errors) n += e.load(std::memory_order_relaxed);
        return n;
      }));
    }
    o.key("origin_servers");
    out += '[';
    if (live.pools) {  // the admin worker's snapshot: the pools the last reload set up
      const std::int64_t mono = origin::monotonic_ms();
      bool first_server = true;
      for (std::size_t p = 0; p < live.pools->size(); ++p) {
        const origin::PoolState& pool = live.pools->pool(p);
        for (const auto& server : pool.servers) {
          if (!first_server) out += ',';
          first_server = false;
          JsonObject e(out);
          e.str("pool", pool.config.name).str("server", server->label()).boolean("up", server->usable(mono));
          e.num("requests", server->requests.load(std::memory_order_relaxed));
          e.num("failures", server->failures.load(std::memory_order_relaxed));
          e.num("ejections", server->ejections.load(std::memory_order_relaxed));
        }
      }
    }
    out += ']';
    o.key("purges");
    {
      JsonObject p(out);
      const auto& m = s.purge_metrics;
      std::uint64_t soft = 0;
      for (int scope = 0; scope < 4; ++scope) {
        const auto hard_n = m.by_scope_kind[scope][0].load(std::memory_order_relaxed);
        const auto soft_n = m.by_scope_kind[scope][1].load(std::memory_order_relaxed);
        soft += soft_n;
        p.num(std::string(purge::to_string(static_cast<purge::Scope>(scope))).c_str(), hard_n + soft_n);
      }
      p.num("soft", soft);
      p.num("failed", m.failed.load(std::memory_order_relaxed));
    }
    o.key("recent_purges");
    out += '[';
    bool first = true;
    for (const auto& r : s.recent_purges.newest()) {
      if (!first) out += ',';
      first = false;
      JsonObject e(out);
      e.num("time_ms", static_cast<std::uint64_t>(r.time_ms)).str("scope", r.scope).str("label", r.label).boolean("soft", r.soft).str("from", r.from);
    }
    out += ']';
    o.key("memory");
    {
      JsonObject m(out);
      const auto t = s.tier->stats();
      m.num("objects", t.objects).num("bytes", t.bytes).num("budget", s.tier->budget_bytes()).num("evictions", t.evictions);
    }
    o.key("disk");
    {
      JsonObject d(out);
      d.boolean("enabled", s.disk != nullptr);
      if (s.disk && s.state_db) {
        d.num("objects", s.disk->estimated_objects()).num("bytes", s.disk->estimated_bytes());
        d.num("budget", s.state_db->disk_budget()).num("hits", s.disk->stats().hits.load(std::memory_order_relaxed));
      }
    }
    o.key("cluster");
    if (s.cluster) {
      std::string c = s.cluster->status_json();
      while (!c.empty() && (c.back() == '\n' || c.back() == ' ')) c.pop_back();
      out += c;
    } else {
      out += "{\"enabled\":false}";
    }
  }
  out += '\n';
  return out;
}

}  // namespace lacquer::edge
