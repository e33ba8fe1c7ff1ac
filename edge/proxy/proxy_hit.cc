// Answers made from a stored entry: a plain hit (the stored head and body by reference, with
// only Age, Cache-Status and the connection line made per response), a HEAD, a 304 or 412 for a
// conditional request (RFC 9110 §13), and byte ranges (RFC 9110 §14: 206, multipart, 416).
#include <event2/buffer.h>

#include <algorithm>
#include <charconv>

#include "edge/proxy/proxy_exchange.h"
#include "edge/server/clock.h"
#include "http/stored_head.h"
#include "edge/server/worker.h"
#include "http/conditional.h"
#include "http/date.h"
#include "http/range.h"
#include "http/serializer.h"

namespace lacquer::edge {
namespace {

// evbuffer_add_reference cleanup: drops the reference the hit took for these bytes.
void release_entry(const void*, size_t, void* entry) {
  static_cast<const storage::Entry*>(entry)->release();
}

void add_entry_bytes(evbuffer* out, const storage::Entry* e, std::string_view bytes) {
  if (bytes.empty()) return;
  e->retain();
  evbuffer_add_reference(out, bytes.data(), bytes.size(), release_entry, const_cast<storage::Entry*>(e));
}

// The stored head without its Content-Length line, for answers whose body is not the stored one.
void append_fields_except(std::string& out, std::string_view head, std::initializer_list<std::string_view> skip) {
  for (const auto& f : http::stored_fields(head)) {
    bool drop = false;
    for (auto s : skip) drop = drop || http::iequals(f.name, s);
    if (!drop) http::append_header(out, f.name, f.value);
  }
}

}  // namespace

void ProxyExchange::serve_entry(const storage::EntryRef& entry, http::CacheStatus cs) {
  phase_ = Phase::Hit;
  detach();
  const storage::Entry* e = entry.get();
  const auto& m = e->meta();
  const std::int64_t age = http::current_age(m.corrected_initial_age, m.response_time, now_seconds());
  if (cs.hit) conn_.worker().metrics().hits.inc();
  if (m.flags & storage::kEntryLarge) {
    serve_large(entry, age, cs);
    return;
  }
  if (client_conditional_ && serve_conditional_or_range(*e, age, cs)) return;
  serve_plain(*e, age, cs);
}

// The stored head and body go out by reference; the per-response lines are built on the stack
// for a plain hit (no allocation).
void ProxyExchange::serve_plain(const storage::Entry& entry, std::int64_t age, const http::CacheStatus& cs) {
  const storage::Entry* e = &entry;
  evbuffer* out = conn_.output();
  add_entry_bytes(out, e, e->head());
  char dynamic[160];
  char* p = dynamic;
  auto put = [&p](std::string_view s) { p = std::copy(s.begin(), s.end(), p); };
  put("Age: ");
  p = std::to_chars(p, p + 20, static_cast<std::uint64_t>(age)).ptr;
  put("\r\n");
  if (cs.hit && cs.fwd.empty() && !cs.collapsed && cs.detail.empty() && cs.has_ttl && cs.ttl >= 0) {
    put("Cache-Status: lacquer; hit; ttl=");
    p = std::to_chars(p, p + 20, static_cast<std::uint64_t>(cs.ttl)).ptr;
    put("\r\n");
    put(conn_.connection_header());  // at most "Connection: keep-alive\r\n"
    put("\r\n");
    evbuffer_add(out, dynamic, static_cast<std::size_t>(p - dynamic));
  } else {
    std::string tail(dynamic, p);
    cs.append_field(tail);
    tail.append(conn_.connection_header()).append("\r\n");
    evbuffer_add(out, tail.data(), tail.size());
  }
  if (!is_head_) add_entry_bytes(out, e, e->body());
  done(conn_.keep_alive());
}

// Conditional requests and ranges. False when the request is to be answered with the plain
// stored response after all.
bool ProxyExchange::serve_conditional_or_range(const storage::Entry& e, std::int64_t age, const http::CacheStatus& cs) {
  const auto& headers = conn_.request().headers;
  const std::string_view head = e.head();
  const auto [etag, last_modified, date] = http::stored_validators(head);
  auto finish_head = [&](std::string& out) {
    out.append("Age: ");
    http::append_decimal(out, static_cast<std::uint64_t>(age));
    out.append("\r\n");
    cs.append_field(out);
    out.append(conn_.connection_header()).append("\r\n");
  };
  // Preconditions apply to responses that would otherwise be 2xx (RFC 9110 §13.2.1).
  if (e.meta().status >= 200 && e.meta().status < 300) {
    auto pre = http::evaluate_preconditions(headers, etag, last_modified, date);
    if (pre == http::Precondition::NotModified) {
      write_not_modified(head, age, cs);
      return true;
    }
    if (pre == http::Precondition::Failed) {
      synth(412, "precondition-failed");
      return true;
    }
  }
  auto range_value = http::find_header(headers, "Range");
  if (!range_value || e.meta().status != 200) return false;
  if (auto if_range = http::find_header(headers, "If-Range"))
    if (!http::if_range_allows(*if_range, etag, last_modified, date)) return false;
  const std::uint64_t length = e.body().size();
  auto set = http::resolve_range(*range_value, length);
  if (set.outcome == http::RangeOutcome::Ignore) return false;
  std::string out;
  evbuffer* buf = conn_.output();
  if (set.outcome == http::RangeOutcome::Unsatisfiable) {
    out = "HTTP/1.1 416 Range Not Satisfiable\r\n";
    append_fields_except(out, head, {"Content-Length", "Content-Type", "Content-Encoding"});
    out.append("Content-Range: ");
    http::append_unsatisfied_range(out, length);
    out.append("\r\nContent-Length: 0\r\n");
    finish_head(out);
    evbuffer_add(buf, out.data(), out.size());
    done(conn_.keep_alive());
    return true;
  }
  out = "HTTP/1.1 206 Partial Content\r\n";
  if (set.ranges.size() == 1) {
    const auto r = set.ranges.front();
    append_fields_except(out, head, {"Content-Length"});
    out.append("Content-Range: ");
    http::append_content_range(out, r, length);
    out.append("\r\n");
    http::append_header(out, "Content-Length", r.last - r.first + 1);
    finish_head(out);
    evbuffer_add(buf, out.data(), out.size());
    if (!is_head_) add_entry_bytes(buf, &e, e.body().substr(r.first, r.last - r.first + 1));
  } else {
    const std::string_view type = http::stored_field(head, "Content-Type").value_or("");
    char boundary[24];
    auto* end = std::to_chars(boundary, boundary + sizeof boundary, e.hash() ^ 0x9e3779b97f4a7c15ull, 16).ptr;
    auto plan = http::plan_multipart(set.ranges, length, type, std::string_view(boundary, end - boundary));
    append_fields_except(out, head, {"Content-Length", "Content-Type"});
    http::append_header(out, "Content-Type", plan.content_type);
    http::append_header(out, "Content-Length", plan.body_length);
    finish_head(out);
    evbuffer_add(buf, out.data(), out.size());
    if (!is_head_) {
      for (std::size_t i = 0; i < set.ranges.size(); ++i) {
        const auto r = set.ranges[i];
        evbuffer_add(buf, plan.part_heads[i].data(), plan.part_heads[i].size());
        add_entry_bytes(buf, &e, e.body().substr(r.first, r.last - r.first + 1));
      }
      evbuffer_add(buf, plan.closing.data(), plan.closing.size());
    }
  }
  done(conn_.keep_alive());
  return true;
}

// 304 (RFC 9110 §15.4.5): the stored fields without the representation's own metadata.
void ProxyExchange::write_not_modified(std::string_view head, std::int64_t age, const http::CacheStatus& cs) {
  conn_.worker().metrics().not_modified.inc();
  std::string out = "HTTP/1.1 304 Not Modified\r\n";
  append_fields_except(out, head, {"Content-Length", "Content-Type", "Content-Encoding", "Content-Language", "Age"});
  out.append("Age: ");
  http::append_decimal(out, static_cast<std::uint64_t>(age));
  out.append("\r\n");
  cs.append_field(out);
  out.append(conn_.connection_header()).append("\r\n");
  evbuffer_add(conn_.output(), out.data(), out.size());
  done(conn_.keep_alive());
}

// A miss whose client sent preconditions: the fetch asked for the full response (to store it);
// the client's conditions are evaluated here against what came back. True when answered.
bool ProxyExchange::answer_preconditions_on_miss(const JobHead& h, const http::CacheStatus& cs) {
  const auto [etag, last_modified, date] = http::stored_validators(h.head);
  auto pre = http::evaluate_preconditions(conn_.request().headers, etag, last_modified, date);
  if (pre == http::Precondition::NotModified) {
    phase_ = Phase::Deliver;
    std::uint64_t age = 0;
    std::from_chars(h.origin_age.data(), h.origin_age.data() + h.origin_age.size(), age);
    write_not_modified(h.head, static_cast<std::int64_t>(age), cs);
    return true;
  }
  if (pre == http::Precondition::Failed) {
    synth(412, "precondition-failed");
    return true;
  }
  return false;
}

}  // namespace lacquer::edge
