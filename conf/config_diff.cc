#include "conf/config_diff.h"

namespace lacquer::conf {
namespace {

bool operator_eq(const Endpoint& a, const Endpoint& b) { return a.host == b.host && a.port == b.port; }
template <class T>
bool operator_eq(const T& a, const T& b) {
  return a == b;
}

}  // namespace

std::vector<std::string> changed_keys(const Config& a, const Config& b) {
  std::vector<std::string> out;
#define LACQUER_DIFF(name, field) \
  if (!operator_eq(a.field, b.field)) out.emplace_back(name)
  LACQUER_DIFF("server.listen", server.listen);
  LACQUER_DIFF("server.admin", server.admin);
  LACQUER_DIFF("server.threads", server.threads);
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
  LACQUER_DIFF("limits.idle_timeout", limits.idle_timeout_ms);
  LACQUER_DIFF("limits.max_connections", limits.max_connections);
  LACQUER_DIFF("limits.max_output_buffer", limits.max_output_buffer);
  LACQUER_DIFF("purge.allow_loopback", purge.allow_loopback);
  LACQUER_DIFF("purge.allow_cidrs", purge.allow_cidrs);
  LACQUER_DIFF("purge.token", purge.token);
  LACQUER_DIFF("warm.list", warm.list);
  LACQUER_DIFF("warm.concurrency", warm.concurrency);
  LACQUER_DIFF("warm.rate", warm.rate);
  LACQUER_DIFF("warm.max_memory_fill", warm.max_memory_fill);
  LACQUER_DIFF("warm.max_urls", warm.max_urls);
  LACQUER_DIFF("log.access", log.access);
  LACQUER_DIFF("log.access_format", log.access_format);
#undef LACQUER_DIFF
  return out;
}

bool applies_live(const std::string& key) { return key.starts_with("log."); }

}  // namespace lacquer::conf
