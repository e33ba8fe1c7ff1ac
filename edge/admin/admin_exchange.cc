#include "edge/admin/admin_exchange.h"

#include <chrono>
#include <cstdio>

#include "edge/admin/dashboard_page.h"
#include "edge/admin/operations_metrics.h"
#include "edge/admin/stats_json.h"
#include "cluster/node.h"
#include "edge/version.h"
#include "edge/server/worker.h"
#include "purge/purge_store.h"
#include "purge/sweeper.h"
#include "storage/disk_tier.h"
#include "storage/memory_tier.h"
#include "storage/presence_filter.h"
#include "storage/state_db.h"

namespace lacquer::edge {

namespace {

// Per origin server: health, requests, failures, ejections and probes (labels pool, server).
void render_origin_servers(std::string& out, const origin::PoolSet& pools) {
  struct Family {
    const char* name;
    const char* type;
    const char* help;
  };
  const Family families[] = {
      {"lacquer_origin_server_up", "gauge", "1 while the server may take requests (resolved, probes passing, not ejected)."},
      {"lacquer_origin_server_requests_total", "counter", "Requests sent to the server."},
      {"lacquer_origin_server_failures_total", "counter", "Connect errors and 5xx answers from the server."},
      {"lacquer_origin_server_ejections_total", "counter", "Times the server was ejected after failures in a row."},
      {"lacquer_origin_server_probes_passed_total", "counter", "Active health probes that passed."},
      {"lacquer_origin_server_probes_failed_total", "counter", "Active health probes that failed."},
  };
  const std::int64_t now = origin::monotonic_ms();
  for (std::size_t f = 0; f < std::size(families); ++f) {
    out.append("# HELP ").append(families[f].name).append(" ").append(families[f].help).append("\n");
    out.append("# TYPE ").append(families[f].name).append(" ").append(families[f].type).append("\n");
    for (std::size_t p = 0; p < pools.size(); ++p) {
      const origin::PoolState& pool = pools.pool(p);
      for (const auto& server : pool.servers) {
        std::uint64_t v = 0;
        switch (f) {
          case 0: v = server->usable(now) ? 1 : 0; break;
          case 1: v = server->requests.load(std::memory_order_relaxed); break;
          case 2: v = server->failures.load(std::memory_order_relaxed); break;
          case 3: v = server->ejections.load(std::memory_order_relaxed); break;
          case 4: v = server->probes_passed.load(std::memory_order_relaxed); break;
          default: v = server->probes_failed.load(std::memory_order_relaxed); break;
        }
        out.append(families[f].name).append("{pool=\"").append(pool.config.name).append("\",server=\"")
            .append(server->label()).append("\"} ").append(std::to_string(v)).append("\n");
      }
    }
  }
  const char* errors = "lacquer_origin_server_errors_total";
  out.append("# HELP ").append(errors).append(" Fetches from the server that failed, by kind.\n");
  out.append("# TYPE ").append(errors).append(" counter\n");
  for (std::size_t p = 0; p < pools.size(); ++p) {
    const origin::PoolState& pool = pools.pool(p);
    for (const auto& server : pool.servers)
      for (int k = 0; k < origin::kOriginErrorKinds; ++k) {
        const auto kind = static_cast<origin::OriginError>(k);
        if (kind == origin::OriginError::NoServer) continue;  // never tied to one server
        out.append(errors).append("{pool=\"").append(pool.config.name).append("\",server=\"").append(server->label())
            .append("\",kind=\"").append(origin::to_string(kind)).append("\"} ")
            .append(std::to_string(server->errors[k].load(std::memory_order_relaxed))).append("\n");
      }
  }
}

}  // namespace
namespace {

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            std::uint64_t value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

template <class Get>
std::uint64_t sum(const SharedState& s, Get get) {
  std::uint64_t total = 0;
  for (const Worker* w : s.workers) total += get(*w);
  return total;
}

std::uint64_t load(const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); }

void render_purge_metrics(std::string& out, const SharedState& s) {
  const purge::PurgeMetrics& m = s.purge_metrics;
  out.append("# HELP lacquer_purges_total Purges accepted, by scope and kind.\n");
  out.append("# TYPE lacquer_purges_total counter\n");
  for (int scope = 0; scope < 4; ++scope)
    for (int soft = 0; soft < 2; ++soft)
      out.append("lacquer_purges_total{scope=\"")
          .append(purge::to_string(static_cast<purge::Scope>(scope)))
          .append("\",kind=\"").append(soft ? "soft" : "hard").append("\"} ")
          .append(std::to_string(load(m.by_scope_kind[scope][soft]))).append("\n");
  metric(out, "lacquer_purges_failed_total", "counter", "Purges answered 503: not made durable.", load(m.failed));
  metric(out, "lacquer_purge_latency_microseconds_sum", "counter", "Time from purge request to durable answer.", load(m.latency_us_sum));
  metric(out, "lacquer_purge_latency_microseconds_count", "counter", "Purges timed.", load(m.latency_count));
  metric(out, "lacquer_purge_latency_microseconds_max", "gauge", "Slowest purge so far.", load(m.latency_us_max));
  metric(out, "lacquer_purge_invalid_entries_total", "counter", "Stored entries found purged on lookup (and dropped).", load(m.invalid_entries_met));
  metric(out, "lacquer_purge_stale_entries_total", "counter", "Stored entries found soft-purged on lookup.", load(m.stale_entries_met));
  metric(out, "lacquer_surrogate_keys_dropped_total", "counter", "Surrogate keys over the limits on origin responses.", load(m.dropped_surrogate_keys));
  metric(out, "lacquer_purge_sequence", "gauge", "The newest purge sequence number.", s.versions.current_seq());
  metric(out, "lacquer_purge_versions", "gauge", "Scopes held in the version table.", s.versions.size());
  if (s.sweeper) {
    const auto& w = s.sweeper->stats();
    metric(out, "lacquer_sweep_passes_total", "counter", "Completed background sweeps of the memory tier.", load(w.passes));
    metric(out, "lacquer_sweep_examined_total", "counter", "Entries the sweep examined.", load(w.examined));
    metric(out, "lacquer_sweep_dropped_total", "counter", "Purged entries the sweep dropped.", load(w.dropped));
    metric(out, "lacquer_sweep_reclaimed_bytes_total", "counter", "Bytes the sweep reclaimed.", load(w.reclaimed_bytes));
    metric(out, "lacquer_sweep_shards_done", "gauge", "Progress of the current sweep pass (shards).", load(w.shards_done));
    metric(out, "lacquer_sweep_running", "gauge", "1 while a sweep pass runs.", w.running.load() ? 1 : 0);
    metric(out, "lacquer_purge_versions_forgotten_total", "counter", "Old versions forgotten to bound the table.", load(w.versions_forgotten));
  }
  if (s.purge_store) metric(out, "lacquer_purge_write_batches_total", "counter", "Synced RocksDB writes of purges (group commits).", s.purge_store->batches());
}

void ratio(std::string& out, std::string_view name, std::string_view help, double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" gauge\n");
  out.append(name).append(" ").append(text).append("\n");
}

