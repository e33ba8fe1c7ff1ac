#include "conf/config_diff.h"

namespace lacquer::conf {
namespace {

bool operator_eq(const Endpoint& a, const Endpoint& b) { return a.host == b.host && a.port == b.port; }
template <class T>
bool operator_eq(const T& a, const T& b) {
  return a == b;
}

// [[listen]] tables: addresses, TLS and certificate files (a reload cannot rebind sockets; the
// certificates of unchanged listeners can be loaded again, edge/server/tls_context.h).
bool same_listeners(const std::vector<ListenConfig>& a, const std::vector<ListenConfig>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!operator_eq(a[i].address, b[i].address) || a[i].tls != b[i].tls ||
        a[i].certificates.size() != b[i].certificates.size())
      return false;
    for (std::size_t c = 0; c < a[i].certificates.size(); ++c)
      if (a[i].certificates[c].cert != b[i].certificates[c].cert || a[i].certificates[c].key != b[i].certificates[c].key)
        return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> changed_keys(const Config& a, const Config& b) {
  std::vector<std::string> out;
#define LACQUER_DIFF(name, field) \
  if (!operator_eq(a.field, b.field)) out.emplace_back(name)
  LACQUER_DIFF("server.listen", server.listen);
  if (!same_listeners(a.listeners, b.listeners)) out.emplace_back("listen");
  LACQUER_DIFF("server.admin", server.admin);
  LACQUER_DIFF("server.threads", server.threads);
  LACQUER_DIFF("server.default_host", server.default_host);
  LACQUER_DIFF("server.takeover_socket", server.takeover_socket);
  LACQUER_DIFF("origin.address", origin.address);
  LACQUER_DIFF("origin.connect_timeout", origin.connect_timeout_ms);
  LACQUER_DIFF("origin.first_byte_timeout", origin.first_byte_timeout_ms);
  LACQUER_DIFF("origin.read_timeout", origin.read_timeout_ms);
  LACQUER_DIFF("origin.idle_timeout", origin.idle_timeout_ms);
  LACQUER_DIFF("origin.max_idle_per_worker", origin.max_idle_per_worker);
  LACQUER_DIFF("cache.state_dir", cache.state_dir);
  LACQUER_DIFF("cache.memory", cache.memory_bytes);
  LACQUER_DIFF("cache.disk", cache.disk_bytes);
  LACQUER_DIFF("cache.max_object_size", cache.max_object_bytes);
  LACQUER_DIFF("cache.max_ttl", cache.max_ttl_s);
  LACQUER_DIFF("cache.default_grace", cache.default_grace_s);
  LACQUER_DIFF("cache.heuristic_max_ttl", cache.heuristic_max_ttl_s);
  LACQUER_DIFF("cache.hit_for_miss", cache.hit_for_miss_s);
  LACQUER_DIFF("cache.disk_keep_expired", cache.disk_keep_expired_s);
  LACQUER_DIFF("cache.store_set_cookie", cache.store_set_cookie);
  LACQUER_DIFF("cache.honour_client_no_cache", cache.honour_client_no_cache);
  LACQUER_DIFF("cache.keep_surrogate_headers", cache.keep_surrogate_headers);
  LACQUER_DIFF("cache.forward_cdn_cache_control", cache.forward_cdn_cache_control);
  LACQUER_DIFF("cache.disk_admit_all", cache.disk_admit_all);
  LACQUER_DIFF("cache.memory_admission", cache.memory_admission);
  LACQUER_DIFF("cache.early_refresh", cache.early_refresh);
  LACQUER_DIFF("cache.early_refresh_beta", cache.early_refresh_beta);
  LACQUER_DIFF("cache.early_refresh_min_delta", cache.early_refresh_min_delta_ms);
  LACQUER_DIFF("limits.max_request_line", limits.max_request_line);
  LACQUER_DIFF("limits.max_header_field", limits.max_header_field);
  LACQUER_DIFF("limits.max_header_bytes", limits.max_header_bytes);
  LACQUER_DIFF("limits.max_header_count", limits.max_header_count);
  LACQUER_DIFF("limits.max_body_size", limits.max_body_bytes);
  LACQUER_DIFF("limits.header_timeout", limits.header_timeout_ms);
  LACQUER_DIFF("limits.body_timeout", limits.body_timeout_ms);
  LACQUER_DIFF("limits.body_deadline", limits.body_deadline_ms);
  LACQUER_DIFF("limits.tunnel_idle_timeout", limits.tunnel_idle_timeout_ms);
  LACQUER_DIFF("limits.idle_timeout", limits.idle_timeout_ms);
  LACQUER_DIFF("limits.max_connections", limits.max_connections);
  LACQUER_DIFF("limits.max_output_buffer", limits.max_output_buffer);
  LACQUER_DIFF("purge.allow_loopback", purge.allow_loopback);
  LACQUER_DIFF("purge.allow_cidrs", purge.allow_cidrs);
  LACQUER_DIFF("purge.token", purge.token);
  LACQUER_DIFF("server.unknown_host_status", routing.unknown_host_status);
  LACQUER_DIFF("server.trusted_proxies", server.trusted_proxies);
  LACQUER_DIFF("pool", routing.pools);
  LACQUER_DIFF("site", routing.sites);
  LACQUER_DIFF("warm.list", warm.list);
  LACQUER_DIFF("warm.sitemap", warm.sitemap);
  LACQUER_DIFF("warm.every", warm.every_s);
  LACQUER_DIFF("warm.concurrency", warm.concurrency);
  LACQUER_DIFF("warm.rate", warm.rate);
  LACQUER_DIFF("warm.max_memory_fill", warm.max_memory_fill);
  LACQUER_DIFF("warm.max_urls", warm.max_urls);
  LACQUER_DIFF("log.access", log.access);
  LACQUER_DIFF("log.access_format", log.access_format);
  if (a.cluster.enabled != b.cluster.enabled || !operator_eq(a.cluster.redis, b.cluster.redis))
    out.emplace_back("cluster.redis");
  LACQUER_DIFF("cluster.stream", cluster.stream);
  LACQUER_DIFF("cluster.node", cluster.node);
  LACQUER_DIFF("cluster.username", cluster.username);
  LACQUER_DIFF("cluster.password", cluster.password);
  LACQUER_DIFF("cluster.trim_max_length", cluster.trim_max_length);
  LACQUER_DIFF("cluster.trim_max_age", cluster.trim_max_age_s);
  LACQUER_DIFF("cluster.gap_purge", cluster.gap_purge_soft);
  LACQUER_DIFF("cluster.wait_timeout", cluster.wait_timeout_ms);
  LACQUER_DIFF("cluster.connect_timeout", cluster.connect_timeout_ms);
  LACQUER_DIFF("cluster.catch_up_timeout", cluster.catch_up_timeout_ms);
#undef LACQUER_DIFF
  return out;
}

namespace {

// Read at request time from the worker's snapshot (edge/server/live_settings.h), so a new
// value takes effect at the next decision that reads it.
constexpr const char* kLiveKeys[] = {
    "server.default_host",
    "cache.max_object_size", "cache.max_ttl", "cache.default_grace", "cache.heuristic_max_ttl",
    "cache.hit_for_miss", "cache.store_set_cookie", "cache.honour_client_no_cache",
    "cache.keep_surrogate_headers", "cache.forward_cdn_cache_control",
    "cache.early_refresh", "cache.early_refresh_beta", "cache.early_refresh_min_delta",
    "limits.max_header_count", "limits.max_body_size", "limits.header_timeout", "limits.body_timeout",
    "limits.body_deadline", "limits.tunnel_idle_timeout", "limits.idle_timeout", "limits.max_connections", "limits.max_output_buffer",
    // Sites and pools: a new routing snapshot (edge/server/live_settings.h).
    "server.unknown_host_status", "pool", "site",
};

}  // namespace

bool applies_live(const std::string& key) {
  if (key.starts_with("log.") || key.starts_with("purge.") || key.starts_with("origin.")) return true;
  for (const char* live : kLiveKeys)
    if (key == live) return true;
  return false;
}

Config take_live_keys(const Config& running, const Config& loaded) {
  Config c = running;
  c.server.default_host = loaded.server.default_host;
  const CacheConfig& l = loaded.cache;
  c.cache.max_object_bytes = l.max_object_bytes;
  c.cache.max_ttl_s = l.max_ttl_s;
  c.cache.default_grace_s = l.default_grace_s;
  c.cache.heuristic_max_ttl_s = l.heuristic_max_ttl_s;
  c.cache.hit_for_miss_s = l.hit_for_miss_s;
  c.cache.store_set_cookie = l.store_set_cookie;
  c.cache.honour_client_no_cache = l.honour_client_no_cache;
  c.cache.keep_surrogate_headers = l.keep_surrogate_headers;
  c.cache.forward_cdn_cache_control = l.forward_cdn_cache_control;
  c.cache.early_refresh = l.early_refresh;
  c.cache.early_refresh_beta = l.early_refresh_beta;
  c.cache.early_refresh_min_delta_ms = l.early_refresh_min_delta_ms;
  const LimitsConfig& m = loaded.limits;
  c.limits.max_header_count = m.max_header_count;
  c.limits.max_body_bytes = m.max_body_bytes;
  c.limits.header_timeout_ms = m.header_timeout_ms;
  c.limits.body_timeout_ms = m.body_timeout_ms;
  c.limits.body_deadline_ms = m.body_deadline_ms;
  c.limits.tunnel_idle_timeout_ms = m.tunnel_idle_timeout_ms;
  c.limits.idle_timeout_ms = m.idle_timeout_ms;
  c.limits.max_connections = m.max_connections;
  c.limits.max_output_buffer = m.max_output_buffer;
  c.purge = loaded.purge;
  c.log = loaded.log;
  c.origin = loaded.origin;
  c.routing = loaded.routing;
  return c;
}

}  // namespace lacquer::conf
