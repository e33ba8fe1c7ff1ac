// One cache-warming job (POST /warm, `lacquer warm`, [warm] list): a list of URLs, or a sitemap
// whose URLs become the list, fetched in the background. Each URL is requested from lacquer's
// own main listener, so it takes the normal request path: coalescing with client requests,
// storage rules, purges, hit-for-miss; a URL already cached is a hit and costs the origin nothing.
//
// Bounded: at most `concurrency` requests at once and `rate` started per second. Warming never
// evicts what clients use wholesale: before each URL the memory tier's fill is checked, and past
// `max_memory_fill` percent of its budget the job stops and counts the rest as skipped. (A
// warmed object also enters SIEVE unvisited, so it is the first to go when clients' objects need
// the room.)
//
// Threading: everything runs on the admin worker's loop; the job owns its timer and fetches.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "origin/origin_client.h"

struct event;
struct event_base;

namespace lacquer::edge {

struct WarmSettings {
  std::uint32_t concurrency = 4;
  std::uint32_t rate = 100;             // URLs started per second; 0 = no limit
  std::uint32_t max_memory_fill = 90;   // percent
  std::uint32_t max_urls = 100000;
};

struct WarmCounts {
  std::uint64_t total = 0;        // URLs to warm (grows while sitemaps are read)
  std::uint64_t done = 0;         // stored + cached + uncacheable + failed + skipped
  std::uint64_t stored = 0;       // fetched from the origin and stored
  std::uint64_t cached = 0;       // already in the cache (a hit)
  std::uint64_t uncacheable = 0;  // fetched, but the response may not be stored
  std::uint64_t failed = 0;       // no answer, or a 4xx/5xx
  std::uint64_t skipped = 0;      // not fetched: the memory tier was full enough
  std::uint64_t rejected = 0;     // not URLs we can warm (bad syntax, over max_urls)
};

class WarmJob {
 public:
  // `memory_fill`: the memory tier's fill now, in percent of its budget.
  WarmJob(std::uint64_t id, event_base* base, origin::OriginPool& self, const WarmSettings& settings,
          std::function<unsigned()> memory_fill);
  ~WarmJob();
  WarmJob(const WarmJob&) = delete;
  WarmJob& operator=(const WarmJob&) = delete;

  // Before start(): the URLs to warm (`rejected` were not usable), or a sitemap to read first.
  void add_urls(std::vector<std::string> urls, std::uint64_t rejected);
  void add_sitemap(std::string url);
  void start();

  std::uint64_t id() const { return id_; }
  bool finished() const { return finished_; }
  const WarmCounts& counts() const { return counts_; }
  // {"id":1,"state":"running","total":..,"done":..,"stored":..,...}
  std::string status_json() const;

 private:
  struct Fetch;
  void pump();
  void schedule(std::int64_t delay_ms);
  void start_fetch(const std::string& url, bool sitemap);
  void fetch_ended(Fetch* f, bool complete);
  void read_sitemap(const Fetch& f);
  static void on_timer(int fd, short what, void* self);

  std::uint64_t id_;
  origin::OriginPool& self_;
  WarmSettings settings_;
  std::function<unsigned()> memory_fill_;
  event* timer_ = nullptr;
  std::vector<std::string> urls_;
  std::size_t next_ = 0;
  std::vector<std::string> sitemaps_;  // to read, in order
  std::size_t next_sitemap_ = 0;
  std::vector<std::unique_ptr<Fetch>> running_;
  std::vector<std::unique_ptr<Fetch>> ended_;  // freed on the next pump, outside their callbacks
  bool sitemap_running_ = false;
  bool started_ = false;
  bool finished_ = false;
  bool memory_full_ = false;
  std::int64_t next_start_us_ = 0;  // rate limit: when the next URL may start (steady clock)
  std::string error_;               // the last sitemap that could not be read, and why
  WarmCounts counts_;
};

}  // namespace lacquer::edge