// What the disk tier costs the device and what it earns (disk_admission.h decides what is written).
void render_disk_cost_metrics(std::string& out, const storage::DiskTier& d, const storage::StateDb& db) {
  const auto& st = d.stats();
  const auto& adm = d.admission().stats();
  out.append("# HELP lacquer_disk_admissions_total Responses offered to the disk tier, by decision.\n");
  out.append("# TYPE lacquer_disk_admissions_total counter\n");
  out.append("lacquer_disk_admissions_total{decision=\"admitted\"} ").append(std::to_string(load(adm.admitted))).append("\n");
  out.append("lacquer_disk_admissions_total{decision=\"rejected\"} ").append(std::to_string(load(adm.rejected))).append("\n");
  metric(out, "lacquer_disk_admission_rejected_bytes_total", "counter", "Bytes not written because admission refused them.", load(adm.rejected_bytes));
  metric(out, "lacquer_disk_admission_sketch_bytes", "gauge", "Memory of the admission frequency sketch.", d.admission().memory_bytes());
  const std::uint64_t logical = load(st.write_bytes);  // entry records and large-object chunks
  // Entries skip the WAL (storage/disk_tier.h): the table files are all the device gets.
  const std::uint64_t tables = db.entries_table_bytes_written();
  metric(out, "lacquer_disk_table_write_bytes_total", "counter", "Bytes of table files RocksDB wrote for entries (flushes, rewrites).", tables);
  metric(out, "lacquer_disk_device_write_bytes_total", "counter", "Bytes the disk tier wrote to the device (table files; entries skip the WAL).", tables);
  metric(out, "lacquer_disk_unflushed_entries", "gauge", "Entry records in memtables, not yet in a table file (what a kill -9 would lose).", db.entries_unflushed());
  metric(out, "lacquer_disk_idle_flushes_total", "counter", "Memtable flushes the disk writer asked for once writes stopped.", load(st.idle_flushes));
  ratio(out, "lacquer_disk_write_amplification", "Device bytes written per byte of entries written (table files, compressed).",
        logical ? static_cast<double>(tables) / static_cast<double>(logical) : 0.0);
  const std::uint64_t hits = load(st.hits);
  ratio(out, "lacquer_disk_write_bytes_per_hit", "Device bytes written per disk-tier hit (what a disk hit cost in writes).",
        hits ? static_cast<double>(tables) / static_cast<double>(hits) : 0.0);
}

