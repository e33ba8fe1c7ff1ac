#include "edge/admin/warm_service.h"

#include <event2/event.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "conf/loader.h"
#include "edge/server/worker.h"
#include "storage/memory_tier.h"

namespace lacquer::edge {
namespace {
constexpr std::size_t kKeptJobs = 64;
}

WarmService::WarmService(event_base* base, const SharedState& shared) : base_(base), shared_(shared) {
  const auto& w = shared.config.warm;
  settings_ = {w.concurrency, w.rate, w.max_memory_fill, w.max_urls};
  conf::OriginConfig self;  // our own listener: timeouts as for an origin
  self.address = conf::parse_endpoint(shared.warm_address).value_or(conf::Endpoint{"127.0.0.1", 0});
  if (self.address.host == "0.0.0.0" || self.address.host.empty()) self.address.host = "127.0.0.1";
  if (self.address.host == "::") self.address.host = "::1";
  self.max_idle_per_worker = w.concurrency;
  // A pool of one server, ourselves: never ejected, no probes (conf/sites.h defaults, eject off).
  conf::PoolConfig pool;
  pool.name = "self";
  pool.servers.push_back(conf::PoolServer{self.address.host, self.address.port, 1});
  pool.passive.max_failures = 0;
  // Our own TLS listener: the connection never leaves the host, and its certificate names the
  // sites, not the loopback address it is reached by.
  pool.tls.enabled = shared.warm_tls;
  pool.tls.verify = false;
  self_pools_ = std::make_unique<origin::PoolSet>(std::vector<conf::PoolConfig>{pool}, false);
  self_ = std::make_unique<origin::OriginPool>(base, self_pools_->pool(0), self, shared.parse_limits, self_counters_);
}

WarmService::~WarmService() {
  if (round_timer_) event_free(round_timer_);
  jobs_.clear();  // cancels their requests while the pool is still there
  self_.reset();
}

WarmJob& WarmService::new_job() {
  while (jobs_.size() >= kKeptJobs && jobs_.front()->finished()) jobs_.pop_front();
  jobs_.push_back(std::make_unique<WarmJob>(next_id_++, base_, *self_, settings_, [this] { return memory_fill(); }));
  return *jobs_.back();
}

unsigned WarmService::memory_fill() const {
  const auto budget = shared_.tier->budget_bytes();
  if (budget == 0) return 100;
  return static_cast<unsigned>(shared_.tier->stats().bytes * 100 / budget);
}

std::uint64_t WarmService::submit(http::WarmList list) {
  WarmJob& job = new_job();
  job.add_urls(std::move(list.urls), list.rejected);
  job.start();
  return job.id();
}

std::uint64_t WarmService::submit_sitemap(std::string url) {
  WarmJob& job = new_job();
  job.add_sitemap(std::move(url));
  job.start();
  return job.id();
}

const WarmJob* WarmService::find(std::uint64_t id) const {
  for (const auto& j : jobs_)
    if (j->id() == id) return j.get();
  return nullptr;
}

std::optional<std::string> WarmService::status_json(std::uint64_t id) const {
  const WarmJob* job = find(id);
  if (!job) return std::nullopt;
  return job->status_json();
}

void WarmService::start_configured_rounds() {
  const auto& w = shared_.config.warm;
  if (w.list.empty() && w.sitemap.empty()) return;
  run_round();
  if (w.every_s == 0) return;
  round_timer_ = event_new(base_, -1, EV_PERSIST, &WarmService::on_round, this);
  const timeval every{static_cast<time_t>(w.every_s), 0};
  evtimer_add(round_timer_, &every);
}

void WarmService::on_round(int, short, void* self) {
  auto* s = static_cast<WarmService*>(self);
  for (const std::uint64_t id : s->round_jobs_) {
    const WarmJob* job = s->find(id);
    if (job && !job->finished()) {
      std::fprintf(stderr, "lacquer: warm round skipped: job %llu from the last round is still running\n",
                   static_cast<unsigned long long>(id));
      return;
    }
  }
  s->run_round();
}

void WarmService::run_round() {
  const auto& w = shared_.config.warm;
  round_jobs_.clear();
  if (!w.list.empty()) {
    if (const std::uint64_t id = run_configured_list()) round_jobs_.push_back(id);
  }
  if (!w.sitemap.empty()) {
    const std::uint64_t id = submit_sitemap(w.sitemap);
    round_jobs_.push_back(id);
    std::fprintf(stderr, "lacquer: warming from sitemap %s: job %llu\n", w.sitemap.c_str(),
                 static_cast<unsigned long long>(id));
  }
}

std::uint64_t WarmService::run_configured_list() {
  const std::string& path = shared_.config.warm.list;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    std::fprintf(stderr, "lacquer: warm list %s cannot be read; nothing warmed\n", path.c_str());
    return 0;
  }
  http::WarmList list = http::parse_warm_list(text.str(), settings_.max_urls);
  if (!list.error.empty()) {
    std::fprintf(stderr, "lacquer: warm list %s: %s; nothing warmed\n", path.c_str(), list.error.c_str());
    return 0;
  }
  if (list.format == http::WarmListFormat::SitemapIndex) {
    // An index names sitemaps: read each (the job takes the first; the others follow it).
    WarmJob& job = new_job();
    for (auto& u : list.urls) job.add_sitemap(std::move(u));
    job.start();
    std::fprintf(stderr, "lacquer: warming from %s: sitemap index, job %llu\n", path.c_str(),
                 static_cast<unsigned long long>(job.id()));
    return job.id();
  }
  const std::size_t n = list.urls.size(), rejected = list.rejected;
  const auto id = submit(std::move(list));
  std::fprintf(stderr, "lacquer: warming %zu URLs from %s (%zu rejected): job %llu\n", n, path.c_str(), rejected,
               static_cast<unsigned long long>(id));
  return id;
}

}  // namespace lacquer::edge
