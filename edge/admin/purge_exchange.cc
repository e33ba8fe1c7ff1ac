#include "edge/admin/purge_exchange.h"

#include "cluster/node.h"
#include "edge/server/worker.h"
#include "purge/purge_request.h"
#include "purge/scopes.h"
#include "purge/surrogate_keys.h"
#include "storage/cache_key.h"

namespace lacquer::edge {
namespace {

// Splits a request's Surrogate-Key into tag names; over-limit or empty input is an error here
// (a purge request is ours to refuse, unlike an origin response we must still serve).
bool request_tags(const Request& req, std::vector<PurgeTarget>& out, std::string& error) {
  purge::SurrogateKeyLimits limits;
  std::size_t total = 0;
  for (const auto& h : req.headers) {
    if (!http::iequals(h.name, "Surrogate-Key")) continue;
    total += h.value.size();
    bool ok = true;
    purge::for_each_surrogate_key(h.value, [&](std::string_view tag, std::size_t) {
      if (tag.size() > limits.max_key_bytes) ok = false;
      else out.push_back({purge::Scope::Tag, purge::tag_hash(tag), std::string(tag)});
    });
    if (!ok) {
      error = "a surrogate key is longer than 1024 bytes";
      return false;
    }
  }
  if (total > limits.max_header_bytes) {
    error = "Surrogate-Key is larger than 16 KiB";
    return false;
  }
  if (out.empty()) {
    error = "Surrogate-Key names no key";
    return false;
  }
  return true;
}

// Adds "everywhere":true|false and "lagging":[...] to a purge's JSON answer.
std::string with_everywhere(std::string body, bool everywhere, const std::vector<std::string>& lagging) {
  std::string extra = std::string(",\"everywhere\":") + (everywhere ? "true" : "false") + ",\"lagging\":[";
  for (std::size_t i = 0; i < lagging.size(); ++i) extra += (i ? "," : "") + json_string(lagging[i]);
  extra += "]";
  body.insert(body.rfind('}'), extra);
  return body;
}

}  // namespace

PurgeAsk parse_purge_request(const Request& req, std::string_view fallback_host) {
  PurgeAsk ask;
  const purge::PurgeControls controls = purge::read_purge_controls(req.headers);
  if (!controls.error.empty()) {
    ask.error_status = 400;
    ask.error = controls.error;
    return ask;
  }
  ask.soft = controls.soft;
  if (controls.form == purge::PurgeForm::All) {
    ask.targets.push_back({purge::Scope::Global, 0, "all"});
    return ask;
  }
  if (controls.form == purge::PurgeForm::Tags) {
    if (!request_tags(req, ask.targets, ask.error)) ask.error_status = 400;
    return ask;
  }
  auto host = http::find_header(req.headers, "Host");
  auto key = storage::make_cache_key(host ? *host : fallback_host, req.line.target);
  if (!key) {
    ask.error_status = 400;
    ask.error = "the target cannot be keyed";
    return ask;
  }
  if (controls.form == purge::PurgeForm::Prefix) {
    // "PURGE /articles/" with Purge-Prefix: 1 is the admin port's prefix=/articles/ on this
    // Host. A prefix is a path: a query would be silently cut, so it is refused.
    if (key->text.find('?', key->path_begin) != std::string::npos) {
      ask.error_status = 400;
      ask.error = "Purge-Prefix takes a path without a query (PURGE /articles/)";
      return ask;
    }
    auto prefix = purge::normalise_prefix(key->text, key->path_begin);
    ask.targets.push_back({purge::Scope::Prefix, purge::prefix_hash(prefix), std::string(prefix)});
    return ask;
  }
  ask.targets.push_back({purge::Scope::Url, purge::url_hash(key->text), key->text});
  return ask;
}

void PurgeExchange::start() {
  std::weak_ptr<bool> alive = alive_;
  ClientSide* client = &client_;
  std::string_view via = worker_.shared().via;
  std::vector<PurgeTarget> targets = targets_;
  bool soft = soft_;
  // "Purge-Wait: all" (with [cluster]): answer once every live node has applied the purge.
  auto wait = http::find_header(client_.request().headers, "Purge-Wait");
  cluster::Node* cluster = wait && http::iequals(*wait, "all") ? worker_.shared().cluster.get() : nullptr;
  LoopInbox* inbox = &worker_.inbox();
  run_purge(worker_, targets_, soft_, [alive, client, via, targets, soft, cluster, inbox](bool durable, std::uint64_t seq) {
    auto a = alive.lock();
    if (!a || !*a) return;  // the client went away; the purge itself still holds
    if (durable && cluster) {
      cluster->wait_everywhere(seq, [alive, client, via, inbox, body = purge_json(targets, soft, seq)](
                                        bool everywhere, std::vector<std::string> lagging) {
        inbox->post([alive, client, via, everywhere, body, lagging = std::move(lagging)] {
          auto a = alive.lock();
          if (a && *a)
            respond_simple(*client, via, everywhere ? 200 : 202, "application/json",
                           with_everywhere(body, everywhere, lagging));
        });
      });
    } else if (durable) {
      respond_simple(*client, via, 200, "application/json", purge_json(targets, soft, seq));
    } else {
      respond_simple(*client, via, 503, "application/json",
                     "{\"error\":\"the purge could not be made durable; it is not acknowledged\"}\n");
    }
  });
}

}  // namespace lacquer::edge