void render_disk_metrics(std::string& out, const storage::DiskTier& d, const storage::StateDb& db) {
  const auto& st = d.stats();
  metric(out, "lacquer_disk_lookups_total", "counter", "Disk tier lookups (memory misses).", load(st.lookups));
  metric(out, "lacquer_disk_hits_total", "counter", "Disk tier lookups that found a record.", load(st.hits));
  metric(out, "lacquer_disk_misses_total", "counter", "Disk tier lookups that found nothing usable.", load(st.misses));
  metric(out, "lacquer_disk_writes_total", "counter", "Entries written to the disk tier.", load(st.writes));
  metric(out, "lacquer_disk_write_bytes_total", "counter", "Bytes written to the disk tier.", load(st.write_bytes));
  metric(out, "lacquer_disk_write_batches_total", "counter", "Write batches committed.", load(st.write_batches));
  metric(out, "lacquer_disk_write_failures_total", "counter", "Entries not written (write error, queue full).", load(st.write_failures));
  metric(out, "lacquer_disk_write_errors_total", "counter", "RocksDB writes that failed (disk full, I/O error).", load(st.write_errors));
  metric(out, "lacquer_disk_writable", "gauge", "0 from a failed disk write until a write works again.", st.writable.load() ? 1 : 0);
  metric(out, "lacquer_disk_write_queue_depth", "gauge", "Writes waiting for the disk writer.", load(st.queue_depth));
  metric(out, "lacquer_disk_checksum_failures_total", "counter", "Records or chunks that failed to decode (deleted, never served).", load(st.corrupt));
  metric(out, "lacquer_disk_erases_total", "counter", "Records deleted (purged or corrupt).", load(st.erases));
  metric(out, "lacquer_disk_bytes", "gauge", "Bytes in the disk tier: live SST files and memtables (RocksDB estimate).", d.estimated_bytes());
  metric(out, "lacquer_disk_objects", "gauge", "Keys in the disk tier (RocksDB estimate; large objects count their chunks).", d.estimated_objects());
  metric(out, "lacquer_disk_budget_bytes", "gauge", "Disk tier budget.", db.disk_budget());
  const auto& f = db.entry_filter().stats();
  out.append("# HELP lacquer_disk_compaction_drops_total Records the compaction filter dropped, by reason.\n");
  out.append("# TYPE lacquer_disk_compaction_drops_total counter\n");
  out.append("lacquer_disk_compaction_drops_total{reason=\"expired\"} ").append(std::to_string(load(f.expired))).append("\n");
  out.append("lacquer_disk_compaction_drops_total{reason=\"purged\"} ").append(std::to_string(load(f.purged))).append("\n");
  out.append("lacquer_disk_compaction_drops_total{reason=\"undecodable\"} ").append(std::to_string(load(f.undecodable))).append("\n");
  const auto& sc = d.scrubber().stats();
  metric(out, "lacquer_disk_scrub_rewrites_total", "counter", "Disk files rewritten through the compaction filter.", load(sc.rewrites));
  metric(out, "lacquer_disk_scrub_reclaimed_bytes_total", "counter", "Bytes those rewrites reclaimed.",
         load(sc.bytes_in) > load(sc.bytes_out) ? load(sc.bytes_in) - load(sc.bytes_out) : 0);
  metric(out, "lacquer_disk_large_commits_total", "counter", "Large objects written to disk in chunks.", load(st.large_commits));
  metric(out, "lacquer_disk_large_aborts_total", "counter", "Large objects abandoned (truncated or a failed chunk write).", load(st.large_aborts));
  metric(out, "lacquer_disk_large_bytes_total", "counter", "Large-object chunk bytes written.", load(st.large_bytes));
  metric(out, "lacquer_disk_large_reads_total", "counter", "Large-object range reads.", load(st.large_reads));
  metric(out, "lacquer_disk_large_read_failures_total", "counter", "Large-object range reads that found nothing usable.", load(st.large_read_failures));
  metric(out, "lacquer_disk_chunk_deletes_total", "counter", "Large-object chunks deleted with their object.", load(st.chunk_deletes));
}

