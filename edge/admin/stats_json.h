// GET /stats.json on the admin port: the dashboard's data, one flat-ish JSON object of counters
// (totals since start: the reader takes differences between two polls for rates) and gauges.
//
//   time_ms, uptime_s, version
//   requests, hits, disk_hits, misses, passes, collapsed, stale_while_revalidate, stale_if_error,
//   early_refreshes, stored, not_stored, synthetic_errors, response_body_bytes, connections_open
//   origin      {fetches, errors}
//   origin_servers [{pool, server, up, requests, failures, ejections}]  (health: probes, ejections)
//   purges      {url, tag, prefix, all, soft, failed}  (accepted here, hard + soft)
//   recent_purges [{time_ms, scope, label, soft}]       (newest first, at most 20)
//   memory      {objects, bytes, budget, evictions}
//   disk        {enabled, objects, bytes, budget, hits}
//   cluster     what GET /cluster answers ({"enabled":false} without [cluster])
#pragma once

#include <cstdint>
#include <string>

namespace lacquer::edge {

struct SharedState;
struct LiveSettings;

std::string render_stats_json(const SharedState& shared, const LiveSettings& live, std::int64_t now_ms);

}  // namespace lacquer::edge
