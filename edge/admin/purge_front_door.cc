#include "edge/admin/purge_front_door.h"

#include "edge/admin/purge_exchange.h"
#include "edge/admin/purge_scope.h"
#include "edge/server/worker.h"

namespace lacquer::edge {

std::unique_ptr<Exchange> PurgeFrontDoor::create(ClientSide& client) {
  const Request& req = client.request();
  auto& shared = worker_.shared();
  const auto authorization = http::find_header(req.headers, "Authorization");
  // Without Host, the authority of RFC 9112 §3.3, as for every other method (proxy_exchange).
  const std::string& default_host = worker_.config().server.default_host;
  const std::string fallback_host = default_host.empty() ? client.local_address() : default_host;
  // With [[site]] tables, a purge is about the site of its Host, and a site's token purges only it.
  const conf::Routing* routing = worker_.live().routing.get();
  if (routing && routing->implicit()) routing = nullptr;
  int site = conf::Routing::kNoSite;
  int token_site = conf::Routing::kNoSite;
  if (routing) {
    auto host = http::find_header(req.headers, "Host");
    site = routing->match(host && !host->empty() ? *host : std::string_view(fallback_host));
    token_site = site_of_token(*routing, authorization);
  }
  if (token_site != conf::Routing::kNoSite && token_site != site)
    return std::make_unique<FixedResponseExchange>(client, shared.via, 403, "application/json",
                                                   "{\"error\":\"this purge token is not valid for this site\"}\n");
  if (token_site == conf::Routing::kNoSite && !worker_.live().purge_acl.allows(client.peer_ip(), authorization))
    return std::make_unique<FixedResponseExchange>(client, shared.via, 403, "application/json",
                                                   "{\"error\":\"purge not allowed from this client\"}\n");
  auto ask = parse_purge_request(req, fallback_host);
  if (!ask.error_status && site != conf::Routing::kNoSite) scope_to_site(ask.targets, routing->site(site).name);
  if (ask.error_status)
    return std::make_unique<FixedResponseExchange>(client, shared.via, ask.error_status, "application/json",
                                                   "{\"error\":" + json_string(ask.error) + "}\n");
  if (SiteCounters* c = worker_.counters_of_site(site)) c->purges.inc();
  return std::make_unique<PurgeExchange>(client, worker_, std::move(ask.targets), ask.soft);
}

}  // namespace lacquer::edge
