// Main-port routing: PURGE (when this client may purge) goes to the purge exchange, every other
// method to the proxy state machine.
#include "edge/http1/client_connection.h"
#include "edge/proxy/proxy_exchange.h"
#include "edge/proxy/upgrade_tunnel.h"
#include "http/upgrade.h"
#include "edge/admin/purge_exchange.h"
#include "edge/proxy/synthetic.h"
#include "edge/server/worker.h"

namespace lacquer::edge {

std::unique_ptr<Exchange> ProxyExchangeFactory::create(ClientConnection& conn) {
  const Request& req = conn.request();
  if (req.line.method != "PURGE") {
    // A valid upgrade request (WebSocket, ...) goes to the origin as a possible tunnel.
    if (auto protocols = http::tunnel_protocols(req.line, req.headers, req.framing.kind != http::BodyKind::None))
      return std::make_unique<UpgradeTunnel>(conn, std::string(*protocols));
    return std::make_unique<ProxyExchange>(conn);
  }
  auto& shared = conn.worker().shared();
  if (!shared.purge_acl.allows(conn.peer_ip(), http::find_header(req.headers, "Authorization")))
    return std::make_unique<FixedResponseExchange>(conn, 403, "application/json",
                                                   "{\"error\":\"purge not allowed from this client\"}\n");
  // Without Host, the authority of RFC 9112 §3.3, as for every other method (proxy_exchange).
  const std::string& default_host = shared.config.server.default_host;
  auto ask = parse_purge_request(req, default_host.empty() ? conn.local_address() : default_host);
  if (ask.error_status)
    return std::make_unique<FixedResponseExchange>(conn, ask.error_status, "application/json",
                                                   "{\"error\":" + json_string(ask.error) + "}\n");
  return std::make_unique<PurgeExchange>(conn, std::move(ask.targets), ask.soft);
}

}  // namespace lacquer::edge
