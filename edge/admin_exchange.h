// The admin API (its own port and thread): /healthz, /version, /metrics. Later issues add the
// purge endpoints here.
#pragma once

#include <memory>
#include <string>

#include "edge/exchange.h"

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
  std::unique_ptr<Exchange> create(ClientConnection& conn) override {
    return std::make_unique<AdminExchange>(conn);
  }
};

}  // namespace lacquer::edge
