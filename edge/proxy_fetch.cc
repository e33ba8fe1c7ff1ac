// The miss and pass path of the request state machine: Fetch, Deliver (stream to the client,
// keep the body when storable), store, and Synth for errors we answer ourselves.
#include <event2/buffer.h>

#include "edge/proxy_exchange.h"
#include "edge/response_fields.h"
#include "edge/small_utils.h"
#include "edge/synthetic.h"
#include "edge/worker.h"
#include "http/serializer.h"
#include "origin/forward.h"
#include "purge/surrogate_keys.h"
#include "storage/disk_tier.h"
#include "storage/memory_tier.h"

namespace lacquer::edge {

// Fetch: send the request to the origin; callbacks resume us.
void ProxyExchange::fetch(bool cacheable) {
  const Request& req = conn_.request();
  auto& shared = conn_.worker().shared();
  origin::ForwardRequest fwd;
  fwd.method = req.line.method;
  fwd.host = key_->host();
  fwd.target = key_->target();
  fwd.headers = req.headers;
  fwd.client_ip = conn_.peer_ip();
  fwd.via = shared.via;
  // GET/HEAD bodies are never forwarded under a cached key (design: Hostile input).
  fwd.has_body = !cacheable && req.framing.kind != http::BodyKind::None;
  fwd.body_length = fwd.has_body ? req.body.size() : 0;
  origin::FetchSpec spec;
  origin::append_origin_request(spec.request, fwd);
  if (fwd.has_body) spec.request.append(req.body);
  spec.idempotent = cacheable_method_;
  spec.head_request = is_head_;
  request_time_ = now_seconds();
  // Birth is taken as the request goes out: a purge that lands while it is in flight is above it.
  birth_seq_ = shared.versions.current_seq();
  phase_ = Phase::Fetch;
  fetch_ = conn_.worker().origin_pool().fetch(std::move(spec), this);
}

http::NoStoreReason ProxyExchange::decide_storage(const origin::ResponseHead& head) {
  if (phase_ == Phase::Pass || is_head_) return http::NoStoreReason::MethodNotCacheable;
  const auto& cfg = conn_.worker().config().cache;
  const Request& req = conn_.request();
  http::RequestFacts rf;
  rf.method = req.line.method;
  rf.has_authorization = http::find_header(req.headers, "Authorization").has_value();
  rf.cache_control = http::parse_cache_control_fields(req.headers, "Cache-Control");
  auto facts = http::response_facts(head.line.status, head.headers);
  http::CachePolicy policy;
  policy.store_set_cookie = cfg.store_set_cookie;
  policy.max_ttl_s = cfg.max_ttl_s;
  policy.allow_vary = false;          // secondary keys come with the RFC 9111 issue
  policy.heuristic_freshness = false; // foundation: explicit freshness only
  auto reason = http::storability(rf, facts, policy, response_time_);
  if (reason != http::NoStoreReason::None) return reason;
  auto lifetime = http::freshness_lifetime(facts, policy, response_time_);
  if (!lifetime) return http::NoStoreReason::NoFreshnessInformation;
  if (*lifetime == 0) return http::NoStoreReason::ZeroTtl;  // nothing to revalidate with yet
  if (head.framing.kind == http::BodyKind::ContentLength && head.framing.length > cfg.max_object_bytes)
    return http::NoStoreReason::TooLarge;
  lifetime_s_ = *lifetime;
  corrected_initial_age_ = http::corrected_initial_age(
      {request_time_, response_time_, facts.date, facts.age});
  return http::NoStoreReason::None;
}

void ProxyExchange::on_origin_head(origin::ResponseHead& head) {
  phase_ = Phase::Deliver;
  response_time_ = now_seconds();
  status_ = head.line.status;
  no_store_ = decide_storage(head);
  storing_ = no_store_ == http::NoStoreReason::None;
  if (!storing_ && cacheable_method_ && !is_head_) conn_.worker().metrics().not_stored.inc();
  if (storing_) {
    auto keys = purge::parse_surrogate_keys(head.headers);
    tags_ = std::move(keys.hashes);
    if (keys.dropped)
      conn_.worker().shared().purge_metrics.dropped_surrogate_keys.fetch_add(keys.dropped, std::memory_order_relaxed);
  }
  http::append_status_line(status_line_, status_, head.line.reason);
  FieldFilter filter{conn_.worker().config().cache.keep_surrogate_headers};
  append_end_to_end_fields(fields_, head.headers, filter);
  http::append_header(fields_, "Via", conn_.worker().shared().via);
  write_client_head(head);
}

void ProxyExchange::write_client_head(const origin::ResponseHead& head) {
  std::string out;
  out.reserve(status_line_.size() + fields_.size() + 160);
  out.append(status_line_).append(fields_);
  if (auto age = http::find_header(head.headers, "Age")) http::append_header(out, "Age", *age);
  const auto kind = head.framing.kind;
  bool keep_alive = conn_.keep_alive();
  if (kind == http::BodyKind::ContentLength) {
    http::append_header(out, "Content-Length", head.framing.length);
  } else if (kind == http::BodyKind::None) {
    if (is_head_)  // a HEAD response describes the GET body it did not send
      if (auto cl = http::find_header(head.headers, "Content-Length")) http::append_header(out, "Content-Length", *cl);
  } else if (conn_.request().line.version_minor >= 1) {
    chunked_out_ = true;
    out.append("Transfer-Encoding: chunked\r\n");
  } else {
    close_delimited_out_ = true;  // HTTP/1.0 client: the close ends the body
    keep_alive = false;
  }
  out.append("Cache-Status: lacquer; fwd=");
  out.append(!cacheable_method_ ? "method" : had_stale_ ? "stale" : "miss");
  out.append("; fwd-status=");
  append_number(out, static_cast<std::uint64_t>(status_));
  if (storing_) out.append("; stored");
  else if (cacheable_method_ && !is_head_) out.append("; detail=").append(http::to_string(no_store_));
  out.append("\r\n");
  out.append(keep_alive ? conn_.connection_header() : std::string_view("Connection: close\r\n"));
  out.append("\r\n");
  evbuffer_add(conn_.output(), out.data(), out.size());
}

void ProxyExchange::on_origin_data(const char* data, std::size_t len) {
  evbuffer* out = conn_.output();
  if (chunked_out_) {
    std::string chunk_head;
    http::append_chunk_header(chunk_head, len);
    evbuffer_add(out, chunk_head.data(), chunk_head.size());
    evbuffer_add(out, data, len);
    evbuffer_add(out, http::kChunkTrailer.data(), http::kChunkTrailer.size());
  } else {
    evbuffer_add(out, data, len);
  }
  if (storing_) {
    if (body_.size() + len > conn_.worker().config().cache.max_object_bytes) {
      storing_ = false;  // too large for the memory tier: stream it, do not keep it
      no_store_ = http::NoStoreReason::TooLarge;
      std::string().swap(body_);
    } else {
      body_.append(data, len);
    }
  }
  if (conn_.output_over_limit()) fetch_->pause();
}

void ProxyExchange::on_output_drained() {
  if (fetch_) fetch_->resume();
}

void ProxyExchange::on_origin_done() {
  if (chunked_out_) evbuffer_add(conn_.output(), http::kLastChunk.data(), http::kLastChunk.size());
  if (storing_) store_entry();
  phase_ = Phase::Done;
  conn_.finish(conn_.keep_alive() && !close_delimited_out_);
}

// The body arrived complete: publish it. Only here, so a truncated body is never stored.
void ProxyExchange::store_entry() {
  std::string head;
  head.reserve(status_line_.size() + fields_.size() + 32);
  head.append(status_line_).append(fields_);
  http::append_header(head, "Content-Length", static_cast<std::uint64_t>(body_.size()));
  storage::EntryMeta meta;
  meta.response_time = response_time_;
  meta.corrected_initial_age = corrected_initial_age_;
  meta.lifetime_s = lifetime_s_;
  meta.status = static_cast<std::uint16_t>(status_);
  meta.birth_seq = birth_seq_;
  auto entry = storage::Entry::create(key_->text, key_->primary, head, body_, meta, tags_);
  std::string().swap(body_);
  auto& shared = conn_.worker().shared();
  if (shared.disk) shared.disk->store(entry);  // asynchronous, batched: never blocks the loop
  if (shared.tier->insert(std::move(entry))) conn_.worker().metrics().stored.inc();
}

void ProxyExchange::on_origin_error(origin::OriginError error, bool head_seen) {
  if (head_seen) {
    // Part of the response is already on its way: the only honest thing left is to cut the
    // connection, so the client cannot take a truncated body for a complete one.
    conn_.worker().metrics().truncated_responses.inc();
    phase_ = Phase::Done;
    conn_.abort();
    return;
  }
  std::string detail = "origin-";
  detail.append(origin::to_string(error));
  synth(error == origin::OriginError::Timeout ? 504 : 502, detail);
}

// Synth: an answer we make ourselves.
void ProxyExchange::synth(int status, std::string_view detail) {
  phase_ = Phase::Synth;
  if (status >= 500) conn_.worker().metrics().synthetic_errors.inc();
  std::string body = std::string(http::reason_phrase(status)) + " (" + std::string(detail) + ")\n";
  std::string cache_status = "lacquer; ";
  if (fetch_) cache_status.append(cacheable_method_ ? "fwd=miss; " : "fwd=method; ");
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
