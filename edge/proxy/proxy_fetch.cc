// The origin side of the engine: lead or join a fetch (edge/fetch/fetch.h), then the Fetch step
// (what came back decides: deliver, a 304 refresh, stale-if-error, or go alone), Deliver and
// Transmit (stream the response as it arrives, with the client's flow control), and Synth for
// errors we answer ourselves.
#include <algorithm>
#include <charconv>

#include "cache/entry_timing.h"
#include "edge/proxy/proxy_exchange.h"
#include "http/conditional.h"
#include "http/request_class.h"
#include "http/serializer.h"
#include "http/stale_rules.h"
#include "http/stored_head.h"
#include "origin/forward.h"
#include "purge/scopes.h"

namespace lacquer::edge {
namespace {

// A stale entry can be freshened with a conditional request when it has a validator. A large
// object is refetched whole instead (its body is on disk, not in the entry).
bool can_revalidate(const storage::Entry& e) {
  if (e.meta().flags & storage::kEntryLarge) return false;
  return http::stored_field(e.head(), "ETag") || http::stored_field(e.head(), "Last-Modified");
}

}  // namespace

FetchRequest ProxyExchange::make_request(bool may_store, bool registered, const storage::EntryRef& revalidating) const {
  const Request& req = client_.request();
  FetchRequest spec;
  spec.key = *key_;
  spec.idempotent = cacheable_method_;
  spec.head_request = is_head_;
  spec.may_store = may_store;
  spec.registered = registered;
  spec.unsafe_method = !http::is_safe_method(req.line.method);
  spec.has_authorization = http::find_header(req.headers, "Authorization").has_value();
  spec.upgrade = !upgrade_.empty();
  spec.request_cache_control = needs_.cache_control;
  spec.revalidating = revalidating;
  spec.routes = routes_;
  if (site_ >= 0) {
    const conf::RoutedSite& site = routes_->routing->site(site_);
    spec.pool = site.pool;
    // The implicit site's policy is [cache] itself: read it from the live config.
    if (!routes_->routing->implicit()) {
      spec.policy = &site.policy;
      spec.site_scope = purge::site_scope_hash(site.name);
    }
  }
  // A cacheable fetch asks for the whole response: the cache answers conditionals itself. The
  // client's fields are copied only when that or a revalidation changes them.
  std::span<const http::Header> forwarded = req.headers;
  std::vector<http::Header> fields;
  const bool drops_conditionals =
      cacheable_method_ && std::any_of(req.headers.begin(), req.headers.end(),
                                       [](const http::Header& h) { return http::is_conditional_field(h.name); });
  if (drops_conditionals || revalidating) {
    fields.reserve(req.headers.size() + 2);
    for (const auto& h : req.headers)
      if (!cacheable_method_ || !http::is_conditional_field(h.name)) fields.push_back(h);
    if (revalidating) {
      if (auto etag = http::stored_field(revalidating->head(), "ETag")) fields.push_back({"If-None-Match", *etag});
      if (auto lm = http::stored_field(revalidating->head(), "Last-Modified")) fields.push_back({"If-Modified-Since", *lm});
    }
    forwarded = fields;
  }
  if (may_store) {
    // One copy of the head; the field views are moved over to it.
    spec.request_head = std::make_shared<const std::string>(req.raw);
    const char* from = req.raw.data();
    const char* to = spec.request_head->data();
    spec.request_fields.reserve(req.headers.size());
    for (const auto& h : req.headers)
      spec.request_fields.push_back({{to + (h.name.data() - from), h.name.size()}, {to + (h.value.data() - from), h.value.size()}});
  }
  origin::ForwardRequest fwd;
  fwd.method = req.line.method;
  fwd.host = key_->host();
  fwd.target = key_->target();
  fwd.headers = forwarded;
  fwd.client_ip = client_.peer_ip();
  fwd.via = engine_.via;
  fwd.proto = client_.secure() ? "https" : "http";
  // GET/HEAD bodies are never forwarded under a cached key (design: Hostile input).
  fwd.has_body = !cacheable_method_ && req.framing.kind != http::BodyKind::None;
  fwd.body_length = fwd.has_body ? req.body.size() : 0;
  fwd.upgrade = upgrade_;
  if (routes_) {
    fwd.trusted_peer = routes_->routing->trusted_proxies().contains(client_.peer_ip());
    if (site_ >= 0) {
      const conf::CompiledHeaderRules& rules = routes_->routing->site(site_).request_rules;
      fwd.edits = http::HeaderEdits{rules.drop, rules.add};
    }
  }
  spec.request.reserve(origin::origin_request_bound(fwd) + fwd.body_length);  // head and body in one allocation
  origin::append_origin_request(spec.request, fwd);
  if (fwd.has_body) spec.request.append(req.body);
  return spec;
}

ProxyExchange::Next ProxyExchange::lead(bool may_store, bool registered) {
  storage::EntryRef revalidating;
  if (stale_ && may_store && can_revalidate(*stale_.get())) {
    revalidating = stale_;
    engine_.metrics.revalidations.inc();
  }
  sub_ = std::make_shared<FetchSubscription>();
  sub_->listener = this;
  sub_->loop = &engine_.loop;
  step_ = Step::Fetch;
  bool joined = false;
  fetch_ = engine_.fetcher.start(make_request(may_store, registered, revalidating), sub_, joined);
  collapsed_ = joined;
  return Next::Continue;
}

// stale-while-revalidate: one background fetch refreshes the entry; nobody waits for it.
void ProxyExchange::refresh_in_background(const storage::EntryRef& stale) {
  if (engine_.fetcher.running(*key_)) return;  // a fetch is already running
  const bool validators = can_revalidate(*stale.get());
  if (validators) engine_.metrics.revalidations.inc();
  engine_.fetcher.refresh(make_request(true, true, validators ? stale : storage::EntryRef()));
}

// Probabilistic early refresh (cache/early_refresh.h): a fresh hit close to expiry may start the
// URL's one background refresh; the client is served from the entry at once either way.
void ProxyExchange::maybe_refresh_early(const storage::EntryRef& fresh, std::int64_t ttl_s) {
  const auto& cfg = engine_.config.cache;
  if (!cfg.early_refresh || cfg.early_refresh_beta <= 0 || is_head_) return;  // a refresh is a GET
  const cache::EarlyRefreshPolicy policy{cfg.early_refresh_beta, cfg.early_refresh_min_delta_ms};
  const storage::EntryMeta& m = fresh->meta();
  // Far from expiry (in whole seconds, before any finer clock read or draw): nothing to do.
  const double scale_ms = cache::early_refresh_delta_ms(m.fetch_ms, policy) * policy.beta;
  if (static_cast<double>(ttl_s - 1) * 1000 > cache::kEarlyRefreshHorizonDeltas * scale_ms) return;
  const std::int64_t expiry_ms = (m.response_time - m.corrected_initial_age + m.lifetime_s) * 1000;
  const std::int64_t remaining_ms = expiry_ms - engine_.clock.now_ms();
  if (!cache::should_refresh_early(remaining_ms, m.fetch_ms, policy, engine_.draws.next())) return;
  if (engine_.fetcher.running(*key_)) return;  // the refresh (or a miss's fetch) is under way
  engine_.metrics.early_refreshes.inc();
  const bool validators = can_revalidate(*fresh.get());
  if (validators) engine_.metrics.revalidations.inc();
  engine_.fetcher.refresh(make_request(true, true, validators ? fresh : storage::EntryRef()));
}

void ProxyExchange::on_fetch_progress() {
  if (step_ == Step::Fetch || step_ == Step::Transmit) wake();
}

// Fetch: wait for the origin's answer, then decide what to do with it.
ProxyExchange::Next ProxyExchange::fetch() {
  const FetchState state = fetch_->state();
  // 1xx interim responses go to the client before the final head (RFC 9110 §15.2).
  if (state != FetchState::Failed) {
    std::string interim;
    fetch_->pull_interim(*sub_, interim);
    if (!interim.empty()) client_.write_interim(interim);
  }
  if (state == FetchState::Streaming || state == FetchState::Refreshed) client_.note_origin_head();
  switch (state) {
    case FetchState::Waiting:
      return Next::Suspend;
    case FetchState::Failed:
      return on_fetch_failed(fetch_->error());
    case FetchState::Refreshed: {
      storage::EntryRef entry = fetch_->refreshed();
      if (entry->key() != own_key()) break;  // another variant was refreshed
      status_ = {.hit = collapsed_, .fwd = collapsed_ ? "" : "stale", .fwd_status = collapsed_ ? 0 : 304,
                 .stored = !collapsed_, .collapsed = collapsed_, .has_ttl = true,
                 .ttl = cache::entry_timing(entry->meta(), engine_.clock.now()).ttl};
      hit_ = std::move(entry);
      step_ = Step::Hit;
      return Next::Continue;
    }
    case FetchState::Streaming: {
      const FetchHead& h = fetch_->head();
      if (h.status == 101) return tunnel(h);
      if (collapsed_ && (!h.shareable || (!h.vary.empty() && variant_key_for(h.vary) != h.variant_key))) break;
      if (http::is_origin_error_status(h.status) && stale_on_error(h.status)) return Next::Continue;
      status_ = miss_status(h);
      if (client_conditional_ && h.status >= 200 && h.status < 300)
        if (auto answered = preconditions_on_miss(h)) return *answered;
      if (collapsed_) engine_.metrics.collapsed.inc();
      step_ = Step::Deliver;
      return Next::Continue;
    }
  }
  // Released: the response is not for us after all (uncacheable, or another variant). Fetch
  // alone, in parallel with the others.
  detach();
  return lead(!is_head_, false);
}

http::CacheStatus ProxyExchange::miss_status(const FetchHead& h) const {
  http::CacheStatus cs;
  if (collapsed_) {
    cs.hit = true;
    cs.collapsed = true;
  } else {
    cs.fwd = fwd_;
    cs.fwd_status = h.status;
    cs.stored = h.stored;
    if (!h.stored && cacheable_method_ && !is_head_) cs.detail = http::to_string(h.no_store);
  }
  if (h.stored) {
    cs.has_ttl = true;
    cs.ttl = h.lifetime_s;
  }
  return cs;
}

// Deliver: the head of what the origin sent, as it goes to this client.
ProxyExchange::Next ProxyExchange::deliver() {
  const FetchHead& h = fetch_->head();
  if (!collapsed_ && cacheable_method_ && !h.stored && !is_head_) engine_.metrics.not_stored.inc();
  std::string extra;
  if (!h.origin_age.empty()) http::append_header(extra, "Age", h.origin_age);
  status_.append_field(extra);
  BodyFraming framing = BodyFraming::Stream;
  if (h.content_length) {
    http::append_header(extra, "Content-Length", *h.content_length);
    framing = BodyFraming::Length;
  }
  if (is_head_ || h.status == 204 || h.status == 304 || h.status < 200) framing = BodyFraming::None;
  write_head({.fields = h.head, .extra = extra, .framing = framing});
  // A HEAD (also one that joined a GET's fetch) ends with the head.
  if (is_head_) return finish(client_.keep_alive());
  step_ = Step::Transmit;
  return Next::Continue;
}

// Transmit: the body as it arrives, no faster than the client takes it.
ProxyExchange::Next ProxyExchange::transmit() {
  if (sending_large_) return transmit_large();
  bool ended = false, broken = false;
  fetch_->pull(*sub_, client_.writable_bytes(), client_, ended, broken);
  if (ended) return finish(client_.keep_alive());
  if (broken) {
    // Part of the response is already on its way: the only honest thing left is to cut the
    // connection, so the client cannot take a truncated body for a complete one.
    engine_.metrics.truncated_responses.inc();
    return abort();
  }
  return Next::Suspend;
}

void ProxyExchange::on_output_drained() {
  if (step_ == Step::Transmit) wake();
}

// RFC 5861 §4: stale-if-error, or the configured grace. Never for must-revalidate (§4.2.4).
bool ProxyExchange::stale_on_error(int origin_status) {
  if (!stale_) return false;
  const auto& m = stale_->meta();
  const cache::EntryTiming t = cache::entry_timing(m, engine_.clock.now());
  const http::StaleOnErrorInput input{.age = t.age, .lifetime = m.lifetime_s, .stale_if_error = m.stale_if_error_s,
                                      .must_revalidate = (m.flags & storage::kEntryMustRevalidate) != 0,
                                      .no_cache = (m.flags & storage::kEntryNoCache) != 0};
  if (!http::may_serve_stale_on_error(input)) return false;
  engine_.metrics.stale_if_error.inc();
  detach();
  status_ = {.fwd = "stale", .fwd_status = origin_status, .has_ttl = true, .ttl = std::min<std::int64_t>(t.ttl, 0),
             .detail = "stale-if-error"};
  hit_ = stale_;
  step_ = Step::Hit;
  return true;
}

ProxyExchange::Next ProxyExchange::on_fetch_failed(origin::OriginError error) {
  if (stale_on_error(0)) return Next::Continue;
  synth_detail_text_ = "origin-";
  synth_detail_text_.append(origin::to_string(error));
  const int status = error == origin::OriginError::Timeout    ? 504
                     : error == origin::OriginError::NoServer ? 503
                                                              : 502;
  return to_synth(status, synth_detail_text_);
}

// Stop listening to the fetch (it goes on for the others, or stops when nobody needs it).
void ProxyExchange::detach() {
  if (sub_) {
    sub_->listener = nullptr;
    sub_.reset();
  }
  fetch_.reset();
}

ProxyExchange::Next ProxyExchange::finish(bool keep_alive) {
  detach();
  step_ = Step::Done;
  client_.finish(keep_alive);
  return Next::Done;
}

ProxyExchange::Next ProxyExchange::abort() {
  detach();
  step_ = Step::Done;
  client_.abort();
  return Next::Done;
}

// A 101 to the upgrade we asked for: the client side takes the origin connection and carries
// the switched protocol from here; the exchange is over. (Only a client that can_tunnel() asks.)
ProxyExchange::Next ProxyExchange::tunnel(const FetchHead& h) {
  origin::UpgradedConnection origin = fetch_->take_upgraded();
  if (!origin || upgrade_.empty() || h.upgrade.empty() || !client_.can_tunnel()) return to_synth(502, "origin-malformed");
  status_ = {.fwd = fwd_, .fwd_status = h.status};
  std::string extra;
  status_.append_field(extra);
  const std::shared_ptr<Fetch> keep = fetch_;  // `h` is its head
  detach();
  step_ = Step::Done;
  client_.start_tunnel({.fields = h.head, .extra = extra, .framing = BodyFraming::None}, h.upgrade, std::move(origin));
  return Next::Done;
}

// Synth: an answer we make ourselves.
ProxyExchange::Next ProxyExchange::synth() {
  detach();
  if (synth_status_ >= 500) engine_.metrics.synthetic_errors.inc();
  std::string body = std::string(http::reason_phrase(synth_status_)) + " (" + std::string(synth_detail_) + ")\n";
  std::string cache_status = "lacquer; ";
  if ((synth_status_ == 502 || synth_status_ == 503 || synth_status_ == 504) && !fwd_.empty()) cache_status.append("fwd=").append(fwd_).append("; ");
  cache_status.append("detail=").append(synth_detail_);
  step_ = Step::Done;
  respond_simple(client_, engine_.via, synth_status_, "text/plain; charset=utf-8", body, cache_status);
  return Next::Done;
}

void ProxyExchange::write_head(const ResponseHead& head) {
  const conf::CompiledHeaderRules* rules =
      routes_ && site_ >= 0 ? &routes_->routing->site(site_).response_rules : nullptr;
  if (!rules || rules->empty()) {
    client_.write_head(head);  // a hit's stored head still goes by reference
    return;
  }
  const http::HeaderEdits edits{rules->drop, rules->add};
  std::string& out = engine_.head_scratch;
  out.clear();
  http::append_without_dropped(out, head.fields, true, edits);
  const std::size_t split = out.size();
  http::append_without_dropped(out, head.extra, false, edits);
  out.append(rules->add);
  const std::string_view all = out;
  client_.write_head({.fields = all.substr(0, split), .extra = all.substr(split), .framing = head.framing});
}

}  // namespace lacquer::edge
