// Hit: answers made from a stored entry. A plain hit sends the stored head and body by reference
// with only the tail made per response (Age, Cache-Status: on the stack, no allocation); a HEAD
// the head alone; a conditional request a 304 or 412 (RFC 9110 §13); a Range a 206, a
// multipart/byteranges or a 416 (§14). Large objects are in proxy_large.cc.
#include <algorithm>
#include <charconv>

#include "cache/entry_timing.h"
#include "edge/proxy/proxy_exchange.h"
#include "http/stored_answers.h"
#include "http/conditional.h"
#include "http/range.h"
#include "http/serializer.h"
#include "http/stored_head.h"

namespace lacquer::edge {

ProxyExchange::Next ProxyExchange::hit() {
  detach();
  const storage::Entry& e = *hit_.get();
  const std::int64_t age = cache::entry_timing(e.meta(), engine_.clock.now()).age;
  if (status_.hit) {
    engine_.metrics.hits.inc();
    if (site_counters_) site_counters_->hits.inc();
  }
  if (e.meta().flags & storage::kEntryLarge) return serve_large(age);
  if (client_conditional_)
    if (auto answered = serve_conditional_or_range(e, age)) return *answered;
  return serve_plain(e, age);
}

ProxyExchange::Next ProxyExchange::serve_plain(const storage::Entry& e, std::int64_t age) {
  const http::ResponseTail tail(static_cast<std::uint64_t>(age), status_);
  write_head({.fields = e.head(), .owner = &e, .extra = tail.view(),
                      .framing = is_head_ ? BodyFraming::None : BodyFraming::Length});
  if (!is_head_ && !e.body().empty()) client_.write_stored_body(e, e.body());
  return finish(client_.keep_alive());
}

// Conditional requests and ranges; nullopt when the plain stored response answers after all.
std::optional<ProxyExchange::Next> ProxyExchange::serve_conditional_or_range(const storage::Entry& e, std::int64_t age) {
  const auto& headers = client_.request().headers;
  const std::string_view head = e.head();
  const http::StoredValidators validators = http::stored_validators(head);
  // Preconditions apply to responses that would otherwise be 2xx (RFC 9110 §13.2.1).
  if (e.meta().status >= 200 && e.meta().status < 300) {
    switch (http::stored_preconditions(headers, validators)) {
      case http::Precondition::NotModified: return write_not_modified(head, age);
      case http::Precondition::Failed: return to_synth(412, "precondition-failed");
      case http::Precondition::Proceed: break;
    }
  }
  if (e.meta().status != 200) return std::nullopt;
  const std::uint64_t length = e.body().size();
  const http::RangeSet set = http::requested_ranges(headers, validators, length);
  const http::ResponseTail tail(static_cast<std::uint64_t>(age), status_);
  std::string fields;
  switch (set.outcome) {
    case http::RangeOutcome::Ignore:
      return std::nullopt;
    case http::RangeOutcome::Unsatisfiable:
      http::append_unsatisfiable_head(fields, head, length);
      write_head({.fields = fields, .extra = tail.view(), .framing = BodyFraming::Length});
      return finish(client_.keep_alive());
    case http::RangeOutcome::Satisfiable:
      break;
  }
  const BodyFraming framing = is_head_ ? BodyFraming::None : BodyFraming::Length;
  if (set.ranges.size() == 1) {
    const http::ByteRange r = set.ranges.front();
    http::append_single_range_head(fields, head, r, length);
    write_head({.fields = fields, .extra = tail.view(), .framing = framing});
    if (!is_head_) client_.write_stored_body(e, e.body().substr(r.first, r.last - r.first + 1));
    return finish(client_.keep_alive());
  }
  char boundary[24];
  auto* end = std::to_chars(boundary, boundary + sizeof boundary, e.hash() ^ 0x9e3779b97f4a7c15ull, 16).ptr;
  const std::string_view type = http::stored_field(head, "Content-Type").value_or("");
  auto plan = http::plan_multipart(set.ranges, length, type, std::string_view(boundary, end - boundary));
  fields = "HTTP/1.1 206 Partial Content\r\n";
  http::append_fields_except(fields, head, {"Content-Length", "Content-Type"});
  http::append_header(fields, "Content-Type", plan.content_type);
  http::append_header(fields, "Content-Length", plan.body_length);
  write_head({.fields = fields, .extra = tail.view(), .framing = framing});
  if (!is_head_) {
    for (std::size_t i = 0; i < set.ranges.size(); ++i) {
      const http::ByteRange r = set.ranges[i];
      client_.write_body(plan.part_heads[i]);
      client_.write_stored_body(e, e.body().substr(r.first, r.last - r.first + 1));
    }
    client_.write_body(plan.closing);
  }
  return finish(client_.keep_alive());
}

// 304 (RFC 9110 §15.4.5): the stored fields without the representation's own metadata.
ProxyExchange::Next ProxyExchange::write_not_modified(std::string_view head, std::int64_t age) {
  engine_.metrics.not_modified.inc();
  std::string fields;
  http::append_not_modified_head(fields, head);
  const http::ResponseTail tail(static_cast<std::uint64_t>(age), status_);
  write_head({.fields = fields, .extra = tail.view(), .framing = BodyFraming::None});
  return finish(client_.keep_alive());
}

// A miss whose client sent preconditions: the fetch asked for the full response (to store it);
// the client's conditions are evaluated here against what came back.
std::optional<ProxyExchange::Next> ProxyExchange::preconditions_on_miss(const FetchHead& h) {
  switch (http::stored_preconditions(client_.request().headers, http::stored_validators(h.head))) {
    case http::Precondition::NotModified: {
      std::uint64_t age = 0;
      std::from_chars(h.origin_age.data(), h.origin_age.data() + h.origin_age.size(), age);
      return write_not_modified(h.head, static_cast<std::int64_t>(age));
    }
    case http::Precondition::Failed:
      return to_synth(412, "precondition-failed");
    case http::Precondition::Proceed:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace lacquer::edge
