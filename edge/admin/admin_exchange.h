// The admin API (its own port and thread): /healthz, /version, /metrics, the purge endpoints
// (POST /purge/url?url=, /purge/tag/<tag>, /purge/prefix?prefix=, /purge/all, each with
// ?soft=1) and GET /version-of/tag/<tag>, /version-of/url?url=.
#pragma once

#include <memory>
#include <string>

#include "edge/proxy/client_side.h"

namespace lacquer::edge {

struct SharedState;
class Worker;

// Prometheus text exposition of every worker's counters, the memory tier and origin pools.
std::string render_metrics(const SharedState& shared);

class AdminExchange final : public Exchange {
 public:
  AdminExchange(ClientSide& client, const SharedState& shared) : client_(client), shared_(shared) {}
  void start() override;

 private:
  void respond(int status, std::string_view content_type, std::string_view body);
  ClientSide& client_;
  const SharedState& shared_;
};

class AdminExchangeFactory final : public ExchangeFactory {
 public:
  explicit AdminExchangeFactory(Worker& worker) : worker_(worker) {}
  std::unique_ptr<Exchange> create(ClientSide& client) override;

 private:
  Worker& worker_;
};

}  // namespace lacquer::edge
