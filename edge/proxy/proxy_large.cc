// Hits on large objects (storage/large_object.h): the stored head, then the body read from the
// disk tier one window at a time, each read only when the client has taken the previous one, so
// neither the object nor a slow client's backlog is ever held whole. A single Range reads only
// the chunks it covers.
#include <event2/buffer.h>

#include <algorithm>

#include "edge/proxy/proxy_exchange.h"
#include "edge/server/clock.h"
#include "http/stored_head.h"
#include "edge/server/worker.h"
#include "http/conditional.h"
#include "http/date.h"
#include "http/range.h"
#include "http/serializer.h"
#include "storage/disk_tier.h"

namespace lacquer::edge {
namespace {

constexpr std::uint64_t kReadWindow = 1u << 20;

}  // namespace

void ProxyExchange::serve_large(const storage::EntryRef& entry, std::int64_t age, const http::CacheStatus& cs) {
  const auto desc = storage::large_descriptor(*entry.get());
  if (!desc) {
    synth(502, "bad-large-object");
    return;
  }
  const std::string_view head = entry->head();
  const auto& headers = conn_.request().headers;
  const auto [etag, last_modified, date] = http::stored_validators(head);
  if (client_conditional_) {
    auto pre = http::evaluate_preconditions(headers, etag, last_modified, date);
    if (pre == http::Precondition::NotModified) {
      write_not_modified(head, age, cs);
      return;
    }
    if (pre == http::Precondition::Failed) {
      synth(412, "precondition-failed");
      return;
    }
  }
  std::uint64_t first = 0, end = desc->length;
  std::string out;
  auto range_value = http::find_header(headers, "Range");
  auto if_range = http::find_header(headers, "If-Range");
  auto set = range_value && (!if_range || http::if_range_allows(*if_range, etag, last_modified, date))
                 ? http::resolve_range(*range_value, desc->length)
                 : http::RangeSet{};
  if (set.outcome == http::RangeOutcome::Satisfiable && set.ranges.size() == 1) {
    first = set.ranges[0].first;
    end = set.ranges[0].last + 1;
    out = "HTTP/1.1 206 Partial Content\r\n";
    for (const auto& f : http::stored_fields(head))
      if (!http::iequals(f.name, "Content-Length")) http::append_header(out, f.name, f.value);
    out.append("Content-Range: ");
    http::append_content_range(out, set.ranges[0], desc->length);
    out.append("\r\n");
    http::append_header(out, "Content-Length", end - first);
  } else if (set.outcome == http::RangeOutcome::Unsatisfiable) {
    out = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: ";
    http::append_unsatisfied_range(out, desc->length);
    out.append("\r\nContent-Length: 0\r\n");
    first = end = 0;
  } else {
    out.append(head);  // several ranges of a large object: the whole of it (RFC 9110 allows it)
  }
  out.append("Age: ");
  http::append_decimal(out, static_cast<std::uint64_t>(age));
  out.append("\r\n");
  cs.append_field(out);
  out.append(conn_.connection_header()).append("\r\n");
  evbuffer_add(conn_.output(), out.data(), out.size());
  if (is_head_ || first == end) {
    done(conn_.keep_alive());
    return;
  }
  large_ = entry;
  large_next_ = first;
  large_end_ = end;
  read_next_large();
}

void ProxyExchange::read_next_large() {
  if (large_next_ >= large_end_) {
    large_ = {};
    done(conn_.keep_alive());
    return;
  }
  // Flow control: the next window only once the client has taken most of the last one.
  if (evbuffer_get_length(conn_.output()) > kReadWindow) return;  // on_output_drained resumes
  large_reading_ = true;
  std::weak_ptr<bool> alive = alive_;
  LoopInbox* inbox = &conn_.worker().inbox();
  const std::uint64_t len = std::min(kReadWindow, large_end_ - large_next_);
  conn_.worker().shared().disk->read_large_range(
      *large_.get(), large_next_, len, [this, alive, inbox](std::optional<std::string> bytes) {
        inbox->post([this, alive, bytes = std::move(bytes)]() mutable {
          if (!alive.expired()) on_large_bytes(std::move(bytes));
        });
      });
}

void ProxyExchange::on_large_bytes(std::optional<std::string> bytes) {
  large_reading_ = false;
  if (!bytes || bytes->empty()) {
    // A chunk is missing or damaged (the tier erased the object): the head is out, so cut the
    // connection rather than end a body short.
    large_ = {};
    phase_ = Phase::Done;
    conn_.abort();
    return;
  }
  evbuffer_add(conn_.output(), bytes->data(), bytes->size());
  large_next_ += bytes->size();
  read_next_large();
}

}  // namespace lacquer::edge