// Per site (label site): requests, hits, misses, body bytes and purges, summed over workers.
// Only with [[site]] tables: the implicit site of a plain --origin adds nothing new. A site's
// counters sit in the same slot on every worker and across reloads (edge/metric_slots.h).
void render_site_metrics(std::string& out, const SharedState& s, const LiveSettings& live) {
  if (!live.routing || live.routing->implicit()) return;
  struct Family {
    const char* name;
    const char* help;
    Counter SiteCounters::*counter;
  };
  const Family families[] = {
      {"lacquer_site_requests_total", "Requests routed to the site.", &SiteCounters::requests},
      {"lacquer_site_hits_total", "Requests of the site answered from the cache.", &SiteCounters::hits},
      {"lacquer_site_misses_total", "Requests of the site the cache could not answer.", &SiteCounters::misses},
      {"lacquer_site_response_body_bytes_total", "Response body bytes sent to the site's clients.", &SiteCounters::body_bytes},
      {"lacquer_site_purges_total", "Purge requests scoped to the site (main port and admin port).", &SiteCounters::purges},
  };
  std::vector<const Worker*> all(s.workers.begin(), s.workers.end());
  if (s.admin_worker) all.push_back(s.admin_worker);
  for (const Family& f : families) {
    out.append("# HELP ").append(f.name).append(" ").append(f.help).append("\n");
    out.append("# TYPE ").append(f.name).append(" counter\n");
    for (std::size_t i = 0; i < live.routing->site_count() && i < live.site_slots.size(); ++i) {
      const int slot = live.site_slots[i];
      if (slot < 0) continue;
      std::uint64_t v = 0;
      for (const Worker* w : all) v += (w->site_counters(slot).*f.counter).get();
      out.append(f.name).append("{site=\"").append(live.routing->site(static_cast<int>(i)).name).append("\"} ");
      out.append(std::to_string(v)).append("\n");
    }
  }
}

// Per origin server: time from handing the request to a connection to the response head.
void render_server_latency(std::string& out, const SharedState& s, const LiveSettings& live) {
  const origin::PoolSet& pools = *live.pools;
  const char* name = "lacquer_origin_server_first_byte_seconds";
  LatencyHistogram::render_family(out, name,
                                  "Per origin server: request handed to a connection (connect included) to the response head.");
  std::vector<const LatencyHistogram*> parts;
  for (std::size_t p = 0; p < pools.size() && p < live.server_slots.size(); ++p) {
    const origin::PoolState& pool = pools.pool(p);
    for (std::size_t i = 0; i < pool.servers.size() && i < live.server_slots[p].size(); ++i) {
      const int slot = live.server_slots[p][i];
      if (slot < 0) continue;
      parts.clear();
      for (const Worker* w : s.workers) parts.push_back(&w->server_first_byte(slot));
      const std::string labels = "pool=\"" + pool.config.name + "\",server=\"" + pool.servers[i]->label() + "\"";
      LatencyHistogram::render_series(out, name, labels, parts);
    }
  }
}

}  // namespace

