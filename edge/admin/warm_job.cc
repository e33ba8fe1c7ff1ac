#include "edge/admin/warm_job.h"

#include <event2/event.h>

#include <algorithm>
#include <chrono>

#include "edge/admin/query.h"
#include "http/json_string.h"
#include "http/message.h"
#include "http/sitemap.h"
#include "http/warm_list.h"

namespace lacquer::edge {
namespace {

constexpr std::size_t kMaxSitemapBytes = 16u << 20;  // a sitemap is at most 50 MB uncompressed; we read 16
constexpr std::size_t kMaxSitemaps = 100;            // sitemaps one job reads (an index and its children)

std::int64_t steady_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// GET for `url` as lacquer's own client would send it; empty when the URL has no host.
std::string warm_request(const std::string& url) {
  auto parts = split_url(url);
  if (!parts || parts->first.empty()) return {};
  std::string path = parts->second.empty() ? "/" : parts->second;
  return "GET " + path + " HTTP/1.1\r\nHost: " + parts->first + "\r\nUser-Agent: lacquer-warm\r\nAccept: */*\r\n\r\n";
}

}  // namespace

// One request to our own listener. Its callbacks report to the job; the job frees it later.
struct WarmJob::Fetch final : origin::FetchObserver {
  Fetch(WarmJob& j, std::string u, bool s) : job(j), url(std::move(u)), sitemap(s) {}
  void on_origin_head(origin::ResponseHead& head) override {
    status = head.line.status;
    if (auto cs = http::find_header(head.headers, "Cache-Status")) cache_status = std::string(*cs);
  }
  void on_origin_data(const char* data, std::size_t len) override {
    if (!sitemap) return;  // a warmed body is only needed in the cache
    if (body.size() + len > kMaxSitemapBytes) too_large = true;
    else body.append(data, len);
  }
  void on_origin_done() override { job.fetch_ended(this, true); }
  void on_origin_error(origin::OriginError, bool) override { job.fetch_ended(this, false); }

