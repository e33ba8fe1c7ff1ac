// The engine's driver and its first steps: recv (classify, key), lookup (the tiered cache),
// choose (what RFC 9111 makes of the stored response), miss (join or lead a fetch) and pass.
// Hits are in proxy_hit.cc, the origin side of the flow in proxy_fetch.cc.
#include "edge/proxy/proxy_exchange.h"

#include "edge/admin/purge_front_door.h"
#include "cache/entry_timing.h"
#include "http/request_class.h"
#include "http/stored_head.h"
#include "http/target_authority.h"
#include "http/upgrade.h"
#include "http/vary.h"

namespace lacquer::edge {

std::string_view to_string(Step s) noexcept {
  switch (s) {
    case Step::Recv: return "recv";
    case Step::Lookup: return "lookup";
    case Step::Choose: return "choose";
    case Step::Hit: return "hit";
    case Step::Miss: return "miss";
    case Step::Pass: return "pass";
    case Step::Fetch: return "fetch";
    case Step::Deliver: return "deliver";
    case Step::Transmit: return "transmit";
    case Step::Synth: return "synth";
    case Step::Done: return "done";
  }
  return "?";
}

std::unique_ptr<Exchange> ProxyExchangeFactory::create(ClientSide& client) {
  if (client.request().line.method == "PURGE" && engine_.purge) return engine_.purge->create(client);
  return std::make_unique<ProxyExchange>(client, engine_);
}

ProxyExchange::~ProxyExchange() { detach(); }

// Runs steps until one waits for I/O or the exchange is done. A callback that arrives while a
// step runs (a fetch can fail before start() returns) makes the loop look again instead of
// re-entering it.
void ProxyExchange::run() {
  if (running_) {
    woken_ = true;
    return;
  }
  running_ = true;
  for (;;) {
    woken_ = false;
    Next next = Next::Done;
    switch (step_) {
      case Step::Recv: next = recv(); break;
      case Step::Lookup: next = lookup(); break;
      case Step::Choose: next = choose(); break;
      case Step::Hit: next = hit(); break;
      case Step::Miss: next = miss(); break;
      case Step::Pass: next = pass(); break;
      case Step::Fetch: next = fetch(); break;
      case Step::Deliver: next = deliver(); break;
      case Step::Transmit: next = transmit(); break;
      case Step::Synth: next = synth(); break;
      case Step::Done: break;
    }
    if (next == Next::Continue || (next == Next::Suspend && woken_)) continue;
    break;
  }
  running_ = false;
}

void ProxyExchange::wake() { run(); }

// Recv: classify the request and build its key (also the host and target we forward).
ProxyExchange::Next ProxyExchange::recv() {
  const Request& req = client_.request();
  // HTTP/1.0 may omit Host: RFC 9112 §3.3 gives the authority (see http/target_authority.h).
  auto host = http::find_header(req.headers, "Host");
  const std::string local = host && !host->empty() ? std::string() : client_.local_address();
  key_ = storage::make_cache_key(http::target_authority(host, engine_.config.server.default_host, local),
                                 req.line.target);
  if (!key_) return to_synth(400, "bad-target");
  routes_ = engine_.routes;
  if (routes_) {  // one hash lookup: the site (pool, cache policy) of the Host
    site_ = routes_->routing->match(key_->host());
    if (site_ == conf::Routing::kNoSite) return to_synth(routes_->routing->unknown_host_status(), "unknown-host");
    site_counters_ = routes_->sites[static_cast<std::size_t>(site_)];
    if (site_counters_) {
      site_counters_->requests.inc();
      client_.note_site(site_counters_);
    }
  }
  // RFC 9110 §7.8: a request asking for an upgrade is never answered from the cache nor stored.
  // A valid one from a client that can tunnel asks the origin in turn; any other goes without
  // its Upgrade (hop-by-hop).
  if (http::has_upgrade_field(req.headers)) {
    if (client_.can_tunnel())
      upgrade_ = http::tunnel_protocols(req.line, req.headers, req.framing.kind != http::BodyKind::None).value_or("");
    step_ = Step::Pass;
    return Next::Continue;
  }
  is_head_ = req.line.method == "HEAD";
  cacheable_method_ = http::is_cacheable_method(req.line.method);
  if (!cacheable_method_) {
    step_ = Step::Pass;
    return Next::Continue;
  }
  needs_.honour_no_cache = site_ >= 0 && !routes_->routing->implicit()
                               ? routes_->routing->site(site_).policy.honour_client_no_cache
                                      : engine_.config.cache.honour_client_no_cache;
  for (const auto& h : req.headers) {
    if (http::iequals(h.name, "Cache-Control")) {
      needs_.has_cache_control = true;
      http::parse_cache_control(h.value, needs_.cache_control);
    } else if (http::iequals(h.name, "Pragma")) {
      http::for_each_list_member(h.value, [&](std::string_view m) { needs_.pragma_no_cache |= http::iequals(m, "no-cache"); });
    } else if (http::is_conditional_field(h.name)) {
      client_conditional_ = true;
    }
  }
  step_ = Step::Lookup;
  return Next::Continue;
}

// Lookup: the tiered cache answers at once from memory, or later from the disk.
ProxyExchange::Next ProxyExchange::lookup() {
  if (lookup_pending_) return Next::Suspend;
  cache::LookupRequest request{&*key_, client_.request().headers, engine_.clock.now(), &engine_.loop, this, &alive_};
  if (!engine_.cache.lookup(request, found_)) {
    lookup_pending_ = true;
    return Next::Suspend;
  }
  step_ = Step::Choose;
  return Next::Continue;
}

void ProxyExchange::on_lookup(cache::LookupResult result) {
  lookup_pending_ = false;
  found_ = std::move(result);
  step_ = Step::Choose;
  wake();
}

// Choose: a fresh hit, a stale one the rules allow, or the origin (RFC 9111 §4, RFC 5861).
ProxyExchange::Next ProxyExchange::choose() {
  switch (found_.verdict) {
    case cache::Verdict::Miss:
      fwd_ = found_.variant_key.empty() ? "miss" : "vary-miss";
      step_ = Step::Miss;
      return Next::Continue;
    case cache::Verdict::Invalid:
      fwd_ = "miss";
      step_ = Step::Miss;
      return Next::Continue;
    case cache::Verdict::Fresh:
    case cache::Verdict::Stale:
    case cache::Verdict::SoftPurged:
      break;
  }
  const storage::EntryRef& entry = found_.entry;
  if (found_.tier == cache::Tier::Disk) engine_.metrics.disk_hits.inc();
  const auto& m = entry->meta();
  const cache::EntryTiming t = cache::entry_timing(m, engine_.clock.now());
  http::StoredState st;
  st.age = t.age;
  st.lifetime = m.lifetime_s;
  st.stale_while_revalidate = m.stale_while_revalidate_s;
  st.must_revalidate = m.flags & storage::kEntryMustRevalidate;
  st.no_cache = m.flags & storage::kEntryNoCache;
  st.soft_purged = found_.verdict == cache::Verdict::SoftPurged;
  const std::int64_t served_ttl = std::min<std::int64_t>(t.ttl, 0);
  switch (http::decide_stored_use(st, needs_)) {
    case http::StoredUse::Fresh:
      status_ = {.hit = true, .has_ttl = true, .ttl = st.soft_purged ? served_ttl : t.ttl};
      if (!st.soft_purged) maybe_refresh_early(entry, t.ttl);
      break;
    case http::StoredUse::StaleAllowedByClient:
      status_ = {.hit = true, .has_ttl = true, .ttl = t.ttl, .detail = "max-stale"};
      break;
    case http::StoredUse::StaleWhileRevalidate:
      engine_.metrics.stale_while_revalidate.inc();
      refresh_in_background(entry);
      status_ = {.hit = true, .has_ttl = true, .ttl = served_ttl, .detail = "stale-while-revalidate"};
      break;
    case http::StoredUse::Validate:
      stale_ = entry;
      fwd_ = "stale";
      step_ = Step::Miss;
      return Next::Continue;
    case http::StoredUse::ClientRequiresForward:
      stale_ = entry;
      fwd_ = "request";
      step_ = Step::Miss;
      return Next::Continue;
  }
  hit_ = entry;
  step_ = Step::Hit;
  return Next::Continue;
}

// Miss: join the URL's running fetch, or lead one.
ProxyExchange::Next ProxyExchange::miss() {
  if (needs_.cache_control.only_if_cached) {
    // §5.2.1.7: nothing stored may answer, and we must not go to the origin.
    fwd_ = {};
    return to_synth(504, "only-if-cached");
  }
  engine_.metrics.misses.inc();
  if (site_counters_) site_counters_->misses.inc();
  if (auto running = engine_.fetcher.running(*key_)) {
    auto sub = std::make_shared<FetchSubscription>();
    sub->listener = this;
    sub->loop = &engine_.loop;
    if (running->subscribe(sub)) {
      sub_ = std::move(sub);
      fetch_ = std::move(running);
      collapsed_ = true;
      step_ = Step::Fetch;
      return Next::Continue;
    }
  }
  const bool client_no_store = needs_.honour_no_cache && needs_.cache_control.no_store;
  if (is_head_ || client_no_store || engine_.fetcher.hit_for_miss(*key_, engine_.clock.now())) {
    // HEAD misses are forwarded as HEAD and store nothing; a client's no-store and a recent
    // uncacheable answer both mean: go alone, in parallel with anyone else.
    return lead(!is_head_, false);
  }
  return lead(true, true);
}

// Pass: methods the cache does not store go straight to the origin, uncoalesced.
ProxyExchange::Next ProxyExchange::pass() {
  fwd_ = "method";
  engine_.metrics.passes.inc();
  return lead(false, false);
}

std::string ProxyExchange::variant_key_for(std::string_view vary) const {
  std::string key = key_->text;
  http::append_variant_key(key, vary, client_.request().headers);
  return key;
}

// The key this request's response is stored under: its variant's when the URL varies.
std::string_view ProxyExchange::own_key() const {
  return found_.variant_key.empty() ? std::string_view(key_->text) : std::string_view(found_.variant_key);
}

ProxyExchange::Next ProxyExchange::to_synth(int status, std::string_view detail) {
  synth_status_ = status;
  synth_detail_ = detail;
  step_ = Step::Synth;
  return Next::Continue;
}

}  // namespace lacquer::edge
