// The configuration model: embedded defaults <- TOML file <- command-line flags.
// Plain structs; loading and validation live in loader.h, flags in command_line.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "conf/sites.h"

namespace lacquer::conf {

struct Endpoint {
  std::string host;  // IPv4 literal, IPv6 literal (without brackets) or a hostname
  std::uint16_t port = 0;
  std::string to_string() const;  // "127.0.0.1:8080", "[::1]:8080"
};

struct ServerConfig {
  Endpoint listen{"127.0.0.1", 8080};
  // False when [[listen]] tables are given and neither server.listen nor --listen is: the
  // tables then replace the default cleartext listener.
  bool listen_enabled = true;
  Endpoint admin{"127.0.0.1", 8081};
  unsigned threads = 0;  // 0 = one per CPU core
  std::string default_host;  // authority for requests without Host (RFC 9112 §3.3); "" = local address
  std::string takeover_socket;  // Unix socket a `lacquer --takeover` connects to; "" = <state_dir>/takeover.sock
  // Peers whose X-Forwarded-For / X-Forwarded-Proto / Forwarded are believed (CIDRs); from
  // anyone else those fields are replaced by lacquer's own.
  std::vector<std::string> trusted_proxies;
};

struct OriginConfig {
  Endpoint address{"127.0.0.1", 8000};
  std::uint32_t connect_timeout_ms = 2000;
  std::uint32_t first_byte_timeout_ms = 15000;  // request sent -> response head complete
  std::uint32_t read_timeout_ms = 30000;        // between body bytes
  std::uint32_t idle_timeout_ms = 30000;        // pooled keep-alive connection unused
  std::uint32_t max_idle_per_worker = 64;
};

struct CacheConfig {
  std::string state_dir = "./lacquer-state";
  std::uint64_t memory_bytes = 256ull << 20;
  std::uint64_t disk_bytes = 1ull << 30;
  std::uint64_t max_object_bytes = 16ull << 20;  // memory admission limit per response
  std::uint32_t max_ttl_s = 365u * 86400u;       // cap on any freshness lifetime
  std::uint32_t default_grace_s = 0;             // stale serving when the origin sends nothing
  std::uint32_t heuristic_max_ttl_s = 86400;     // cap on a heuristic lifetime (10% of age since Last-Modified)
  std::uint32_t hit_for_miss_s = 30;             // after an uncacheable response: no coalescing for this long
  std::uint32_t disk_keep_expired_s = 3600;      // disk tier: kept this long after it cannot be served
  bool disk_admit_all = false;                   // disk tier: write every stored response (no admission)
  bool memory_admission = true;                  // memory tier: TinyLFU admission (storage/memory_tier.h)
  bool store_set_cookie = false;                 // store responses carrying Set-Cookie
  bool honour_client_no_cache = false;           // CDN default: ignore client no-cache/no-store
  bool keep_surrogate_headers = false;           // send Surrogate-Key / Surrogate-Control downstream
  bool forward_cdn_cache_control = true;         // RFC 9213 §3: CDNs typically pass it on
  // Probabilistic early refresh (XFetch, cache/early_refresh.h): a hit close to expiry may start
  // one background refresh, so hot objects are refreshed before clients see them expire.
  bool early_refresh = false;
  double early_refresh_beta = 1.0;               // eagerness; 0 is off as well
  std::uint32_t early_refresh_min_delta_ms = 100;  // floor under the measured origin fetch time
};

struct LimitsConfig {
  std::uint32_t max_request_line = 8 * 1024;     // 414
  std::uint32_t max_header_field = 8 * 1024;     // 431
  std::uint32_t max_header_bytes = 32 * 1024;    // 431
  std::uint32_t max_header_count = 100;          // 431
  std::uint64_t max_body_bytes = 16ull << 20;    // 413
  std::uint32_t header_timeout_ms = 10000;       // first byte -> end of head
  std::uint32_t body_timeout_ms = 30000;         // between request body bytes
  std::uint32_t body_deadline_ms = 120000;       // whole request body, from the end of the head (408)
  std::uint32_t tunnel_idle_timeout_ms = 300000; // upgrade tunnel (WebSocket) with no byte either way
  std::uint32_t idle_timeout_ms = 60000;         // keep-alive connection with no request
  std::uint32_t max_connections = 10000;         // per process
  std::uint64_t max_output_buffer = 4ull << 20;  // per connection, before we stop reading origin
};

struct PurgeConfig {
  bool allow_loopback = true;            // loopback clients may PURGE without a token
  std::vector<std::string> allow_cidrs;  // besides loopback, e.g. "10.0.0.0/8"
  std::string token;                     // Authorization: Bearer <token>; empty = none
};

enum class AccessLogFormat : std::uint8_t { Combined, Json };

struct LogConfig {
  std::string access;  // access log: a file path, "-" for stdout, "" for none
  AccessLogFormat access_format = AccessLogFormat::Combined;
};

// [cluster]: purge fan-out over a Redis Stream (cluster/). Off unless `redis` is set.
struct ClusterConfig {
  bool enabled = false;                        // set by cluster.redis
  Endpoint redis{"127.0.0.1", 6379};
  std::string stream = "lacquer:purges";       // the stream; node positions go to <stream>:nodes
  std::string node;                            // this node's id, unique in the cluster (required)
  std::string username;                        // Redis ACL user; empty = AUTH <password> only
  std::string password;                        // empty = no AUTH
  std::uint64_t trim_max_length = 1000000;     // XADD MAXLEN ~ N; 0 = no length bound
  std::uint32_t trim_max_age_s = 0;            // XTRIM MINID ~ now-age every 10 s; 0 = off
  bool gap_purge_soft = false;                 // gap_purge = "soft": the conservative purge is soft
  std::uint32_t wait_timeout_ms = 5000;        // Purge-Wait: all gives up after this long
  std::uint32_t connect_timeout_ms = 1000;     // per Redis connect or command
  std::uint32_t catch_up_timeout_ms = 30000;   // start-up waits this long for the catch-up
};

// Where a [[listen]] entry was written ("lacquer.toml:12:1" and its key path), so that problems
// found only when its files are read (a missing certificate, a key that does not match) name it.
struct ConfigPlace {
  std::string position;  // "file:line:column"
  std::string key;       // "listen[1].certificates[0]"
  std::string to_string() const { return position + ": " + key; }
};

// One certificate chain and its private key (PEM files) of a TLS listener.
struct TlsCertificateConfig {
  std::string cert;
  std::string key;
  ConfigPlace place;
};

// [[listen]]: one more listening address. Cleartext takes HTTP/1.1 and HTTP/2 with prior
// knowledge; TLS offers h2 and http/1.1 by ALPN and picks a certificate by SNI (its names come
// from the certificate; the first certificate is the default).
struct ListenConfig {
  Endpoint address;
  bool tls = false;
  std::vector<TlsCertificateConfig> certificates;
  ConfigPlace place;
};

// Cache warming (POST /warm on the admin port, `lacquer warm FILE`, and a list run at start).
struct WarmConfig {
  std::string list;                  // a URL list or sitemap file warmed at start; "" = none
  std::string sitemap;               // a sitemap (or sitemap index) URL warmed at start; "" = none
  std::uint32_t every_s = 0;         // list and sitemap run again this often (read afresh); 0 = at start only
  std::uint32_t concurrency = 4;     // URLs fetched at once per warm job
  std::uint32_t rate = 100;          // URLs started per second per warm job; 0 = no limit
  std::uint32_t max_memory_fill = 90;  // percent of the memory budget past which warming stops
  std::uint32_t max_urls = 100000;   // per warm job
};

struct Config {
  std::vector<ListenConfig> listeners;  // [[listen]] tables, in file order
  ServerConfig server;
  OriginConfig origin;
  CacheConfig cache;
  LimitsConfig limits;
  PurgeConfig purge;
  LogConfig log;
  ClusterConfig cluster;
  SitesConfig routing;  // [[site]], [[pool]], server.unknown_host_status
  WarmConfig warm;
};

}  // namespace lacquer::conf
