// The Fetcher of one worker loop: FetchJobs to the origin, coalesced through the inflight table.
#pragma once

#include "edge/fetch/fetch.h"
#include "edge/fetch/fetch_context.h"

namespace lacquer::edge {

class OriginFetcher final : public Fetcher {
 public:
  explicit OriginFetcher(FetchContext& context) : ctx_(context) {}
  std::shared_ptr<Fetch> running(const storage::CacheKey& key) override;
  bool hit_for_miss(const storage::CacheKey& key, std::int64_t now) override;
  std::shared_ptr<Fetch> start(FetchRequest request, const std::shared_ptr<FetchSubscription>& sub,
                               bool& joined) override;
  void refresh(FetchRequest request) override;

 private:
  FetchContext& ctx_;
};

}  // namespace lacquer::edge
