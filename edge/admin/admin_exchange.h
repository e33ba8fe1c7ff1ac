// The admin API (its own port and thread): /healthz, /version, /metrics, the purge endpoints
// (POST /purge/url?url=, /purge/tag/<tag>, /purge/prefix?prefix=, /purge/all, each with
// ?soft=1) and GET /version-of/tag/<tag>, /version-of/url?url=; cache warming: POST /warm (a URL
// list or ?sitemap=URL), GET /warm/<id> (warm_service.h); the live dashboard: GET / and /dashboard
// (dashboard_page.h), fed by GET /stats.json (stats_json.h).
#pragma once

#include <memory>
#include <string>

#include "edge/proxy/client_side.h"

namespace lacquer::edge {

struct SharedState;
struct LiveSettings;
class Worker;

// Prometheus text exposition of every worker's counters, the memory tier and origin pools (the
// pools of `live`, the admin worker's snapshot: a reload's pools show at once).
std::string render_metrics(const SharedState& shared, const LiveSettings& live);

class AdminExchange final : public Exchange {
 public:
  AdminExchange(ClientSide& client, const SharedState& shared, std::shared_ptr<const LiveSettings> live)
      : client_(client), shared_(shared), live_(std::move(live)) {}
  void start() override;

 private:
  void respond(int status, std::string_view content_type, std::string_view body);
  ClientSide& client_;
  const SharedState& shared_;
  std::shared_ptr<const LiveSettings> live_;  // the admin worker's snapshot when the request came
};

class WarmService;

class AdminExchangeFactory final : public ExchangeFactory {
 public:
  // Runs on the admin worker's loop; starts the [warm] list, if any, once that loop runs.
  explicit AdminExchangeFactory(Worker& worker);
  ~AdminExchangeFactory() override;
  std::unique_ptr<Exchange> create(ClientSide& client) override;

 private:
  Worker& worker_;
  std::unique_ptr<WarmService> warm_;
};

}  // namespace lacquer::edge
