// The admin API (its own port and thread): /healthz, /version, /metrics, the purge endpoints
// (POST /purge/url?url=, /purge/tag/<tag>, /purge/prefix?prefix=, /purge/all, each with
// ?soft=1) and GET /version-of/tag/<tag>, /version-of/url?url=.
#pragma once

#include <memory>
#include <string>

#include "edge/http1/exchange.h"

namespace lacquer::edge {

class ClientConnection;
struct SharedState;

// Prometheus text exposition of every worker's counters, the memory tier and origin pools.
std::string render_metrics(const SharedState& shared);

class AdminExchange final : public Exchange {
 public:
  explicit AdminExchange(ClientConnection& conn) : conn_(conn) {}
  void start() override;

 private:
  void respond(int status, std::string_view content_type, std::string_view body);
  ClientConnection& conn_;
};

class AdminExchangeFactory final : public ExchangeFactory {
 public:
  std::unique_ptr<Exchange> create(ClientConnection& conn) override;
};

}  // namespace lacquer::edge
