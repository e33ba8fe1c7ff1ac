// The config model of sites and origin pools ([[site]], [[pool]]): plain values, copied and
// compared like the rest of Config. With no [[site]] at all the [origin] table is one implicit
// site that takes every Host, on one implicit pool of one server (conf/routing.h builds it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "conf/host_pattern.h"

namespace lacquer::conf {

struct Endpoint;

// Per-site overrides of [cache] keys; an unset one takes the [cache] value.
struct SiteCacheOverrides {
  std::optional<std::uint32_t> max_ttl_s;
  std::optional<std::uint32_t> default_grace_s;
  std::optional<std::uint32_t> heuristic_max_ttl_s;  // 0 turns heuristic freshness off
  std::optional<std::uint32_t> hit_for_miss_s;
  std::optional<bool> store_set_cookie;
  std::optional<bool> honour_client_no_cache;
  bool operator==(const SiteCacheOverrides&) const = default;
};

// Header rules of a site ([site.request_headers], [site.response_headers]): `set` replaces
// every field of that name with one field, `remove` drops them all.
struct HeaderRulesConfig {
  std::vector<std::pair<std::string, std::string>> set;  // name, value; ordered by name (a TOML table)
  std::vector<std::string> remove;
  bool empty() const { return set.empty() && remove.empty(); }
  bool operator==(const HeaderRulesConfig&) const = default;
};

struct SiteConfig {
  std::string name;
  std::vector<HostPattern> hosts;
  std::string pool;                       // a [[pool]] name
  bool is_default = false;                // takes the Hosts no site names
  std::vector<std::string> purge_tokens;  // bearer tokens that may purge this site only
  SiteCacheOverrides cache;
  HeaderRulesConfig request_headers;   // applied to the request sent to the origin
  HeaderRulesConfig response_headers;  // applied to the response sent to the client
  bool operator==(const SiteConfig&) const = default;
};

struct PoolServer {
  std::string host;  // IP literal or a name re-resolved every resolve_interval
  std::uint16_t port = 0;
  std::uint32_t weight = 1;
  bool operator==(const PoolServer&) const = default;
};

enum class Balance : std::uint8_t { RoundRobin, LeastRequests, ConsistentHash };

// Active health probe (Varnish-like): `threshold` of the last `window` probes must pass.
struct ProbeConfig {
  bool enabled = false;
  std::string path = "/";
  std::uint32_t interval_ms = 2000;
  std::uint32_t timeout_ms = 1000;
  std::uint32_t window = 5;
  std::uint32_t threshold = 3;
  std::uint16_t expect = 200;
  bool operator==(const ProbeConfig&) const = default;
};

// Passive ejection: after `max_failures` connect errors or 5xx in a row, a server is taken out
// for `backoff_ms`, doubled on each ejection in a row up to `max_backoff_ms`.
struct PassiveHealthConfig {
  std::uint32_t max_failures = 3;  // 0 = never eject passively
  std::uint32_t backoff_ms = 1000;
  std::uint32_t max_backoff_ms = 30000;
  bool operator==(const PassiveHealthConfig&) const = default;
};

struct OriginTlsConfig {
  bool enabled = false;
  bool verify = true;
  std::string ca_file;      // "" = the system store
  std::string sni;          // "" = the server's host name
  std::string client_cert;  // optional client certificate (PEM) and its key
  std::string client_key;
  bool operator==(const OriginTlsConfig&) const = default;
};

struct PoolConfig {
  std::string name;
  std::vector<PoolServer> servers;
  Balance balance = Balance::RoundRobin;
  std::uint32_t resolve_interval_ms = 30000;  // host names looked up again this often
  ProbeConfig probe;
  PassiveHealthConfig passive;
  OriginTlsConfig tls;
  bool operator==(const PoolConfig&) const = default;
};

// [[site]], [[pool]] and what to do with a Host no site takes.
struct SitesConfig {
  std::vector<PoolConfig> pools;
  std::vector<SiteConfig> sites;
  std::uint16_t unknown_host_status = 421;  // 421 or 404, when no site is the default
  bool operator==(const SitesConfig&) const = default;
};

}  // namespace lacquer::conf