  WarmJob& job;
  std::string url;
  bool sitemap;
  std::unique_ptr<origin::OriginFetch> handle;
  int status = 0;
  std::string cache_status;
  std::string body;
  bool too_large = false;
};

WarmJob::WarmJob(std::uint64_t id, event_base* base, origin::OriginPool& self, const WarmSettings& settings,
                 std::function<unsigned()> memory_fill)
    : id_(id), self_(self), settings_(settings), memory_fill_(std::move(memory_fill)) {
  timer_ = evtimer_new(base, &WarmJob::on_timer, this);
}

WarmJob::~WarmJob() {
  running_.clear();  // destroying the handles cancels the requests
  ended_.clear();
  event_free(timer_);
}

void WarmJob::add_urls(std::vector<std::string> urls, std::uint64_t rejected) {
  counts_.rejected += rejected;
  for (auto& u : urls) {
    if (urls_.size() >= settings_.max_urls) {
      ++counts_.rejected;
      continue;
    }
    urls_.push_back(std::move(u));
  }
  counts_.total = urls_.size();
}

void WarmJob::add_sitemap(std::string url) { sitemaps_.push_back(std::move(url)); }

void WarmJob::start() {
  started_ = true;
  next_start_us_ = steady_us();
  schedule(0);
}

void WarmJob::on_timer(int, short, void* self) { static_cast<WarmJob*>(self)->pump(); }

void WarmJob::schedule(std::int64_t delay_ms) {
  timeval tv{static_cast<time_t>(delay_ms / 1000), static_cast<suseconds_t>(delay_ms % 1000 * 1000)};
  evtimer_add(timer_, &tv);
}

// Starts what the limits allow now, and comes back when the rate allows more.
void WarmJob::pump() {
  ended_.clear();
  if (finished_ || !started_) return;
  while (running_.size() < settings_.concurrency) {
    if (next_sitemap_ < sitemaps_.size()) {  // sitemaps first, one at a time: they make the list
      if (sitemap_running_) break;
      sitemap_running_ = true;
      start_fetch(sitemaps_[next_sitemap_++], true);
      continue;
    }
    if (sitemap_running_ || next_ >= urls_.size()) break;
    if (memory_fill_() >= settings_.max_memory_fill) {
      memory_full_ = true;
      counts_.skipped += urls_.size() - next_;
      counts_.done += urls_.size() - next_;
      next_ = urls_.size();
      break;
    }
    if (settings_.rate > 0) {
      const std::int64_t now = steady_us();
      if (now < next_start_us_) {
        schedule((next_start_us_ - now + 999) / 1000);
        return;
      }
      next_start_us_ = std::max(next_start_us_, now - 1000000) + 1000000 / settings_.rate;
    }
    start_fetch(urls_[next_++], false);
  }
  if (running_.empty() && !sitemap_running_ && next_ >= urls_.size() && next_sitemap_ >= sitemaps_.size())
    finished_ = true;
}

void WarmJob::start_fetch(const std::string& url, bool sitemap) {
  std::string request = warm_request(url);
  if (request.empty()) {  // parse_warm_list lets only absolute URLs through; a config list too
    ++counts_.failed;
    ++counts_.done;
    if (sitemap) sitemap_running_ = false;
    return;
  }
  auto f = std::make_unique<Fetch>(*this, url, sitemap);
  Fetch* raw = f.get();
  running_.push_back(std::move(f));
  origin::FetchSpec spec;
  spec.request = std::move(request);
  spec.idempotent = true;
  raw->handle = self_.fetch(std::move(spec), raw);
}

// A request ended (callbacks never run before fetch() returns, so `f` is in running_).
void WarmJob::fetch_ended(Fetch* f, bool complete) {
  auto it = std::find_if(running_.begin(), running_.end(), [f](const auto& p) { return p.get() == f; });
  if (it == running_.end()) return;
  if (f->sitemap) {
    sitemap_running_ = false;
    if (complete && f->status == 200 && !f->too_large) read_sitemap(*f);
    else error_ = "sitemap " + f->url + ": " + (!complete ? std::string("no answer") : f->too_large ? std::string("larger than 16 MiB") : "status " + std::to_string(f->status));
  } else {
    ++counts_.done;
    const std::string& cs = f->cache_status;
    if (!complete || f->status >= 400) ++counts_.failed;
    else if (cs.find("; hit") != std::string::npos) ++counts_.cached;
    else if (cs.find("stored") != std::string::npos) ++counts_.stored;
    else ++counts_.uncacheable;
  }
  ended_.push_back(std::move(*it));
  running_.erase(it);
  schedule(0);
}

void WarmJob::read_sitemap(const Fetch& f) {
  const std::size_t room = settings_.max_urls > urls_.size() ? settings_.max_urls - urls_.size() : 0;
  http::WarmList list = http::parse_warm_list(f.body, room);
  if (list.format == http::WarmListFormat::SitemapIndex) {
    for (auto& u : list.urls)
      if (sitemaps_.size() < kMaxSitemaps) sitemaps_.push_back(std::move(u));
      else ++counts_.rejected;
    counts_.rejected += list.rejected;
    return;
  }
  if (list.format != http::WarmListFormat::Sitemap) {
    error_ = "sitemap " + f.url + ": not a sitemap document";
    return;
  }
  add_urls(std::move(list.urls), list.rejected);
}

std::string WarmJob::status_json() const {
  const WarmCounts& c = counts_;
  std::string s = "{\"id\":" + std::to_string(id_) + ",\"state\":\"" + (finished_ ? "finished" : "running") + "\"";
  auto field = [&s](const char* name, std::uint64_t v) { s += ",\"" + std::string(name) + "\":" + std::to_string(v); };
  field("total", c.total);
  field("done", c.done);
  field("stored", c.stored);
  field("cached", c.cached);
  field("uncacheable", c.uncacheable);
  field("failed", c.failed);
  field("skipped", c.skipped);
  field("rejected", c.rejected);
  s += ",\"stopped_for_memory\":";
  s += memory_full_ ? "true" : "false";
  if (!error_.empty()) s += ",\"error\":" + http::json_string(error_);
  s += "}\n";
  return s;
}

}  // namespace lacquer::edge
