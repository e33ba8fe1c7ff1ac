#include "cluster/node.h"
#include "edge/server/server.h"

#include <event2/event.h>
#include <event2/thread.h>

#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include "edge/server/access_log.h"
#include "edge/server/listeners.h"
#include "edge/server/reload.h"
#include "edge/server/service_notify.h"
#include "edge/server/signals.h"
#include "edge/server/worker.h"
#include "purge/purge_store.h"
#include "purge/entry_verdict.h"
#include "purge/sweeper.h"
#include "storage/cache_key.h"
#include "storage/disk_tier.h"
#include "storage/presence_filter.h"
#include "storage/state_db.h"

namespace lacquer::edge {
namespace {

unsigned worker_count(const conf::Config& config) {
  if (config.server.threads > 0) return config.server.threads;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

// LACQUER_FAULTS=purge-writes[,disk-writes] makes those RocksDB writes fail, so tests can
// check what a full or broken disk does (503 for purges, memory-only serving). Never set in
// production; announced loudly when it is.
void apply_fault_injection(SharedState& shared) {
  const char* faults = std::getenv("LACQUER_FAULTS");
  if (!faults || !*faults) return;
  std::string f = faults;
  std::fprintf(stderr, "lacquer: WARNING: fault injection active: %s\n", faults);
  if (f.find("purge-writes") != std::string::npos) shared.purge_store->fail_writes_for_testing(true);
  if (f.find("disk-writes") != std::string::npos && shared.disk) shared.disk->fail_writes_for_testing(true);
}

// What the disk tier's compaction filter needs from the purge versions (storage/ cannot see
// purge/): the verdict a lookup reaches (purge/entry_verdict.h), from the record's key text and
// tags. Runs on RocksDB's threads; the version table is safe to read from any.
storage::EntryFilterConfig disk_filter(const conf::Config& config, const purge::VersionTable& versions) {
  storage::EntryFilterConfig f;
  f.keep_expired_s = config.cache.disk_keep_expired_s;
  f.purge_seq = [&versions] { return versions.last_purge_seq(); };
  f.purged = [&versions](const storage::EntryMeta& m, std::string_view key, std::span<const std::uint64_t> tags) {
    return purge::entry_verdict(versions, {m.birth_seq, m.birth_seq, key, tags}) == purge::Validity::Invalid;
  };
  return f;
}

// Joins the cluster and, before the node reports ready, replays what it missed.
void start_cluster(const conf::Config& config, SharedState& shared) {
  shared.cluster = std::make_unique<cluster::Node>(config.cluster, shared.versions, *shared.purge_store,
                                                   shared.state_db->db(), shared.state_db->purge_cf());
  shared.cluster->start();
  if (!shared.cluster->wait_ready(std::chrono::milliseconds(config.cluster.catch_up_timeout_ms)))
    std::fprintf(stderr, "lacquer: cluster: still catching up after %u ms; serving anyway (/healthz says 503)\n",
                 config.cluster.catch_up_timeout_ms);
}

}  // namespace

int run_server(const conf::Config& config, const ServerHooks& hooks) {
  evthread_use_pthreads();
  std::signal(SIGPIPE, SIG_IGN);
  std::random_device rd;
  storage::set_process_hash_seed((static_cast<std::uint64_t>(rd()) << 32) | rd());

  const unsigned threads = worker_count(config);
  SharedState shared(config);
  shared.started_at = static_cast<std::int64_t>(std::time(nullptr));
  try {
    // RocksDB work at start-up, before any loop runs: the only time it may block.
    shared.state_db = storage::StateDb::open(
        config.cache.state_dir, storage::StateDbOptions{config.cache.disk_bytes, disk_filter(config, shared.versions)});
    if (config.cache.disk_bytes > 0) {  // 0: memory only (no disk tier, its threads or filter)
      storage::DiskTierOptions disk_options;
      disk_options.admission.admit_all = config.cache.disk_admit_all;
      shared.disk = std::make_unique<storage::DiskTier>(*shared.state_db, disk_options);
      // Sized for objects of 512 bytes on average filling the disk budget.
      shared.disk_filter = std::make_unique<storage::PresenceFilter>(config.cache.disk_bytes / 512);
      // The object count is exact only once the filter's scan has seen every key (RocksDB's
      // estimate-num-keys counts chunks and misses what sits in the WAL), so it is reported then.
      shared.disk_filter->start_loading(*shared.state_db, [](std::uint64_t objects) {
        std::fprintf(stderr, "lacquer: disk tier scanned: %llu objects on disk\n",
                     static_cast<unsigned long long>(objects));
      });
    }
    std::size_t restored = purge::PurgeStore::load(shared.state_db->db(), shared.state_db->purge_cf(), shared.versions);
    shared.purge_store = std::make_unique<purge::PurgeStore>(shared.state_db->db(), shared.state_db->purge_cf(), shared.versions);
    shared.sweeper = std::make_unique<purge::Sweeper>(*shared.tier, shared.versions, purge::Sweeper::Options{});
    shared.cache = std::make_unique<cache::TieredCache>(*shared.tier, shared.disk.get(), shared.disk_filter.get(),
                                                         shared.versions, shared.purge_metrics);
    std::fprintf(stderr, "lacquer: state in %s: %zu purge scopes restored, sequence at %llu%s\n",
                 config.cache.state_dir.c_str(), restored,
                 static_cast<unsigned long long>(shared.versions.current_seq()),
                 shared.disk ? "" : ", memory only (no disk tier)");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lacquer: %s\n", e.what());
    return 1;
  }
  apply_fault_injection(shared);
  if (config.cluster.enabled) start_cluster(config, shared);
  BoundListeners main_fds, admin_fds;
  try {
    main_fds = bind_listeners(config.server.listen, static_cast<int>(threads));
    admin_fds = bind_listeners(config.server.admin, 1);
    shared.listen_address = main_fds.address;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lacquer: %s\n", e.what());
    return 1;
  }

  AccessLog access_log(config.log, threads + 1);  // one buffer per worker, the admin worker's last
  shared.access_log = &access_log;
  std::vector<std::unique_ptr<Worker>> workers;
  try {
    for (unsigned i = 0; i < threads; ++i)
      workers.push_back(std::make_unique<Worker>(static_cast<int>(i), shared, main_fds.fds[i], Worker::Role::Proxy));
    workers.push_back(std::make_unique<Worker>(static_cast<int>(threads), shared, admin_fds.fds[0], Worker::Role::Admin));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lacquer: %s\n", e.what());
    return 1;
  }
  for (unsigned i = 0; i < threads; ++i) shared.workers.push_back(workers[i].get());  // not admin

  event_base* main_base = event_base_new();
  SignalActions actions;
  actions.graceful_stop = [&] {
    for (const auto& w : workers) w->drain();
    event_base_loopexit(main_base, nullptr);
  };
  actions.immediate_stop = [&] {
    for (const auto& w : workers) w->stop_now();
    event_base_loopexit(main_base, nullptr);
  };
  actions.reopen_logs = [&] { access_log.reopen(); };
  actions.reload = [&] { reload_config(hooks, shared, access_log); };
  auto signals = std::make_unique<SignalHandlers>(main_base, std::move(actions));

  for (const auto& w : workers) w->start();
  std::fprintf(stderr, "lacquer: ready listen=%s admin=%s origin=%s threads=%u\n",
               main_fds.address.c_str(), admin_fds.address.c_str(),
               config.origin.address.to_string().c_str(), threads);
  std::fflush(stderr);
  notify_service_manager("READY=1");

  event_base_dispatch(main_base);
  notify_service_manager("STOPPING=1");
  for (const auto& w : workers) w->join();
  // Flush queued purge writes while the workers (whose inboxes they post to) still exist.
  shared.cluster.reset();  // its threads write through the purge store
  shared.purge_store.reset();
  shared.disk.reset();
  workers.clear();
  signals.reset();
  event_base_free(main_base);
  std::fprintf(stderr, "lacquer: stopped\n");
  return 0;
}

}  // namespace lacquer::edge
