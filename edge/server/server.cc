#include "cluster/node.h"
#include "edge/server/server.h"
#include "edge/admin/purge_scope.h"

#include <event2/event.h>
#include <event2/thread.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
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
#include "edge/server/takeover.h"
#include "edge/server/tls_context.h"
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

// Warm jobs request their URLs from one of our own listeners: the main one, else a cleartext
// [[listen]] table, else a TLS one (a config may have only those).
void choose_warm_listener(const conf::Config& config, const BoundListeners& main_fds,
                          const std::vector<BoundListeners>& table_fds, SharedState& shared) {
  if (!main_fds.fds.empty()) {
    shared.warm_address = main_fds.address;
    return;
  }
  for (bool tls : {false, true})
    for (std::size_t i = 0; i < table_fds.size() && i < config.listeners.size(); ++i)
      if (config.listeners[i].tls == tls && !table_fds[i].fds.empty()) {
        shared.warm_address = table_fds[i].address;
        shared.warm_tls = tls;
        return;
      }
}

// Joins the cluster and, before the node reports ready, replays what it missed.
void start_cluster(const conf::Config& config, SharedState& shared) {
  shared.cluster = std::make_unique<cluster::Node>(config.cluster, shared.versions, *shared.purge_store,
                                                   shared.state_db->db(), shared.state_db->purge_cf());
  RecentPurges* recent = &shared.recent_purges;  // listed on the dashboard with the local ones
  shared.cluster->on_applied([recent](const cluster::Event& e) {
    if (e.targets.empty()) return;
    std::string label;
    for (const auto& t : e.targets) label.append(label.empty() ? "" : " ").append(t.label);
    if (!e.site.empty()) label.append(" (site ").append(e.site).append(")");
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    recent->add({now_ms, std::string(purge::to_string(e.targets.front().scope)), std::move(label), e.soft,
                 e.node.empty() ? "a publisher" : e.node});
  });
  shared.cluster->start();
  if (!shared.cluster->wait_ready(std::chrono::milliseconds(config.cluster.catch_up_timeout_ms)))
    std::fprintf(stderr, "lacquer: cluster: still catching up after %u ms; serving anyway (/healthz says 503)\n",
                 config.cluster.catch_up_timeout_ms);
}

// How long a process taking over waits for the old one to drain and close the state directory
// (its drain deadline is 30 s), and then for RocksDB's lock.
constexpr int kReleaseTimeoutMs = 45000;
constexpr auto kLockRetryFor = std::chrono::seconds(10);

// Opens the state directory. Taking over, the old process may still be letting go of its lock
// when it has said "released" (or died): retry for a while.
std::unique_ptr<storage::StateDb> open_state(const conf::Config& config, const SharedState& shared, bool taking_over) {
  const auto deadline = std::chrono::steady_clock::now() + kLockRetryFor;
  for (;;) {
    try {
      return storage::StateDb::open(config.cache.state_dir,
                                    storage::StateDbOptions{config.cache.disk_bytes, disk_filter(config, shared.versions)});
    } catch (const std::exception&) {
      if (!taking_over || std::chrono::steady_clock::now() > deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // start-up: no loop runs yet
    }
  }
}

// The listening sockets a takeover brought, spread over this process's workers: one each
// while they last, shared (dup) when there are more workers than sockets, several on one
// worker when there are fewer. None is closed: connections may wait in any of them.
struct ListenerPlan {
  std::vector<int> first;                    // one per worker
  std::vector<std::vector<int>> more;        // extra sockets per worker
};

ListenerPlan plan_listeners(const std::vector<int>& fds, unsigned workers) {
  ListenerPlan plan;
  plan.more.resize(workers);
  for (unsigned i = 0; i < workers; ++i)
    plan.first.push_back(fds.empty()      ? -1  // only [[listen]] tables: no main socket
                         : i < fds.size() ? fds[i]
                                          : fcntl(fds[i % fds.size()], F_DUPFD_CLOEXEC, 0));
  for (std::size_t j = workers; j < fds.size(); ++j) plan.more[j % workers].push_back(fds[j]);
  return plan;
}

std::size_t inherited_count(const takeover::Inherited& inherited) {
  std::size_t n = inherited.main_fds.size() + inherited.admin_fds.size();
  for (const auto& group : inherited.table_fds) n += group.size();
  return n;
}

// Taking over: each [[listen]] table of the new configuration takes the old process's sockets
// for its address (takeover::match_listen_tables), so connections waiting in them are served;
// a new address is bound; an old table the new configuration dropped is closed.
std::vector<BoundListeners> take_listen_tables(const conf::Config& config, takeover::Inherited& inherited,
                                               unsigned threads) {
  std::vector<std::string> wanted, bound;
  for (const auto& l : config.listeners) wanted.push_back(l.address.to_string());
  for (const auto& group : inherited.table_fds) bound.push_back(takeover::local_address(group.front()));
  const std::vector<int> match = takeover::match_listen_tables(wanted, bound);
  std::vector<BoundListeners> tables;
  std::vector<bool> used(bound.size(), false);
  for (std::size_t l = 0; l < wanted.size(); ++l) {
    if (match[l] < 0) {
      tables.push_back(bind_listeners(config.listeners[l].address, static_cast<int>(threads)));
      continue;
    }
    used[static_cast<std::size_t>(match[l])] = true;
    tables.push_back({inherited.table_fds[static_cast<std::size_t>(match[l])], bound[static_cast<std::size_t>(match[l])]});
  }
  for (std::size_t g = 0; g < bound.size(); ++g) {
    if (used[g]) continue;
    std::fprintf(stderr, "lacquer: takeover: %s is not in the new configuration; closing it\n", bound[g].c_str());
    for (int fd : inherited.table_fds[g]) close(fd);
  }
  return tables;
}

}  // namespace

