// The process-wide side of origin pools: per server its current address (re-resolved off the
// event loops) and its health (probes and passive ejection, origin/health.h), shared by every
// worker's OriginPool. Workers read both through atomics on the hot path; the upkeep thread
// (resolving and probing) and the workers' failure reports write under a per-server mutex.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "conf/sites.h"
#include "origin/health.h"
#include "origin/tls_client.h"

namespace lacquer::origin {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

class ServerState {
 public:
  ServerState(const conf::PoolServer& server, const conf::PoolConfig& pool);

  const conf::PoolServer& config() const { return config_; }  // its weight: the pool's config
  // A reload kept this server (same host and port in the same pool) under changed pool settings.
  void reconfigure(const conf::PoolConfig& pool);
  std::string label() const;             // "host:port", for logs and metrics
  std::uint64_t id_hash() const { return id_hash_; }

  // The address; false while the name has never resolved. `generation` changes with it.
  bool address(SocketAddress& out) const;
  std::uint64_t address_generation() const { return generation_.load(std::memory_order_acquire); }
  void set_address(const SocketAddress& addr);

  bool usable(std::int64_t now_ms) const {
    return has_address_.load(std::memory_order_acquire) && probe_up_.load(std::memory_order_relaxed) &&
           now_ms >= ejected_until_ms_.load(std::memory_order_relaxed);
  }
  bool probe_up() const { return probe_up_.load(std::memory_order_relaxed); }
  bool ejected(std::int64_t now_ms) const { return now_ms < ejected_until_ms_.load(std::memory_order_relaxed); }
  void probe_result(bool passed);
  void request_failed(std::int64_t now_ms);
  void request_succeeded();

  // Counters for /metrics (relaxed).
  std::atomic<std::uint64_t> requests{0}, failures{0}, ejections{0}, probes_passed{0}, probes_failed{0};
  // Fetches on this server that failed, by OriginError kind (origin/origin_client.h) but NoServer.
  static constexpr int kErrorKinds = 6;
  std::atomic<std::uint64_t> errors[kErrorKinds] = {};

 private:
  void publish_health();  // under mu_

  conf::PoolServer config_;
  std::uint64_t id_hash_;
  mutable std::mutex mu_;
  HealthState health_;
  SocketAddress addr_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<bool> has_address_{false};
  std::atomic<bool> probe_up_{true};
  std::atomic<std::int64_t> ejected_until_ms_{0};
  std::atomic<bool> succeeded_since_failure_{true};  // skips the mutex on the common success
};

// One pool of one configuration. Its servers are shared with the configuration a reload builds
// next when they stay in the pool (origin/pool_state.h, PoolSet), so health and counters
// carry over; config.servers[i] is servers[i]'s entry (its weight).
struct PoolState {
  conf::PoolConfig config;
  std::vector<std::shared_ptr<ServerState>> servers;
  std::unique_ptr<const TlsClientContext> tls;  // set when config.tls.enabled
};

// Every pool of one configuration, and the thread that keeps their addresses and probes
// current. Built before the workers start, and again by each reload that changes a pool; shared
// by the snapshots that use it (a fetch keeps the one it started with).
class PoolSet {
 public:
  // Resolves every new server once (blocking: called on the main thread, never on a loop). A
  // name that does not resolve leaves its server unusable until it does; with `strict` (the
  // implicit pool of a plain --origin, as before sites existed) it throws instead.
  // With `previous` (a reload), what stays is carried over rather than built again: a pool
  // whose config is unchanged is the same PoolState, and a server that stays in a pool of the
  // same name (same host and port) is the same ServerState: its address, health (an ejection,
  // the probe window) and counters go on. Call previous->stop() once this one has started.
  PoolSet(const std::vector<conf::PoolConfig>& pools, bool strict, const PoolSet* previous = nullptr);
  ~PoolSet();
  PoolSet(const PoolSet&) = delete;
  PoolSet& operator=(const PoolSet&) = delete;

  // Starts the upkeep thread (re-resolving names, active probes). Idempotent.
  void start();
  // Stops the upkeep thread for good (a reload replaced this set: the new one probes the
  // servers that stay; removed ones are probed no more). Blocks for at most one probe.
  void stop();

  std::size_t size() const { return pools_.size(); }
  const PoolState* find(const std::string& name) const;  // null when no pool has that name
  PoolState& pool(std::size_t i) { return *pools_[i]; }
  const PoolState& pool(std::size_t i) const { return *pools_[i]; }

 private:
  void run();

  std::vector<std::shared_ptr<PoolState>> pools_;
  std::map<const conf::PoolConfig*, const TlsClientContext*> pool_tls_;  // upkeep thread only
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

// Milliseconds on a monotonic clock: the time base of ejections.
std::int64_t monotonic_ms();

// Whether `name` is an IP literal (never re-resolved).
bool is_ip_literal(const std::string& name);

// Blocking lookup of host:port (upkeep thread and start-up only).
bool resolve(const std::string& host, std::uint16_t port, SocketAddress& out);

// One blocking HTTP/1.1 probe: GET path, Connection: close (over TLS when `tls` is set); true
// when the status is `expect`. Runs on the upkeep thread only.
bool run_probe(const SocketAddress& addr, const std::string& host_header, const conf::ProbeConfig& probe,
               const TlsClientContext* tls);

}  // namespace lacquer::origin
