// Counters for /metrics. Each worker owns a WorkerMetrics and is its only writer (relaxed
// load+store, no read-modify-write on the hot path); the admin thread sums them when scraped.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "http/h2_error_code.h"
#include "http/h2_flood_guard.h"

namespace lacquer::edge {

struct Counter {
  std::atomic<std::uint64_t> v{0};
  void inc(std::uint64_t n = 1) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void dec() { v.store(v.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed); }
  std::uint64_t get() const { return v.load(std::memory_order_relaxed); }
};

struct alignas(64) WorkerMetrics {
  // Every request parsed, by protocol: HTTP/1.x in the clear and over TLS, HTTP/2 in the clear
  // (h2c) and over TLS (h2). Their sum is the request count.
  enum Protocol : std::uint8_t { kHttp1, kHttp1Tls, kH2c, kH2, kProtocols };
  static constexpr const char* kProtocolLabels[kProtocols] = {"http1", "http1_tls", "h2c", "h2"};
  Counter requests_by_protocol[kProtocols];
  std::uint64_t requests() const {
    std::uint64_t n = 0;
    for (const Counter& c : requests_by_protocol) n += c.get();
    return n;
  }
  Counter hits;
  Counter disk_hits;           // hits served from the disk tier (and promoted)
  Counter misses;              // cacheable method, not served from cache
  Counter passes;              // methods the cache does not handle, forwarded as is
  Counter stored;              // responses stored
  Counter not_stored;          // cacheable-method misses not stored
  Counter bad_requests;        // rejected by the parser or framing rules
  Counter synthetic_errors;    // 5xx we generated (origin failures)
  Counter truncated_responses; // origin broke off mid-body; client connection closed
  Counter connections_accepted;
  Counter connections_open;
  Counter connections_rejected;  // over the connection cap
  Counter timeouts;              // header, body or idle timeouts on client connections
  Counter body_deadlines;        // ... of which request bodies over the total body deadline
  Counter tunnels;               // upgrades the origin accepted (101): tunnels opened
  Counter tunnel_bytes_to_origin;
  Counter tunnel_bytes_to_client;
  Counter tunnel_idle_timeouts;  // tunnels closed because nothing moved
  Counter collapsed;             // requests answered from another request's origin fetch
  Counter revalidations;         // conditional requests to the origin for a stale entry
  Counter revalidated;           // ... answered 304: the entry was freshened without a body
  Counter stale_while_revalidate;  // stale served while a background fetch refreshes it
  Counter early_refreshes;
  Counter response_body_bytes;   // body bytes written to clients, HTTP/1.1 and HTTP/2 (the dashboard's bandwidth)       // background refreshes started by a fresh hit near expiry (XFetch)
  Counter stale_if_error;        // stale served because the origin failed
  Counter not_modified;          // 304 answered from the cache to a conditional request
  Counter invalidations;         // URLs invalidated by a successful unsafe request (§4.4)
  Counter h2_connections;        // connections that switched to HTTP/2
  Counter h2_streams;            // HTTP/2 request streams opened
  // RST_STREAM from clients, and RST_STREAM we sent (malformed requests, refusals, aborts), by
  // error code (http::h2_error_index).
  Counter h2_resets_received[http::kH2ErrorLabels];
  Counter h2_resets_sent[http::kH2ErrorLabels];
  Counter h2_goaways_sent;       // GOAWAY we sent (shutdown, timeouts, ENHANCE_YOUR_CALM)
  Counter h2_floods[http::kH2FloodKinds - 1];  // connections ended for abuse, by cause (h2_flood)
  Counter& h2_flood(http::H2Flood cause) { return h2_floods[static_cast<std::size_t>(cause) - 1]; }
  Counter tls_handshakes;        // TLS handshakes completed
  Counter tls_resumptions;       // ... of which resumed a session (ticket or cache)
  Counter tls_handshake_failures;  // TLS handshakes that failed, were cut or timed out
  Counter responses_by_class[5];  // responses by status class, 1xx..5xx (index = class - 1)
};

// One site's counters on one worker, labelled site="<name>" in /metrics. Sites come from the
// config only, so the label set is bounded; each site has a slot in every worker's array
// (edge/metric_slots.h), the same across reloads.
struct SiteCounters {
  Counter requests;    // requests routed to the site
  Counter hits;
  Counter misses;
  Counter body_bytes;  // response body bytes written to clients
  Counter purges;      // purge requests scoped to the site (main and admin port)
};

}  // namespace lacquer::edge