int run_server(const conf::Config& config, const ServerHooks& hooks) {
  evthread_use_pthreads();
  std::signal(SIGPIPE, SIG_IGN);
  std::random_device rd;
  storage::set_process_hash_seed((static_cast<std::uint64_t>(rd()) << 32) | rd());

  const unsigned threads = worker_count(config);
  // Certificates first: a missing or mismatched file is a configuration error (exit 2), found
  // before any state is opened.
  std::vector<std::unique_ptr<TlsListener>> tls_listeners;
  try {
    tls_listeners = load_tls_listeners(config);
  } catch (const TlsError& e) {
    std::fprintf(stderr, "lacquer: config error: %s\n", e.what());
    std::fprintf(stderr, "lacquer: refusing to start with an invalid configuration\n");
    return 2;
  }
  const std::string takeover_path = takeover::socket_path(config);
  std::optional<takeover::Inherited> inherited;
  if (hooks.takeover) {
    try {
      inherited = takeover::receive_listeners(takeover_path);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "lacquer: %s\n", e.what());
      return 1;
    }
    // Before the old process can exit: systemd (NotifyAccess=all) must know who the service is.
    notify_service_manager("MAINPID=" + std::to_string(getpid()));
    std::fprintf(stderr, "lacquer: takeover: holding the %zu listening sockets of pid %d; waiting for it to drain "
                 "and release %s\n", inherited_count(*inherited),
                 static_cast<int>(inherited->from_pid), config.cache.state_dir.c_str());
    std::fflush(stderr);
    takeover::acknowledge(*inherited);
    if (!takeover::wait_released(*inherited, kReleaseTimeoutMs))
      std::fprintf(stderr, "lacquer: takeover: pid %d did not release the state directory in %d s; trying anyway\n",
                   static_cast<int>(inherited->from_pid), kReleaseTimeoutMs / 1000);
    close(inherited->channel);
  }
  SharedState shared(config);
  shared.started_at = static_cast<std::int64_t>(std::time(nullptr));
  try {
    // RocksDB work at start-up, before any loop runs: the only time it may block.
    shared.state_db = open_state(config, shared, inherited.has_value());
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
    shared.live = first_live_settings(config);  // sites and pools; throws when they cannot be built
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
  std::vector<BoundListeners> table_fds;  // one per [[listen]] table
  try {
    if (inherited) {
      if (!inherited->main_fds.empty())
        main_fds = {inherited->main_fds, takeover::local_address(inherited->main_fds[0])};
      else if (config.server.listen_enabled)  // the old process had only [[listen]] tables
        main_fds = bind_listeners(config.server.listen, static_cast<int>(threads));
      admin_fds = {inherited->admin_fds, takeover::local_address(inherited->admin_fds[0])};
      table_fds = take_listen_tables(config, *inherited, threads);
    } else {
      if (config.server.listen_enabled) main_fds = bind_listeners(config.server.listen, static_cast<int>(threads));
      for (const auto& l : config.listeners) table_fds.push_back(bind_listeners(l.address, static_cast<int>(threads)));
      admin_fds = bind_listeners(config.server.admin, 1);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lacquer: %s\n", e.what());
    return 1;
  }
  choose_warm_listener(config, main_fds, table_fds, shared);
  const ListenerPlan main_plan = plan_listeners(main_fds.fds, threads);
  const ListenerPlan admin_plan = plan_listeners(admin_fds.fds, 1);
  std::vector<ListenerPlan> table_plans;  // a takeover may bring more or fewer sockets than workers
  for (const auto& t : table_fds) table_plans.push_back(plan_listeners(t.fds, threads));

  AccessLog access_log(config.log, threads + 1);  // one buffer per worker, the admin worker's last
  shared.access_log = &access_log;
  shared.tls_listeners = &tls_listeners;
  std::vector<std::unique_ptr<Worker>> workers;
  try {
    for (unsigned i = 0; i < threads; ++i) {
      workers.push_back(std::make_unique<Worker>(static_cast<int>(i), shared, main_plan.first[i], Worker::Role::Proxy));
      for (int fd : main_plan.more[i]) workers.back()->add_listener(fd);
      for (std::size_t l = 0; l < table_fds.size(); ++l) {
        workers.back()->add_listener(table_plans[l].first[i], tls_listeners[l].get());
        for (int fd : table_plans[l].more[i]) workers.back()->add_listener(fd, tls_listeners[l].get());
      }
    }
    workers.push_back(std::make_unique<Worker>(static_cast<int>(threads), shared, admin_plan.first[0], Worker::Role::Admin));
    for (int fd : admin_plan.more[0]) workers.back()->add_listener(fd);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lacquer: %s\n", e.what());
    return 1;
  }
  for (unsigned i = 0; i < threads; ++i) shared.workers.push_back(workers[i].get());  // not admin
  if (workers.size() > threads) shared.admin_worker = workers[threads].get();

  event_base* main_base = event_base_new();
  // Every listening socket the workers own, offered to a process that takes over.
  auto offered = [](const ListenerPlan& plan) {
    std::vector<int> fds;
    for (int fd : plan.first)
      if (fd >= 0) fds.push_back(fd);  // -1: no main port, only [[listen]] tables
    for (const auto& more : plan.more) fds.insert(fds.end(), more.begin(), more.end());
    return fds;
  };
  std::vector<std::vector<int>> offered_tables;
  for (const auto& plan : table_plans) offered_tables.push_back(offered(plan));
  pid_t successor = 0;
  std::unique_ptr<takeover::Offer> offer;
  try {
    offer = std::make_unique<takeover::Offer>(main_base, takeover_path, offered(main_plan), offered(admin_plan),
                                              std::move(offered_tables), [&](pid_t pid) {
      successor = pid;
      for (const auto& w : workers) w->hand_over();
      event_base_loopexit(main_base, nullptr);
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lacquer: %s; --takeover and SIGUSR2 cannot reach this process\n", e.what());
  }
  SignalActions actions;
  actions.graceful_stop = [&] {
    if (offer) offer->withdraw();
    for (const auto& w : workers) w->drain();
    event_base_loopexit(main_base, nullptr);
  };
  actions.immediate_stop = [&] {
    if (offer) offer->withdraw();
    for (const auto& w : workers) w->stop_now();
    event_base_loopexit(main_base, nullptr);
  };
  actions.reopen_logs = [&] { access_log.reopen(); };
  actions.reload = [&] {
    reload_config(hooks, shared, access_log, [&](const LiveSettingsPtr& settings) {
      for (const auto& w : workers) w->publish(settings);
    });
  };
  actions.upgrade = [&] {
    std::string error;
    if (!offer || successor != 0)
      std::fprintf(stderr, "lacquer: SIGUSR2 ignored: no takeover socket, or already handing over\n");
    else if (!takeover::spawn_successor(hooks.argv, error))
      std::fprintf(stderr, "lacquer: SIGUSR2: cannot start a new process: %s\n", error.c_str());
    std::fflush(stderr);
  };
  auto signals = std::make_unique<SignalHandlers>(main_base, std::move(actions));

  if (!is_loopback_address(config.server.admin.host))
    std::fprintf(stderr, "lacquer: admin port %s is reachable beyond loopback: it refuses purges without "
                         "Authorization: Bearer <purge.token or a site's purge_tokens>\n",
                 config.server.admin.to_string().c_str());
  shared.live->pools->start();
  for (const auto& w : workers) w->start();
  for (std::size_t l = 0; l < table_fds.size(); ++l) {
    const auto* tls = tls_listeners[l].get();
    if (tls)
      std::fprintf(stderr, "lacquer: listening https=%s certificates=%zu names=%s\n", table_fds[l].address.c_str(),
                   tls->certificates()->count(), tls->certificates()->names().c_str());
    else
      std::fprintf(stderr, "lacquer: listening http=%s\n", table_fds[l].address.c_str());
  }
  const std::string& first = main_fds.fds.empty() ? table_fds.front().address : main_fds.address;
  std::fprintf(stderr, "lacquer: ready listen=%s admin=%s origin=%s threads=%u%s\n",
               first.c_str(), admin_fds.address.c_str(),
               config.origin.address.to_string().c_str(), threads,
               inherited ? (" (took over from pid " + std::to_string(inherited->from_pid) + ")").c_str() : "");
  std::fflush(stderr);
  notify_service_manager("READY=1");

  event_base_dispatch(main_base);
  // Handing over, the service goes on in the successor: no STOPPING=1.
  if (successor == 0) notify_service_manager("STOPPING=1");
  for (const auto& w : workers) w->join();
  // Flush queued purge writes while the workers (whose inboxes they post to) still exist.
  shared.cluster.reset();  // its threads write through the purge store
  shared.purge_store.reset();
  shared.disk.reset();
  workers.clear();
  // Close the state directory now, not at exit, so that a successor can open it at once.
  shared.cache.reset();
  shared.disk_filter.reset();
  shared.state_db.reset();
  if (offer) offer->released();
  offer.reset();
  signals.reset();
  event_base_free(main_base);
  if (successor != 0)
    std::fprintf(stderr, "lacquer: stopped; pid %d took over\n", static_cast<int>(successor));
  else
    std::fprintf(stderr, "lacquer: stopped\n");
  return 0;
}

}  // namespace lacquer::edge
