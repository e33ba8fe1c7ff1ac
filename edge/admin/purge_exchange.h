// PURGE requests: the main port's PURGE method and the admin API's POST /purge/... routes both
// end here once they have named their targets. The answer (200 with JSON, or 503) is sent only
// after the purge is durable.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "edge/admin/purge_service.h"
#include "edge/proxy/client_side.h"

namespace lacquer::edge {

class Worker;

// What a PURGE on the main port asks for, or why it is refused.
struct PurgeAsk {
  std::vector<PurgeTarget> targets;
  bool soft = false;
  int error_status = 0;  // 0 = ok
  std::string error;
};

// PURGE /path?query            -> that URL (every variant)
// PURGE / + Surrogate-Key: a b -> those tags (the path is ignored)
// PURGE / + Purge-All: 1       -> everything
// Soft-Purge: 1 makes any form soft.
PurgeAsk parse_purge_request(const Request& req, std::string_view fallback_host);

class PurgeExchange final : public Exchange {
 public:
  PurgeExchange(ClientSide& client, Worker& worker, std::vector<PurgeTarget> targets, bool soft)
      : client_(client), worker_(worker), targets_(std::move(targets)), soft_(soft) {}
  ~PurgeExchange() override { *alive_ = false; }
  void start() override;

 private:
  ClientSide& client_;
  Worker& worker_;
  std::vector<PurgeTarget> targets_;
  bool soft_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace lacquer::edge
