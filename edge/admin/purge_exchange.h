// PURGE requests: the main port's PURGE method and the admin API's POST /purge/... routes both
// end here once they have named their targets. The answer (200 with JSON, or 503) is sent only
// after the purge is durable.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "edge/http1/exchange.h"
#include "edge/admin/purge_service.h"

namespace lacquer::edge {

class ClientConnection;
struct Request;

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
  PurgeExchange(ClientConnection& conn, std::vector<PurgeTarget> targets, bool soft)
      : conn_(conn), targets_(std::move(targets)), soft_(soft) {}
  ~PurgeExchange() override { *alive_ = false; }
  void start() override;

 private:
  ClientConnection& conn_;
  std::vector<PurgeTarget> targets_;
  bool soft_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace lacquer::edge
