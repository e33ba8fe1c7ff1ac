// The warm jobs of this process (POST /warm, GET /warm/<id>, the [warm] list and sitemap at start
// and every [warm] every), on the admin worker's loop. Jobs reach the cache through lacquer's own
// main listener (warm_job.h) over one keep-alive connection pool; finished jobs are kept for their
// status until 64 newer ones push them out.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edge/admin/warm_job.h"
#include "http/warm_list.h"
#include "origin/origin_client.h"

struct event;
struct event_base;

namespace lacquer::edge {

struct SharedState;

class WarmService {
 public:
  WarmService(event_base* base, const SharedState& shared);
  ~WarmService();

  // Starts a job for a parsed list; returns its id.
  std::uint64_t submit(http::WarmList list);
  // Starts a job that reads the sitemap at `url` (a sitemap index too) and warms what it lists.
  std::uint64_t submit_sitemap(std::string url);
  // The job's status as JSON, or nullopt when there is no such job (any more).
  std::optional<std::string> status_json(std::uint64_t id) const;
  // Runs the [warm] list file and sitemap, if any, now and then every [warm] every when that is
  // set. Each round reads them afresh (a deploy may have changed them); a round that finds one of
  // the previous round's jobs still running is skipped, so a slow origin never has two on it.
  void start_configured_rounds();

 private:
  WarmJob& new_job();
  unsigned memory_fill() const;
  // The [warm] list file's job: its id, or 0 when the file gave nothing to warm (reported on
  // stderr).
  std::uint64_t run_configured_list();
  void run_round();
  const WarmJob* find(std::uint64_t id) const;  // null when no (longer) kept
  static void on_round(int, short, void* self);

  event_base* base_;
  const SharedState& shared_;
  WarmSettings settings_;
  std::unique_ptr<origin::PoolSet> self_pools_;  // the one server below: our own listener
  origin::OriginCounters self_counters_;
  std::unique_ptr<origin::OriginPool> self_;  // to our own main listener; outlives the jobs
  std::deque<std::unique_ptr<WarmJob>> jobs_;
  std::uint64_t next_id_ = 1;
  event* round_timer_ = nullptr;      // [warm] every
  std::vector<std::uint64_t> round_jobs_;  // the last round's jobs
};

}  // namespace lacquer::edge
