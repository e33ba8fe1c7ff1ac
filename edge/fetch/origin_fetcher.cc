#include "edge/fetch/origin_fetcher.h"

#include "edge/fetch/fetch_job.h"

namespace lacquer::edge {

std::shared_ptr<Fetch> OriginFetcher::running(const storage::CacheKey& key) {
  return ctx_.inflight.find(key.primary, key.text);
}

bool OriginFetcher::hit_for_miss(const storage::CacheKey& key, std::int64_t now) {
  return ctx_.inflight.hit_for_miss(key.primary, key.text, now);
}

std::shared_ptr<Fetch> OriginFetcher::start(FetchRequest request, const std::shared_ptr<FetchSubscription>& sub,
                                            bool& joined) {
  joined = false;
  const bool registered = request.registered;
  auto job = FetchJob::create(ctx_, std::move(request));
  if (registered) {
    auto winner = ctx_.inflight.register_job(job->key().primary, job->key().text, job);
    if (winner != job) {
      // Another worker registered a fetch for this URL in the meantime: join it, or, when it can
      // no longer take a subscriber from the start, go alone.
      if (winner->subscribe(sub)) {
        joined = true;
        return winner;
      }
      job = FetchJob::create(ctx_, std::move(*job).unregistered_request());
    }
  }
  job->subscribe(sub);
  job->start();
  return job;
}

void OriginFetcher::refresh(FetchRequest request) {
  const storage::CacheKey& key = request.key;
  if (ctx_.inflight.find(key.primary, key.text)) return;  // a fetch is already running
  request.registered = true;
  auto job = FetchJob::create(ctx_, std::move(request));
  if (ctx_.inflight.register_job(job->key().primary, job->key().text, job) != job) return;
  job->start();
}

}  // namespace lacquer::edge
