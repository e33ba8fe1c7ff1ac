// Hits on large objects (storage/large_object.h): the stored head, then the body read from the
// disk tier one window at a time, each read only when the client has taken the previous one, so
// neither the object nor a slow client's backlog is ever held whole. A single Range reads only
// the chunks it covers; several ranges get the whole object (RFC 9110 allows it).
#include <algorithm>

#include "edge/proxy/proxy_exchange.h"
#include "http/stored_answers.h"
#include "storage/large_object.h"

namespace lacquer::edge {
namespace {

constexpr std::uint64_t kReadWindow = 1u << 20;

}  // namespace

ProxyExchange::Next ProxyExchange::serve_large(std::int64_t age) {
  const storage::Entry& e = *hit_.get();
  const auto desc = storage::large_descriptor(e);
  if (!desc) return to_synth(502, "bad-large-object");
  const std::string_view head = e.head();
  const auto& headers = client_.request().headers;
  const http::StoredValidators validators = http::stored_validators(head);
  if (client_conditional_) {
    switch (http::stored_preconditions(headers, validators)) {
      case http::Precondition::NotModified: return write_not_modified(head, age);
      case http::Precondition::Failed: return to_synth(412, "precondition-failed");
      case http::Precondition::Proceed: break;
    }
  }
  const http::RangeSet set = http::requested_ranges(headers, validators, desc->length);
  const http::ResponseTail tail(static_cast<std::uint64_t>(age), status_);
  std::string fields;
  large_next_ = 0;
  large_end_ = desc->length;
  if (set.outcome == http::RangeOutcome::Satisfiable && set.ranges.size() == 1) {
    large_next_ = set.ranges[0].first;
    large_end_ = set.ranges[0].last + 1;
    http::append_single_range_head(fields, head, set.ranges[0], desc->length);
    write_head({.fields = fields, .extra = tail.view(), .framing = BodyFraming::Length});
  } else if (set.outcome == http::RangeOutcome::Unsatisfiable) {
    http::append_unsatisfiable_head(fields, head, desc->length);
    write_head({.fields = fields, .extra = tail.view(), .framing = BodyFraming::Length});
    large_end_ = 0;
  } else {
    write_head({.fields = head, .owner = &e, .extra = tail.view(), .framing = BodyFraming::Length});
  }
  if (is_head_ || large_next_ == large_end_) return finish(client_.keep_alive());
  sending_large_ = true;
  step_ = Step::Transmit;
  return Next::Continue;
}

// Transmit for a large object: the next window once the client has taken most of the last one.
ProxyExchange::Next ProxyExchange::transmit_large() {
  if (large_reading_) return Next::Suspend;
  if (large_next_ >= large_end_) return finish(client_.keep_alive());
  // At most about one window queued for the client: on_output_drained resumes.
  if (client_.writable_bytes() + kReadWindow < engine_.config.limits.max_output_buffer) return Next::Suspend;
  large_reading_ = true;
  std::weak_ptr<bool> alive = alive_;
  cache::LoopPoster* loop = &engine_.loop;
  const std::uint64_t len = std::min(kReadWindow, large_end_ - large_next_);
  engine_.cache.read_large(*hit_.get(), large_next_, len, [this, alive, loop](std::optional<std::string> bytes) {
    loop->post([this, alive, bytes = std::move(bytes)]() mutable {
      if (alive.expired()) return;
      large_reading_ = false;
      if (!bytes || bytes->empty()) {
        // A chunk is missing or damaged (the tier erased the object): the head is out, so cut
        // the connection rather than end a body short.
        abort();
        return;
      }
      client_.write_body(*bytes);
      large_next_ += bytes->size();
      wake();
    });
  });
  return Next::Suspend;
}

}  // namespace lacquer::edge