std::string render_metrics(const SharedState& s, const LiveSettings& live) {
  std::string out;
  out.reserve(4096);
  auto counter = [&](std::string_view name, std::string_view help, Counter WorkerMetrics::*field) {
    metric(out, name, "counter", help, sum(s, [&](const Worker& w) { return (w.metrics().*field).get(); }));
  };
  metric(out, "lacquer_requests_total", "counter", "Requests parsed on the main port.",
         sum(s, [](const Worker& w) { return w.metrics().requests(); }));
  counter("lacquer_cache_hits_total", "Requests answered from the cache.", &WorkerMetrics::hits);
  counter("lacquer_cache_disk_hits_total", "Hits served from the disk tier (promoted to memory).", &WorkerMetrics::disk_hits);
  counter("lacquer_cache_misses_total", "Cacheable requests sent to the origin.", &WorkerMetrics::misses);
  counter("lacquer_passes_total", "Requests with methods the cache does not handle.", &WorkerMetrics::passes);
  counter("lacquer_cache_stored_total", "Responses stored.", &WorkerMetrics::stored);
  counter("lacquer_cache_not_stored_total", "Cacheable-method responses not stored.", &WorkerMetrics::not_stored);
  counter("lacquer_bad_requests_total", "Requests rejected as malformed.", &WorkerMetrics::bad_requests);
  counter("lacquer_synthetic_errors_total", "5xx answers lacquer made itself.", &WorkerMetrics::synthetic_errors);
  counter("lacquer_truncated_responses_total", "Responses cut off because the origin broke off.", &WorkerMetrics::truncated_responses);
  counter("lacquer_h2_connections_total", "Connections that switched to HTTP/2.", &WorkerMetrics::h2_connections);
  counter("lacquer_h2_streams_total", "HTTP/2 request streams opened.", &WorkerMetrics::h2_streams);
  // A series per label, zeros included, so a rate() over any of them starts at the first scrape.
  auto labelled = [&](std::string_view name, std::string_view help, std::string_view label, std::size_t n,
                      auto field, auto label_of) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" counter\n");
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t v = sum(s, [&](const Worker& w) { return (w.metrics().*field)[i].get(); });
      out.append(name).append("{").append(label).append("=\"").append(label_of(i)).append("\"} ");
      out.append(std::to_string(v)).append("\n");
    }
  };
  labelled("lacquer_requests_by_protocol_total",
           "Requests parsed on the main port, by protocol: http1, http1_tls, h2c (HTTP/2 in the clear), h2.",
           "protocol", WorkerMetrics::kProtocols, &WorkerMetrics::requests_by_protocol,
           [](std::size_t i) { return std::string_view(WorkerMetrics::kProtocolLabels[i]); });
  labelled("lacquer_h2_resets_received_total", "HTTP/2 RST_STREAM frames received, by error code.", "reason",
           http::kH2ErrorLabels, &WorkerMetrics::h2_resets_received, http::h2_error_label);
  labelled("lacquer_h2_resets_sent_total", "HTTP/2 RST_STREAM frames sent, by error code.", "reason",
           http::kH2ErrorLabels, &WorkerMetrics::h2_resets_sent, http::h2_error_label);
  counter("lacquer_h2_goaways_sent_total", "HTTP/2 GOAWAY frames sent.", &WorkerMetrics::h2_goaways_sent);
  labelled("lacquer_h2_floods_total", "HTTP/2 connections ended with GOAWAY ENHANCE_YOUR_CALM (or closed), by cause.",
           "cause", http::kH2FloodKinds - 1, &WorkerMetrics::h2_floods,
           [](std::size_t i) { return http::flood_label(static_cast<http::H2Flood>(i + 1)); });
  counter("lacquer_tls_handshakes_total", "TLS handshakes completed.", &WorkerMetrics::tls_handshakes);
  counter("lacquer_tls_resumptions_total", "TLS handshakes that resumed a session.", &WorkerMetrics::tls_resumptions);
  counter("lacquer_tls_handshake_failures_total", "TLS handshakes that failed or timed out.",
          &WorkerMetrics::tls_handshake_failures);
  counter("lacquer_connections_accepted_total", "Client connections accepted.", &WorkerMetrics::connections_accepted);
  counter("lacquer_connections_rejected_total", "Client connections refused at the cap.", &WorkerMetrics::connections_rejected);
  counter("lacquer_client_timeouts_total", "Client connections timed out.", &WorkerMetrics::timeouts);
  counter("lacquer_tunnels_total", "Protocol upgrades the origin accepted (101): tunnels opened.", &WorkerMetrics::tunnels);
  counter("lacquer_tunnel_bytes_to_origin_total", "Bytes tunnels carried from clients to the origin.", &WorkerMetrics::tunnel_bytes_to_origin);
  counter("lacquer_tunnel_bytes_to_client_total", "Bytes tunnels carried from the origin to clients.", &WorkerMetrics::tunnel_bytes_to_client);
  counter("lacquer_tunnel_idle_timeouts_total", "Tunnels closed after tunnel_idle_timeout without traffic.", &WorkerMetrics::tunnel_idle_timeouts);
  counter("lacquer_client_body_deadline_total", "Request bodies cut off at the total body deadline (408).", &WorkerMetrics::body_deadlines);
  counter("lacquer_cache_collapsed_total", "Requests answered from another request's origin fetch.", &WorkerMetrics::collapsed);
  counter("lacquer_cache_revalidations_total", "Conditional requests sent to the origin for stale entries.", &WorkerMetrics::revalidations);
  counter("lacquer_cache_revalidated_total", "Revalidations answered 304 (entry freshened, no body).", &WorkerMetrics::revalidated);
  counter("lacquer_cache_stale_while_revalidate_total", "Stale responses served while refreshing in the background.", &WorkerMetrics::stale_while_revalidate);
  counter("lacquer_cache_early_refreshes_total", "Background refreshes started by a fresh hit close to expiry (probabilistic early refresh).", &WorkerMetrics::early_refreshes);
  counter("lacquer_response_body_bytes_total", "Response body bytes written to clients.", &WorkerMetrics::response_body_bytes);
  counter("lacquer_cache_stale_if_error_total", "Stale responses served because the origin failed.", &WorkerMetrics::stale_if_error);
  counter("lacquer_cache_not_modified_total", "304 answers to conditional requests, made from the cache.", &WorkerMetrics::not_modified);
  counter("lacquer_cache_invalidations_total", "URLs invalidated by successful unsafe requests (RFC 9111 4.4).", &WorkerMetrics::invalidations);
  metric(out, "lacquer_connections_open", "gauge", "Client connections open.",
         sum(s, [](const Worker& w) { return w.metrics().connections_open.get(); }));
  auto tier = s.tier->stats();
  metric(out, "lacquer_cache_objects", "gauge", "Objects in the memory tier.", tier.objects);
  metric(out, "lacquer_cache_bytes", "gauge", "Bytes charged to the memory tier.", tier.bytes);
  metric(out, "lacquer_cache_budget_bytes", "gauge", "Memory tier budget.", s.tier->budget_bytes());
  metric(out, "lacquer_cache_evictions_total", "counter", "Objects evicted from the memory tier.", tier.evictions);
  out.append("# HELP lacquer_memory_admissions_total Newcomers to a full memory tier, by admission's decision.\n");
  out.append("# TYPE lacquer_memory_admissions_total counter\n");
  out.append("lacquer_memory_admissions_total{decision=\"admitted\"} ").append(std::to_string(tier.admitted)).append("\n");
  out.append("lacquer_memory_admissions_total{decision=\"rejected\"} ").append(std::to_string(tier.rejected)).append("\n");
  metric(out, "lacquer_memory_admission_sketch_bytes", "gauge", "Memory of the memory tier's admission sketches.", s.tier->sketch_bytes());
  auto pool_sum = [&](auto get) {
    return sum(s, [&](const Worker& w) {
      const auto* p = w.origin_counters_if_any();
      return p ? get(*p) : 0;
    });
  };
  metric(out, "lacquer_origin_fetches_total", "counter", "Requests sent to the origin.",
         pool_sum([](const origin::OriginCounters& c) { return c.fetches.load(std::memory_order_relaxed); }));
  metric(out, "lacquer_origin_connects_total", "counter", "Connections opened to the origin.",
         pool_sum([](const origin::OriginCounters& c) { return c.connects.load(std::memory_order_relaxed); }));
  metric(out, "lacquer_origin_reuses_total", "counter", "Requests sent on a pooled keep-alive connection.",
         pool_sum([](const origin::OriginCounters& c) { return c.reuses.load(std::memory_order_relaxed); }));
  metric(out, "lacquer_origin_retries_total", "counter", "Idempotent requests retried after a stale pooled connection.",
         pool_sum([](const origin::OriginCounters& c) { return c.retries.load(std::memory_order_relaxed); }));
  std::uint64_t errors_total = 0;
  std::string by_kind;
  for (int k = 0; k < origin::kOriginErrorKinds; ++k) {
    auto n = pool_sum([k](const origin::OriginCounters& c) { return c.errors[k].load(std::memory_order_relaxed); });
    errors_total += n;
    by_kind.append("lacquer_origin_errors_by_kind_total{kind=\"")
        .append(origin::to_string(static_cast<origin::OriginError>(k)))
        .append("\"} ").append(std::to_string(n)).append("\n");
  }
  metric(out, "lacquer_origin_errors_total", "counter", "Origin fetches that failed.", errors_total);
  out.append("# HELP lacquer_origin_errors_by_kind_total Origin fetch failures by kind.\n");
  out.append("# TYPE lacquer_origin_errors_by_kind_total counter\n").append(by_kind);
  if (live.pools) {
    render_origin_servers(out, *live.pools);
    render_server_latency(out, s, live);
  }
  render_site_metrics(out, s, live);
  render_purge_metrics(out, s);
  render_operations_metrics(out, s);
  if (s.disk && s.state_db) {
    render_disk_metrics(out, *s.disk, *s.state_db);
    render_disk_cost_metrics(out, *s.disk, *s.state_db);
    metric(out, "lacquer_disk_presence_filter_bytes", "gauge", "Memory of the disk presence filter (sized from the disk budget).",
           s.disk_filter->memory_bytes());
  } else {
    metric(out, "lacquer_disk_budget_bytes", "gauge", "Disk tier budget (0: memory only, no disk tier).", 0);
  }
  if (s.state_db)
    metric(out, "lacquer_state_memtable_bytes", "gauge", "RocksDB memtables (entries and purges): resident, outside the memory budget.",
           s.state_db->memtable_bytes());
  if (s.cluster) s.cluster->render_metrics(out);
  return out;
}

