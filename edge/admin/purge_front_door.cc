#include "edge/admin/purge_front_door.h"

#include "edge/admin/purge_exchange.h"
#include "edge/server/worker.h"

namespace lacquer::edge {

std::unique_ptr<Exchange> PurgeFrontDoor::create(ClientSide& client) {
  const Request& req = client.request();
  auto& shared = worker_.shared();
  if (!worker_.live().purge_acl.allows(client.peer_ip(), http::find_header(req.headers, "Authorization")))
    return std::make_unique<FixedResponseExchange>(client, shared.via, 403, "application/json",
                                                   "{\"error\":\"purge not allowed from this client\"}\n");
  // Without Host, the authority of RFC 9112 §3.3, as for every other method (proxy_exchange).
  const std::string& default_host = worker_.config().server.default_host;
  auto ask = parse_purge_request(req, default_host.empty() ? client.local_address() : default_host);
  if (ask.error_status)
    return std::make_unique<FixedResponseExchange>(client, shared.via, ask.error_status, "application/json",
                                                   "{\"error\":" + json_string(ask.error) + "}\n");
  return std::make_unique<PurgeExchange>(client, worker_, std::move(ask.targets), ask.soft);
}

}  // namespace lacquer::edge
