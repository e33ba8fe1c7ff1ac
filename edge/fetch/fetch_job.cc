#include "edge/fetch/fetch_job.h"

#include <xxhash.h>

#include <charconv>

#include "http/qualified_fields.h"
#include "http/response_fields.h"
#include "http/serializer.h"
#include "http/store_outcome.h"
#include "http/stored_head.h"
#include "purge/scopes.h"
#include "purge/surrogate_keys.h"

namespace lacquer::edge {
std::shared_ptr<FetchJob> FetchJob::create(FetchContext& context, FetchRequest request) {
  return std::shared_ptr<FetchJob>(new FetchJob(context, std::move(request)));
}

FetchJob::FetchJob(FetchContext& context, FetchRequest request) : ctx_(context), spec_(std::move(request)) {}

FetchJob::~FetchJob() = default;

FetchRequest FetchJob::unregistered_request() && {
  FetchRequest request = std::move(spec_);
  request.registered = false;
  return request;
}

void FetchJob::start() {
  self_ = shared_from_this();
  ctx_.running.insert(this);
  origin::FetchSpec fs;
  fs.request = std::move(spec_.request);  // the origin fetch keeps it (for its one retry); we never read it again
  fs.idempotent = spec_.idempotent;
  fs.head_request = spec_.head_request;
  origin::OriginPool& pool = *spec_.routes->pools[spec_.pool];
  if (pool.state().config.balance == conf::Balance::ConsistentHash)
    fs.key_hash = XXH3_64bits(spec_.key.text.data(), spec_.key.text.size());  // unseeded: the same everywhere
  fs.upgrade = spec_.upgrade;
  request_time_ = ctx_.clock.now();
  request_ms_ = ctx_.clock.now_ms();
  // Birth is taken as the request goes out: a purge that lands while it is in flight is above it.
  birth_seq_ = ctx_.cache.birth_seq();
  fetch_ = pool.fetch(std::move(fs), this);
}

void FetchJob::on_origin_interim(std::string_view raw_head) {
  auto keep = shared_from_this();
  {
    std::lock_guard lock(mu_);
    if (interim_.size() + raw_head.size() > 64 * 1024) return;  // a flood of hints: keep the first ones
    interim_.append(raw_head);
  }
  wake_subscribers();
}

// A 101 to an upgrade request (never stored, never shared: upgrade requests are passed). The
// head goes to the subscriber as usual; the connection waits for it in take_upgraded().
void FetchJob::on_origin_upgrade(origin::ResponseHead& head, origin::UpgradedConnection conn) {
  auto keep = shared_from_this();
  response_time_ = ctx_.clock.now();
  head_.status = head.line.status;
  head_.no_store = http::NoStoreReason::MethodNotCacheable;
  http::append_status_line(head_.head, head_.status, head.line.reason);
  http::append_end_to_end_fields(head_.head, head.headers,
                                 http::FieldFilter{.keep_surrogate_headers = ctx_.config.cache.keep_surrogate_headers,
                                                   .forward_cdn_cache_control = ctx_.config.cache.forward_cdn_cache_control});
  http::append_header(head_.head, "Via", ctx_.via);
  if (auto protocol = http::find_header(head.headers, "Upgrade")) head_.upgrade = std::string(*protocol);
  {
    std::lock_guard lock(mu_);
    upgraded_ = std::move(conn);
    body_complete_ = true;
    state_ = FetchState::Streaming;
  }
  finish();
  wake_subscribers();
}

origin::UpgradedConnection FetchJob::take_upgraded() {
  std::lock_guard lock(mu_);
  return std::move(upgraded_);
}

void FetchJob::on_origin_head(origin::ResponseHead& head) {
  auto keep = shared_from_this();
  response_time_ = ctx_.clock.now();
  if (head.server >= 0 && spec_.pool < spec_.routes->server_first_byte.size()) {
    const auto& servers = spec_.routes->server_first_byte[spec_.pool];
    if (static_cast<std::size_t>(head.server) < servers.size() && servers[static_cast<std::size_t>(head.server)])
      servers[static_cast<std::size_t>(head.server)]->observe(head.first_byte_us);
  }
  if (spec_.revalidating && head.line.status == 304) {
    refresh_from_304(head);
    return;
  }
  prepare_head(head);
  if (spec_.unsafe_method && head.line.status >= 200 && head.line.status < 400) invalidate_after_unsafe(head);
  auto& inflight = ctx_.inflight;
  if (spec_.may_store) {
    if (storing_) {
      inflight.clear_hit_for_miss(spec_.key.primary, spec_.key.text);
    } else if (!head_.shareable && !http::is_request_driven(head_.no_store)) {
      // The response itself is uncacheable: let the next burst go to the origin in parallel
      // (hit-for-miss) rather than queue behind one fetch it cannot share.
      auto ttl = policy().hit_for_miss_s;
      if (ttl > 0) inflight.mark_hit_for_miss(spec_.key.primary, spec_.key.text, response_time_ + ttl);
    }
  }
  if (spec_.registered && !storing_) inflight.unregister(spec_.key.primary, spec_.key.text, this);
  {
    std::lock_guard lock(mu_);
    keep_whole_body_ = storing_;
    state_ = FetchState::Streaming;
  }
  wake_subscribers();
}

// Decides storage and prepares what clients are sent. Owner loop.
void FetchJob::prepare_head(origin::ResponseHead& head) {
  const auto& cfg = ctx_.config.cache;
  head_.status = head.line.status;
  facts_ = http::response_facts(head.line.status, head.headers);
  http::NoStoreReason reason = http::NoStoreReason::MethodNotCacheable;
  std::uint32_t lifetime = 0;
  if (spec_.may_store) {
    http::RequestFacts rf;
    rf.method = "GET";
    rf.has_authorization = spec_.has_authorization;
    rf.cache_control = spec_.request_cache_control;
    const http::CachePolicy policy = cache_policy();
    reason = http::storability(rf, facts_, policy, response_time_);
    if (reason == http::NoStoreReason::None) lifetime = http::freshness_lifetime(facts_, policy, response_time_).value_or(0);
    if (spec_.revalidating) reason = http::revalidation_refusal(reason, head.line.status);
    if (reason == http::NoStoreReason::None && head.framing.kind == http::BodyKind::ContentLength &&
        head.framing.length > cfg.max_object_bytes)
      reason = http::NoStoreReason::TooLarge;
  }
  storing_ = reason == http::NoStoreReason::None;
  head_.no_store = reason;
  // Too large to keep, but still one response for everyone already waiting: it is streamed to
  // all of them, the job keeping only what the slowest has not taken yet.
  head_.stored = storing_;
  head_.shareable = storing_ || reason == http::NoStoreReason::TooLarge;
  head_.lifetime_s = lifetime;
  if (head.framing.kind == http::BodyKind::ContentLength) head_.content_length = head.framing.length;
  if (spec_.head_request) {  // a HEAD answer describes the GET body it does not carry
    head_.content_length.reset();
    std::uint64_t n = 0;
    auto cl = http::find_header(head.headers, "Content-Length");
    if (cl && std::from_chars(cl->data(), cl->data() + cl->size(), n).ec == std::errc()) head_.content_length = n;
  }
  // One allocation: what we send is at most the origin's head, a Date, our Via and a reason
  // phrase of our own.
  head_.head.reserve(head.raw.size() + ctx_.via.size() + 96);
  http::append_status_line(head_.head, head_.status, head.line.reason);
  http::append_end_to_end_fields(head_.head, head.headers,
                                 http::FieldFilter{.keep_surrogate_headers = cfg.keep_surrogate_headers,
                                                   .forward_cdn_cache_control = cfg.forward_cdn_cache_control,
                                                   .date_if_missing = response_time_});
  http::append_header(head_.head, "Via", ctx_.via);
  if (auto age = http::find_header(head.headers, "Age")) head_.origin_age = std::string(*age);
  head_.variant_key = spec_.key.text;
  if (head_.shareable && facts_.has_vary) prepare_variant(head.headers);
  const bool large = reason == http::NoStoreReason::TooLarge && ctx_.cache.has_disk() && !spec_.head_request;
  if (!storing_ && !large) return;
  if (facts_.cache_control.private_fields || facts_.cache_control.no_cache_fields) {
    // §5.2.2.4 / §5.2.2.7: the qualified fields go to this client only, never into the cache.
    stored_head_.assign(head_.head, 0, head_.head.find("\r\n") + 2);
    for (const auto& f : http::stored_fields(head_.head))
      if (!http::is_qualified_field(head.headers, f.name)) http::append_header(stored_head_, f.name, f.value);
  }
  fill_meta(head_.status, lifetime);
  take_surrogate_keys(head.headers);
  if (large) {
    start_large();
    head_.stored = true;  // on disk, in chunks
  }
}

conf::SitePolicy FetchJob::policy() const {
  return spec_.policy ? *spec_.policy : conf::policy_from(ctx_.config.cache);
}

http::CachePolicy FetchJob::cache_policy() const {
  const conf::SitePolicy cfg = this->policy();
  http::CachePolicy policy;
  policy.store_set_cookie = cfg.store_set_cookie;
  policy.max_ttl_s = cfg.max_ttl_s;
  policy.allow_vary = true;
  policy.heuristic_freshness = cfg.heuristic_max_ttl_s > 0;
  policy.heuristic_max_s = cfg.heuristic_max_ttl_s;
  policy.honour_request_no_store = cfg.honour_client_no_cache;
  return policy;
}

// The stored entry's meta from facts_ (the response's directives) and the times we measured.
void FetchJob::fill_meta(int status, std::uint32_t lifetime) {
  const conf::SitePolicy cfg = policy();
  const http::CacheControl& cc = facts_.effective();
  meta_ = {};
  meta_.response_time = response_time_;
  meta_.corrected_initial_age = http::corrected_initial_age({request_time_, response_time_, facts_.date, facts_.age});
  meta_.lifetime_s = lifetime;
  meta_.birth_seq = birth_seq_;
  meta_.status = static_cast<std::uint16_t>(status);
  meta_.fetch_ms = fetch_ms_so_far();
  // RFC 5861 allowances; the configured grace only when the origin says nothing about stale.
  const bool any_stale_directive = cc.stale_while_revalidate || cc.stale_if_error;
  meta_.stale_while_revalidate_s = any_stale_directive ? cc.stale_while_revalidate.value_or(0) : cfg.default_grace_s;
  meta_.stale_if_error_s = any_stale_directive ? cc.stale_if_error.value_or(0) : cfg.default_grace_s;
  if (cc.must_revalidate || cc.proxy_revalidate) meta_.flags |= storage::kEntryMustRevalidate;
  if (cc.no_cache) meta_.flags |= storage::kEntryNoCache;
}

// Milliseconds since the request went out (the early-refresh rule's delta).
std::uint32_t FetchJob::fetch_ms_so_far() const {
  const std::int64_t ms = ctx_.clock.now_ms() - request_ms_;
  return ms <= 0 ? 0 : ms > 0xffffffffll ? 0xffffffffu : static_cast<std::uint32_t>(ms);
}

void FetchJob::take_surrogate_keys(std::span<const http::Header> headers) {
  auto keys = purge::parse_surrogate_keys(headers);
  tags_ = std::move(keys.hashes);
  if (spec_.site_scope != 0) {  // the site's own tags, and the site itself as one (purge/scopes.h)
    for (auto& t : tags_) t = purge::site_tag(spec_.site_scope, t);
    tags_.push_back(spec_.site_scope);
  }
  if (keys.dropped)
    ctx_.purge_metrics.dropped_surrogate_keys.fetch_add(keys.dropped, std::memory_order_relaxed);
}

// RFC 9111 §4.4: a successful unsafe request invalidates the target URI and the same-origin
// Location / Content-Location. A hard URL purge does it for every variant at once.
void FetchJob::invalidate_after_unsafe(const origin::ResponseHead& head) {
  std::vector<std::string> urls{spec_.key.text};
  for (const auto& h : head.headers) {
    if (!http::iequals(h.name, "Location") && !http::iequals(h.name, "Content-Location")) continue;
    auto other = storage::make_cache_key(spec_.key.host(), h.value);
    if (other && other->host() == spec_.key.host()) urls.push_back(std::move(other->text));
  }
  ctx_.metrics.invalidations.inc(urls.size());
  ctx_.invalidate(std::move(urls));
}

void FetchJob::on_origin_data(const char* data, std::size_t len) {
  auto keep = shared_from_this();
  if (storing_ && body_.size() + len > ctx_.config.cache.max_object_bytes)
    stop_storing(http::NoStoreReason::TooLarge);
  if (large_) append_large(data, len);
  std::size_t buffered;
  {
    std::lock_guard lock(mu_);
    body_.append(data, len);
    buffered = body_.size();
  }
  wake_subscribers();
  if (!storing_ && buffered > kStreamWindow && fetch_ && !paused_) {
    paused_ = true;
    fetch_->pause();
  }
  if (large_ && large_->failed()) large_.reset();  // aborts: the disk could not keep up or failed
}

void FetchJob::stop_storing(http::NoStoreReason why) {
  storing_ = false;
  if (spec_.registered) ctx_.inflight.unregister(spec_.key.primary, spec_.key.text, this);
  if (why == http::NoStoreReason::TooLarge && ctx_.cache.has_disk()) {
    // Grown past the memory limit mid-stream (no Content-Length): on to disk, from the start.
    start_large();
    std::lock_guard lock(mu_);
    if (large_ && body_base_ == 0) large_->append(body_.data(), body_.size());
  } else {
    ctx_.metrics.not_stored.inc();
  }
  std::lock_guard lock(mu_);
  keep_whole_body_ = false;
}

void FetchJob::on_origin_done() {
  auto keep = shared_from_this();
  if (storing_) store_entry();
  if (large_) commit_large();
  {
    std::lock_guard lock(mu_);
    body_complete_ = true;
  }
  finish();
  wake_subscribers();
}

void FetchJob::on_origin_error(origin::OriginError error, bool head_seen) {
  auto keep = shared_from_this();
  error_ = error;
  {
    std::lock_guard lock(mu_);
    if (head_seen) body_broken_ = true;  // nothing partial is ever stored
    else state_ = FetchState::Failed;
  }
  finish();
  wake_subscribers();
}

void FetchJob::cancel() {
  auto keep = shared_from_this();
  fetch_.reset();
  {
    std::lock_guard lock(mu_);
    if (state_ == FetchState::Waiting) state_ = FetchState::Failed;
    else body_broken_ = true;
  }
  finish();  // no wake-ups: the other loops may be gone already (process exit)
}

// The fetch is over: leave the inflight table, let the job die with its last subscriber.
void FetchJob::finish() {
  if (finished_) return;
  finished_ = true;
  large_.reset();  // not committed by now: the body was cut short; never visible
  if (spec_.registered) ctx_.inflight.unregister(spec_.key.primary, spec_.key.text, this);
  ctx_.running.erase(this);
  self_.reset();  // callers hold a reference for the rest of the callback
}

// The body arrived complete: publish it. Only here, so a truncated body is never stored.
void FetchJob::store_entry() {
  std::string stored_head;
  stored_head.reserve(head_.head.size() + 32);
  stored_head.append(stored_head_.empty() ? head_.head : stored_head_);
  http::append_header(stored_head, "Content-Length", static_cast<std::uint64_t>(body_.size()));
  const bool variant = !head_.vary.empty();
  meta_.fetch_ms = fetch_ms_so_far();  // the whole fetch, body included: what a refresh costs
  auto entry = storage::Entry::create(head_.variant_key,
                                      variant ? storage::hash_key_text(head_.variant_key) : spec_.key.primary,
                                      stored_head, body_, meta_, tags_);
  if (ctx_.cache.publish(entry, spec_.key, head_.vary)) ctx_.metrics.stored.inc();
}

}  // namespace lacquer::edge