void AdminExchange::start() {
  const Request& req = client_.request();
  std::string_view target = req.line.target;
  std::string_view path = target.substr(0, target.find('?'));
  bool get = req.line.method == "GET" || req.line.method == "HEAD";
  const SharedState& shared = shared_;
  if (path == "/healthz" || path == "/version" || path == "/metrics") {
    if (!get)
      return respond_simple(client_, shared_.via, 405, "application/json", "{\"error\":\"use GET\"}\n", {},
                            "Allow: GET, HEAD\r\n");
    if (path == "/healthz") {
      if (shared.cluster && !shared.cluster->ready())
        return respond(503, "text/plain; charset=utf-8", "catching up with the cluster stream\n");
      return respond(200, "text/plain; charset=utf-8", "ok\n");
    }
    if (path == "/version")
      return respond(200, "application/json",
                     std::string("{\"name\":\"lacquer\",\"version\":\"") + LACQUER_VERSION +
                         "\",\"commit\":\"" + LACQUER_COMMIT + "\"}\n");
    return respond(200, "text/plain; version=0.0.4; charset=utf-8", render_metrics(shared, *live_));
  }
  if (path == "/" || path == "/dashboard" || path == "/stats.json" || path == "/stats") {
    if (!get)
      return respond_simple(client_, shared_.via, 405, "application/json", "{\"error\":\"use GET\"}\n", {},
                            "Allow: GET, HEAD\r\n");
    if (path == "/stats.json" || path == "/stats") {
      const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
      return respond_simple(client_, shared_.via, 200, "application/json", render_stats_json(shared, *live_, now_ms), {},
                            "Cache-Control: no-store\r\n");
    }
    return respond_simple(client_, shared_.via, 200, "text/html; charset=utf-8", dashboard_page(), {},
                          "Cache-Control: no-store\r\n");
  }
  if (path == "/cluster") {
    if (!get)
      return respond_simple(client_, shared_.via, 405, "application/json", "{\"error\":\"use GET\"}\n", {},
                            "Allow: GET, HEAD\r\n");
    return respond(200, "application/json", shared.cluster ? shared.cluster->status_json() : "{\"enabled\":false}\n");
  }
  respond(404, "application/json", "{\"error\":\"not found\"}\n");
}

void AdminExchange::respond(int status, std::string_view content_type, std::string_view body) {
  respond_simple(client_, shared_.via, status, content_type, body);
}

}  // namespace lacquer::edge
