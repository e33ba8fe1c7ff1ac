// The miss and pass path of the request state machine: join or lead an origin fetch job
// (edge/fetch_job.h), deliver what it brings as it streams in, serve stale when the origin
// fails and stale-if-error allows it, and Synth for errors we answer ourselves.
#include <event2/buffer.h>

#include "edge/proxy/proxy_exchange.h"
#include "edge/server/clock.h"
#include "http/stored_head.h"
#include "edge/proxy/synthetic.h"
#include "edge/server/worker.h"
#include "http/serializer.h"
#include "origin/forward.h"

namespace lacquer::edge {
namespace {

// Conditional and range fields of the client: a cacheable fetch asks for the whole response
// (the cache answers them itself); a revalidation sends the stored validators instead.
bool is_conditional_field(std::string_view name) {
  return http::iequals(name, "If-None-Match") || http::iequals(name, "If-Modified-Since") ||
         http::iequals(name, "If-Match") || http::iequals(name, "If-Unmodified-Since") ||
         http::iequals(name, "If-Range") || http::iequals(name, "Range");
}

// A stale entry can be freshened with a conditional request when it has a validator. A large
// object is refetched whole instead (its body is on disk, not in the entry).
bool can_revalidate(const storage::Entry& e) {
  if (e.meta().flags & storage::kEntryLarge) return false;
  return http::stored_field(e.head(), "ETag") || http::stored_field(e.head(), "Last-Modified");
}

bool is_safe_method(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE";
}

}  // namespace

JobSpec ProxyExchange::make_spec(bool may_store, bool registered, const storage::EntryRef& revalidating) const {
  const Request& req = conn_.request();
  auto& shared = conn_.worker().shared();
  JobSpec spec;
  spec.key = *key_;
  spec.idempotent = cacheable_method_;
  spec.head_request = is_head_;
  spec.may_store = may_store;
  spec.registered = registered;
  spec.unsafe_method = !is_safe_method(req.line.method);
  spec.has_authorization = http::find_header(req.headers, "Authorization").has_value();
  spec.request_cache_control = client_cc_;
  spec.revalidating = revalidating;
  std::vector<http::Header> fields;
  fields.reserve(req.headers.size() + 2);
  for (const auto& h : req.headers) {
    if (cacheable_method_ && is_conditional_field(h.name)) continue;
    fields.push_back(h);
  }
  if (revalidating) {
    if (auto etag = http::stored_field(revalidating->head(), "ETag")) fields.push_back({"If-None-Match", *etag});
    if (auto lm = http::stored_field(revalidating->head(), "Last-Modified")) fields.push_back({"If-Modified-Since", *lm});
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
  fwd.headers = fields;
  fwd.client_ip = conn_.peer_ip();
  fwd.via = shared.via;
  // GET/HEAD bodies are never forwarded under a cached key (design: Hostile input).
  fwd.has_body = !cacheable_method_ && req.framing.kind != http::BodyKind::None;
  fwd.body_length = fwd.has_body ? req.body.size() : 0;
  origin::append_origin_request(spec.request, fwd);
  if (fwd.has_body) spec.request.append(req.body);
  return spec;
}

// Pass: methods the cache does not store go straight to the origin, uncoalesced.
void ProxyExchange::pass() {
  phase_ = Phase::Pass;
  fwd_ = "method";
  conn_.worker().metrics().passes.inc();
  lead(false, false);
}

// Miss: join the URL's running fetch, or lead one.
void ProxyExchange::miss(std::string_view why) {
  phase_ = Phase::Miss;
  fwd_ = why;
  if (client_cc_.only_if_cached) {
    // §5.2.1.7: nothing stored may answer, and we must not go to the origin.
    fwd_ = {};
    synth(504, "only-if-cached");
    return;
  }
  conn_.worker().metrics().misses.inc();
  auto& shared = conn_.worker().shared();
  if (auto running = shared.inflight.find(key_->primary, key_->text)) {
    if (running->subscribe(sub_ = std::make_shared<JobSubscription>())) {
      subscribe_to(std::move(running), true);
      return;
    }
    sub_.reset();
  }
  const bool honour = conn_.worker().config().cache.honour_client_no_cache;
  if (is_head_ || (honour && client_cc_.no_store) ||
      shared.inflight.hit_for_miss(key_->primary, key_->text, now_seconds())) {
    // HEAD misses are forwarded as HEAD and store nothing; a client's no-store and a recent
    // uncacheable answer both mean: go alone, in parallel with anyone else.
    lead(!is_head_, false);
    return;
  }
  lead(true, true);
}

void ProxyExchange::lead(bool may_store, bool registered) {
  auto& shared = conn_.worker().shared();
  storage::EntryRef revalidating;
  if (stale_ && may_store && can_revalidate(*stale_.get())) {
    revalidating = stale_;
    conn_.worker().metrics().revalidations.inc();
  }
  auto job = FetchJob::create(conn_.worker(), make_spec(may_store, registered, revalidating));
  sub_ = std::make_shared<JobSubscription>();
  if (registered) {
    auto winner = shared.inflight.register_job(key_->primary, key_->text, job);
    if (winner != job) {
      // Another worker registered a fetch for this URL in the meantime: join it.
      if (winner->subscribe(sub_)) {
        subscribe_to(std::move(winner), true);
        return;
      }
      job = FetchJob::create(conn_.worker(), make_spec(may_store, false, revalidating));
    }
  }
  job->subscribe(sub_);
  subscribe_to(job, false);
  job->start();
}

// stale-while-revalidate: one background fetch refreshes the entry; nobody waits for it.
void ProxyExchange::refresh_in_background(const storage::EntryRef& stale) {
  auto& shared = conn_.worker().shared();
  if (shared.inflight.find(key_->primary, key_->text)) return;  // a fetch is already running
  const bool validators = can_revalidate(*stale.get());
  auto job = FetchJob::create(conn_.worker(), make_spec(true, true, validators ? stale : storage::EntryRef()));
  if (shared.inflight.register_job(key_->primary, key_->text, job) != job) return;
  if (validators) conn_.worker().metrics().revalidations.inc();
  job->start();
}

void ProxyExchange::subscribe_to(std::shared_ptr<FetchJob> job, bool collapsed) {
  phase_ = Phase::Fetch;
  job_ = std::move(job);
  collapsed_ = collapsed;
  sub_->listener = this;
  sub_->inbox = &conn_.worker().inbox();
  if (collapsed) on_job_progress();  // the job may have a head already
}

void ProxyExchange::on_job_progress() {
  if (!job_) return;
  if (head_written_) {
    deliver_body();
    return;
  }
  const JobState state = job_->state();
  // 1xx interim responses go to HTTP/1.1 clients before the final head (RFC 9110 §15.2).
  if (conn_.request().line.version_minor >= 1 && state != JobState::Failed) job_->pull_interim(*sub_, conn_.output());
  switch (state) {
    case JobState::Waiting:
      return;
    case JobState::Failed:
      on_fetch_failed(job_->error());
      return;
    case JobState::Refreshed: {
      auto entry = job_->refreshed();
      if (entry->key() != (variant_key_.empty() ? key_->text : variant_key_)) break;  // another variant
      const auto& m = entry->meta();
      std::int64_t ttl = static_cast<std::int64_t>(m.lifetime_s) -
                         http::current_age(m.corrected_initial_age, m.response_time, now_seconds());
      serve_entry(entry, {.hit = collapsed_, .fwd = collapsed_ ? "" : "stale", .fwd_status = collapsed_ ? 0 : 304,
                          .stored = !collapsed_, .collapsed = collapsed_, .has_ttl = true, .ttl = ttl});
      return;
    }
    case JobState::Streaming: {
      const JobHead& h = job_->head();
      if (collapsed_ && (!h.shareable || (!h.vary.empty() && variant_key_for(h.vary) != h.variant_key))) break;
      if (h.status >= 500 && serve_stale_on_error(h.status, "stale-if-error")) return;
      if (client_conditional_ && h.status >= 200 && h.status < 300 && answer_preconditions_on_miss(h, miss_status(h)))
        return;
      if (collapsed_) conn_.worker().metrics().collapsed.inc();
      deliver_head(h);
      deliver_body();
      return;
    }
  }
  // Released: the response is not for us after all (uncacheable, or another variant). Fetch
  // alone, in parallel with the others.
  detach();
  lead(!is_head_, false);
}

http::CacheStatus ProxyExchange::miss_status(const JobHead& h) const {
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

void ProxyExchange::deliver_head(const JobHead& h) {
  phase_ = Phase::Deliver;
  head_written_ = true;
  if (!collapsed_ && cacheable_method_ && !h.stored && !is_head_) conn_.worker().metrics().not_stored.inc();
  std::string out;
  out.reserve(h.head.size() + 200);
  out.append(h.head);
  if (!h.origin_age.empty()) http::append_header(out, "Age", h.origin_age);
  bool keep_alive = conn_.keep_alive();
  if (h.content_length) {
    http::append_header(out, "Content-Length", *h.content_length);
  } else if (is_head_ || h.status == 204 || h.status == 304 || h.status < 200) {
    // no body and no framing field
  } else if (conn_.request().line.version_minor >= 1) {
    chunked_out_ = true;
    out.append("Transfer-Encoding: chunked\r\n");
  } else {
    close_delimited_out_ = true;  // HTTP/1.0 client: the close ends the body
    keep_alive = false;
  }
  miss_status(h).append_field(out);
  out.append(keep_alive ? conn_.connection_header() : std::string_view("Connection: close\r\n"));
  out.append("\r\n");
  evbuffer_add(conn_.output(), out.data(), out.size());
  if (is_head_) {
    // A HEAD (also one that joined a GET's fetch) ends with the head.
    done(keep_alive);
  }
}

void ProxyExchange::deliver_body() {
  if (!job_ || !sub_) return;
  evbuffer* out = conn_.output();
  const std::size_t limit = conn_.worker().config().limits.max_output_buffer;
  const std::size_t queued = evbuffer_get_length(out);
  bool ended = false, broken = false;
  if (queued < limit) job_->pull(*sub_, out, limit - queued, chunked_out_, ended, broken);
  else job_->pull(*sub_, out, 0, chunked_out_, ended, broken);
  if (ended) {
    if (chunked_out_) evbuffer_add(out, http::kLastChunk.data(), http::kLastChunk.size());
    done(conn_.keep_alive() && !close_delimited_out_);
  } else if (broken) {
    // Part of the response is already on its way: the only honest thing left is to cut the
    // connection, so the client cannot take a truncated body for a complete one.
    conn_.worker().metrics().truncated_responses.inc();
    detach();
    phase_ = Phase::Done;
    conn_.abort();
  }
}

void ProxyExchange::on_output_drained() {
  if (head_written_) deliver_body();
  else if (large_ && !large_reading_) read_next_large();
}

// RFC 5861 §4: stale-if-error, or the configured grace. Never for must-revalidate (§4.2.4).
bool ProxyExchange::serve_stale_on_error(int origin_status, std::string_view why) {
  if (!stale_) return false;
  const auto& m = stale_->meta();
  if (m.flags & (storage::kEntryMustRevalidate | storage::kEntryNoCache)) return false;
  const std::int64_t age = http::current_age(m.corrected_initial_age, m.response_time, now_seconds());
  const std::int64_t ttl = static_cast<std::int64_t>(m.lifetime_s) - age;
  if (-ttl > static_cast<std::int64_t>(m.stale_if_error_s)) return false;
  conn_.worker().metrics().stale_if_error.inc();
  storage::EntryRef stale = stale_;
  serve_entry(stale, {.fwd = "stale", .fwd_status = origin_status, .has_ttl = true, .ttl = std::min<std::int64_t>(ttl, 0),
                      .detail = why});
  return true;
}

void ProxyExchange::on_fetch_failed(origin::OriginError error) {
  if (serve_stale_on_error(0, "stale-if-error")) return;
  std::string detail = "origin-";
  detail.append(origin::to_string(error));
  synth(error == origin::OriginError::Timeout ? 504 : 502, detail);
}

// Stop listening to the job (it goes on for the others, or stops when nobody needs it).
void ProxyExchange::detach() {
  if (sub_) {
    sub_->listener = nullptr;
    sub_.reset();
  }
  job_.reset();
}

void ProxyExchange::done(bool keep_alive) {
  detach();
  phase_ = Phase::Done;
  conn_.finish(keep_alive);
}

// Synth: an answer we make ourselves.
void ProxyExchange::synth(int status, std::string_view detail) {
  detach();
  phase_ = Phase::Synth;
  if (status >= 500) conn_.worker().metrics().synthetic_errors.inc();
  std::string body = std::string(http::reason_phrase(status)) + " (" + std::string(detail) + ")\n";
  std::string cache_status = "lacquer; ";
  if ((status == 502 || status == 504) && !fwd_.empty()) cache_status.append("fwd=").append(fwd_).append("; ");
  cache_status.append("detail=").append(detail);
  std::string head;
  append_synthetic_head(head, status, body.size(), conn_.worker().shared().via, cache_status,
                        conn_.connection_header());
  evbuffer_add(conn_.output(), head.data(), head.size());
  if (!is_head_) evbuffer_add(conn_.output(), body.data(), body.size());
  phase_ = Phase::Done;
  conn_.finish(conn_.keep_alive());
}

}  // namespace lacquer::edge
