// Admin API routing: which exchange answers which path.
#include "edge/admin/admin_exchange.h"
#include "edge/admin/purge_exchange.h"
#include "edge/admin/purge_scope.h"
#include "edge/admin/warm_service.h"
#include "edge/admin/query.h"
#include "edge/server/worker.h"
#include "purge/purge_request.h"
#include "purge/scopes.h"
#include "purge/surrogate_keys.h"
#include "storage/cache_key.h"

namespace lacquer::edge {
namespace {

constexpr std::string_view kJson = "application/json";

std::unique_ptr<Exchange> answer(ClientSide& conn, Worker& worker, int status, std::string body) {
  return std::make_unique<FixedResponseExchange>(conn, worker.shared().via, status, std::string(kJson), std::move(body));
}

std::unique_ptr<Exchange> error(ClientSide& conn, Worker& worker, int status, std::string_view message,
                                std::string_view extra_fields = {}) {
  return std::make_unique<FixedResponseExchange>(conn, worker.shared().via, status, std::string(kJson),
                                                 "{\"error\":" + json_string(message) + "}\n", extra_fields);
}

// A URL given to the admin API, as a cache key (so it matches what was stored).
std::optional<storage::CacheKey> key_for_url(const std::string& url) {
  auto parts = split_url(url);
  if (!parts) return std::nullopt;
  return storage::make_cache_key(parts->first, parts->second);
}

std::unique_ptr<Exchange> purge_route(ClientSide& conn, Worker& worker, std::string_view path, std::string_view target) {
  // Who may purge here: with [[site]] tables, a site's token purges that site only (site=<name>);
  // an admin port reachable from beyond this machine takes no purge without a token.
  const SharedState& shared = worker.shared();
  const LiveSettings& live = worker.live();  // sites, tokens and the ACL as the last reload left them
  const conf::Routing* routing = live.routing && !live.routing->implicit() ? live.routing.get() : nullptr;
  const auto authorization = http::find_header(conn.request().headers, "Authorization");
  int site = conf::Routing::kNoSite;
  if (auto name = query_param(target, "site")) {
    if (!routing || (site = routing->find_site(*name)) == conf::Routing::kNoSite)
      return error(conn, worker, 404, "unknown site");
  }
  const int token_site = routing ? site_of_token(*routing, authorization) : conf::Routing::kNoSite;
  if (token_site != conf::Routing::kNoSite && token_site != site)
    return error(conn, worker, 403, "this purge token is not valid for this site (name its site with site=)");
  if (token_site == conf::Routing::kNoSite && !is_loopback_address(shared.config.server.admin.host) &&
      !bearer_matches(authorization, live.config.purge.token))
    return error(conn, worker, 403, "the admin port listens beyond loopback: purges need Authorization: Bearer <token>");
  const std::optional<bool> soft_flag = purge::parse_purge_flag(query_param(target, "soft").value_or("0"));
  if (!soft_flag) return error(conn, worker, 400, "soft= is not understood; use soft=1 or soft=0 (also true/false, yes/no, on/off)");
  const bool soft = *soft_flag;
  std::vector<PurgeTarget> targets;
  if (path == "/purge/all") {
    targets.push_back({purge::Scope::Global, 0, "all"});
  } else if (path.starts_with("/purge/tag/")) {
    auto tag = percent_decode(path.substr(11));
    if (!tag || tag->empty() || tag->size() > 1024 || tag->find_first_of(" \t") != std::string::npos)
      return error(conn, worker, 400, "expected /purge/tag/<tag> with one tag of at most 1024 bytes");
    targets.push_back({purge::Scope::Tag, purge::tag_hash(*tag), *tag});
  } else if (path == "/purge/url") {
    auto key = key_for_url(query_param(target, "url").value_or(""));
    if (!key) return error(conn, worker, 400, "expected ?url=http://host/path");
    targets.push_back({purge::Scope::Url, purge::url_hash(key->text), key->text});
  } else if (path == "/purge/prefix" && site != conf::Routing::kNoSite &&
             query_param(target, "prefix").value_or("").starts_with("/")) {
    // A bare path on a site: that path under each of the site's exact host names.
    const std::string path_prefix = query_param(target, "prefix").value_or("/");
    for (const auto& host : routing->site(site).exact_hosts) {
      auto key = storage::make_cache_key(host, path_prefix);
      if (!key) return error(conn, worker, 400, "expected ?prefix=/path/ or ?prefix=http://host/path/");
      auto prefix = purge::normalise_prefix(key->text, key->path_begin);
      targets.push_back({purge::Scope::Prefix, purge::prefix_hash(prefix), std::string(prefix)});
    }
    if (targets.empty()) return error(conn, worker, 400, "the site has no exact host name to purge a path of");
  } else if (path == "/purge/prefix") {
    auto key = key_for_url(query_param(target, "prefix").value_or(""));
    if (!key) return error(conn, worker, 400, "expected ?prefix=http://host/path/");
    auto prefix = purge::normalise_prefix(key->text, key->path_begin);
    targets.push_back({purge::Scope::Prefix, purge::prefix_hash(prefix), std::string(prefix)});
  } else {
    return error(conn, worker, 404, "unknown purge path");
  }
  if (site != conf::Routing::kNoSite) {
    scope_to_site(targets, routing->site(site).name);
    if (SiteCounters* c = worker.counters_of_site(site)) c->purges.inc();
  }
  return std::make_unique<PurgeExchange>(conn, worker, std::move(targets), soft);
}

std::unique_ptr<Exchange> version_route(ClientSide& conn, Worker& worker, std::string_view path, std::string_view target) {
  auto& versions = worker.shared().versions;
  purge::Scope scope;
  std::uint64_t key;
  std::string label;
  if (path.starts_with("/version-of/tag/")) {
    auto tag = percent_decode(path.substr(16));
    if (!tag || tag->empty()) return error(conn, worker, 400, "expected /version-of/tag/<tag>");
    scope = purge::Scope::Tag;
    key = purge::tag_hash(*tag);
    label = *tag;
  } else if (path == "/version-of/url") {
    auto k = key_for_url(query_param(target, "url").value_or(""));
    if (!k) return error(conn, worker, 400, "expected ?url=http://host/path");
    scope = purge::Scope::Url;
    key = purge::url_hash(k->text);
    label = k->text;
  } else {
    return error(conn, worker, 404, "unknown version-of path");
  }
  auto v = versions.get(scope, key);
  std::string body = "{\"scope\":" + json_string(purge::to_string(scope)) + ",\"" +
                     std::string(scope == purge::Scope::Tag ? "tag" : "url") + "\":" + json_string(label) +
                     ",\"hard\":" + std::to_string(v.hard) + ",\"soft\":" + std::to_string(v.soft) +
                     ",\"current_seq\":" + std::to_string(versions.current_seq()) + "}\n";
  return answer(conn, worker, 200, std::move(body));
}

// POST /warm: a URL list in the body (text lines, a JSON array, a sitemap document) or
// ?sitemap=<url>; 202 with the job's id. GET /warm/<id>: the job's progress.
std::unique_ptr<Exchange> warm_route(ClientSide& conn, Worker& worker, WarmService& warm, std::string_view path,
                                     std::string_view target, std::string_view method) {
  if (path == "/warm") {
    if (method != "POST") return error(conn, worker, 405, "use POST", "Allow: POST\r\n");
    std::uint64_t id;
    std::uint64_t total = 0, rejected = 0;
    if (auto sitemap = query_param(target, "sitemap")) {
      if (!http::is_warmable_url(*sitemap)) return error(conn, worker, 400, "expected ?sitemap=http://host/sitemap.xml");
      id = warm.submit_sitemap(*sitemap);
    } else {
      http::WarmList list = http::parse_warm_list(conn.request().body, worker.config().warm.max_urls);
      if (!list.error.empty()) return error(conn, worker, 400, list.error);
      if (list.urls.empty())
        return error(conn, worker, 400,
                     "no URL to warm: send absolute http(s) URLs one per line, as a JSON array or a sitemap, or "
                     "?sitemap=URL");
      total = list.urls.size();
      rejected = list.rejected;
      id = warm.submit(std::move(list));
    }
    const std::string ids = std::to_string(id);
    return answer(conn, worker, 202,
                  "{\"id\":" + ids + ",\"status\":\"/warm/" + ids + "\",\"total\":" + std::to_string(total) +
                      ",\"rejected\":" + std::to_string(rejected) + "}\n");
  }
  if (method != "GET" && method != "HEAD") return error(conn, worker, 405, "use GET", "Allow: GET, HEAD\r\n");
  std::uint64_t id = 0;
  const std::string_view digits = path.substr(6);
  for (char c : digits) {
    if (c < '0' || c > '9' || id > 1'000'000'000'000ull) return error(conn, worker, 404, "expected /warm/<id>");
    id = id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  auto status = digits.empty() ? std::nullopt : warm.status_json(id);
  if (!status) return error(conn, worker, 404, "no such warm job");
  return answer(conn, worker, 200, std::move(*status));
}

}  // namespace

AdminExchangeFactory::AdminExchangeFactory(Worker& worker)
    : worker_(worker), warm_(std::make_unique<WarmService>(worker.base(), worker.shared())) {
  warm_->start_configured_rounds();  // its requests start once the loop runs
}

AdminExchangeFactory::~AdminExchangeFactory() = default;

std::unique_ptr<Exchange> AdminExchangeFactory::create(ClientSide& conn) {
  Worker& worker = worker_;
  const Request& req = conn.request();
  std::string_view target = req.line.target;
  std::string_view path = target.substr(0, target.find('?'));
  std::string_view method = req.line.method;
  if (path.starts_with("/purge/")) {
    if (method != "POST" && method != "PURGE") return error(conn, worker, 405, "use POST", "Allow: POST, PURGE\r\n");
    return purge_route(conn, worker, path, target);
  }
  if (path.starts_with("/version-of/")) {
    if (method != "GET" && method != "HEAD") return error(conn, worker, 405, "use GET", "Allow: GET, HEAD\r\n");
    return version_route(conn, worker, path, target);
  }
  if (path == "/warm" || path.starts_with("/warm/")) return warm_route(conn, worker, *warm_, path, target, method);
  return std::make_unique<AdminExchange>(conn, worker.shared(), worker.live_ptr());
}

}  // namespace lacquer::edge
