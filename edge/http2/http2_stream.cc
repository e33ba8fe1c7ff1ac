#include "edge/http2/http2_stream.h"

#include <event2/buffer.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>

#include "edge/http2/http2_connection.h"
#include "edge/server/response_record.h"
#include "edge/server/worker.h"
#include "http/framing.h"
#include "http/h2_response.h"
#include "http/parser.h"

namespace lacquer::edge {
namespace {

void release_entry(const void*, size_t, void* entry) { static_cast<const storage::Entry*>(entry)->release(); }

ssize_t read_callback(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length,
                      std::uint32_t* data_flags, nghttp2_data_source* source, void*) {
  return static_cast<Http2Stream*>(source->ptr)->read_body(buf, length, data_flags);
}

}  // namespace

namespace {
// Buffers past this size are given back when a stream closes, not kept for the next one.
constexpr std::size_t kKeptCapacity = 8 * 1024;

void clear_keeping_small(std::string& s) {
  s.clear();
  if (s.capacity() > kKeptCapacity) s.shrink_to_fit();
}
}  // namespace

Http2Stream::Http2Stream(Http2Connection& conn) : conn_(conn), fields_(0), out_(evbuffer_new()) {}

Http2Stream::~Http2Stream() {
  close();
  evbuffer_free(out_);
}

void Http2Stream::open(std::int32_t id, std::size_t max_header_bytes) {
  id_ = id;
  fields_.reset(max_header_bytes);
  clear_keeping_small(request_.raw);
  clear_keeping_small(request_.body);
  request_.headers.clear();
  request_.line = {};
  request_.framing = {};
  request_.client_keep_alive = true;
  clear_keeping_small(head_bytes_);
  record_.site = nullptr;
  record_.status = 0;
  record_.body_bytes = 0;
  record_.cache_status.clear();
  record_.origin_head = {};
  record_.begin();
  answered_ = has_body_ = eof_ = deferred_ = drained_ = body_refused_ = false;
}

void Http2Stream::close() {
  exchange_.reset();  // an unfinished exchange (client reset): cancels its origin fetch first
  const std::size_t left = evbuffer_get_length(out_);
  if (left > 0) {
    conn_.sub_buffered(left);
    evbuffer_drain(out_, left);  // releases the entries stored bodies were referenced from
  }
}

std::string_view Http2Stream::peer_ip() const { return conn_.peer_ip(); }

bool Http2Stream::secure() const { return conn_.secure(); }

bool Http2Stream::keep_alive() const { return !conn_.draining(); }

std::size_t Http2Stream::buffered() const { return evbuffer_get_length(out_); }

std::size_t Http2Stream::writable_bytes() const {
  const std::size_t mine = buffered();
  const std::size_t stream_cap = conn_.stream_cap();
  const std::size_t conn_cap = conn_.connection_cap();
  const std::size_t total = conn_.buffered_total();
  if (mine >= stream_cap || total >= conn_cap) return 0;
  return std::min(stream_cap - mine, conn_cap - total);
}

bool Http2Stream::add_body(std::string_view data, std::size_t max) {
  if (body_refused_) return false;
  if (request_.body.size() + data.size() > max) {
    body_refused_ = true;
    request_.body.clear();
    return false;
  }
  request_.body.append(data);
  return true;
}

void Http2Stream::dispatch(ExchangeFactory& factory) {
  if (answered_) return;
  auto& worker = conn_.worker();
  worker.metrics().requests_by_protocol[conn_.secure() ? WorkerMetrics::kH2 : WorkerMetrics::kH2c].inc();
  request_.raw.clear();
  fields_.build(request_.raw, request_.body.size());
  // The synthesized head goes through the HTTP/1.1 parser, so the Request views (and every rule
  // the engine relies on) are exactly those of an HTTP/1.1 request.
  const auto& limits = worker.shared().parse_limits;
  auto& slots = conn_.scratch().headers;
  slots.resize(worker.config().limits.max_header_count);
  http::ParseLimits lim = limits;
  lim.max_header_bytes += 64;  // room for the Host and content-length lines we add
  const auto parsed = http::parse_request_head(request_.raw, slots, lim);
  if (parsed.status != http::ParseStatus::Complete) {
    worker.metrics().bad_requests.inc();
    const auto error = parsed.status == http::ParseStatus::Error ? parsed.error : http::ParseError::BadRequestLine;
    return refuse(http::status_for(error), http::describe(error));
  }
  request_.line = parsed.line;
  request_.headers.assign(slots.begin(), slots.begin() + static_cast<std::ptrdiff_t>(parsed.header_count));
  const auto framing = http::request_framing(request_.line, request_.headers);
  if (!framing.ok()) {
    worker.metrics().bad_requests.inc();
    return refuse(http::status_for(framing.error), http::describe(framing.error));
  }
  request_.framing = framing.framing;
  request_.client_keep_alive = true;
  answered_ = true;
  exchange_ = factory.create(*this);
  exchange_->start();
}

void Http2Stream::refuse(int status, std::string_view why) {
  if (answered_) return;
  answered_ = true;
  std::string body(why);
  body.push_back('\n');
  exchange_ = std::make_unique<FixedResponseExchange>(*this, conn_.worker().shared().via, status, "text/plain",
                                                      std::move(body));
  exchange_->start();
}

void Http2Stream::write_head(const ResponseHead& head) {
  record_.note_head(head.fields, head.extra, conn_.worker().logs_access());
  auto& scratch = conn_.scratch();
  auto& fields = scratch.fields;
  // head_bytes_ holds every name and value until the stream closes, so nghttp2 takes them by
  // reference: it packs a HEADERS frame only while its stream is open. A second head on the
  // stream (never expected) would move those bytes: then nghttp2 copies.
  const bool by_reference = head_bytes_.empty();
  std::string spare;
  if (!http::h2_response_fields(head.fields, head.extra, by_reference ? head_bytes_ : spare, fields)) {
    nghttp2_submit_rst_stream(conn_.session(), NGHTTP2_FLAG_NONE, id_, NGHTTP2_INTERNAL_ERROR);
    conn_.schedule_send();
    return;
  }
  const std::uint8_t flags =
      by_reference ? NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE : NGHTTP2_NV_FLAG_NONE;
  auto& nv = scratch.nv;
  nv.clear();
  for (const auto& f : fields)
    nv.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(f.name.data())),
                  reinterpret_cast<std::uint8_t*>(const_cast<char*>(f.value.data())), f.name.size(), f.value.size(),
                  flags});
  has_body_ = head.framing != BodyFraming::None;
  nghttp2_data_provider provider{};
  provider.source.ptr = this;
  provider.read_callback = read_callback;
  // The data provider pulls from out_ as windows open.
  nghttp2_submit_response(conn_.session(), id_, nv.data(), nv.size(), has_body_ ? &provider : nullptr);
  conn_.schedule_send();
}

void Http2Stream::queued(std::size_t n) {
  conn_.add_buffered(n);
  if (deferred_) {
    deferred_ = false;
    nghttp2_session_resume_data(conn_.session(), id_);
  }
  conn_.schedule_send();
}

void Http2Stream::write_body(std::string_view bytes) {
  if (bytes.empty() || !has_body_) return;
  record_.body_bytes += bytes.size();
  evbuffer_add(out_, bytes.data(), bytes.size());
  queued(bytes.size());
}

void Http2Stream::write_stored_body(const storage::Entry& owner, std::string_view bytes) {
  if (bytes.empty() || !has_body_) return;
  record_.body_bytes += bytes.size();
  owner.retain();
  evbuffer_add_reference(out_, bytes.data(), bytes.size(), release_entry, const_cast<storage::Entry*>(&owner));
  queued(bytes.size());
}

void Http2Stream::finish(bool) {
  log_response(false);
  eof_ = true;
  conn_.retire(std::move(exchange_));
  if (has_body_) queued(0);
}

void Http2Stream::abort() {
  log_response(true);
  conn_.retire(std::move(exchange_));
  nghttp2_submit_rst_stream(conn_.session(), NGHTTP2_FLAG_NONE, id_, NGHTTP2_INTERNAL_ERROR);
  conn_.schedule_send();
}

void Http2Stream::log_response(bool aborted) {
  // A request that never parsed (refused before dispatch) has no line to log.
  const bool parsed = !request_.line.method.empty();
  record_.done(conn_.worker(), conn_.peer_ip(), parsed ? &request_ : nullptr, "HTTP/2.0", conn_.secure() ? "h2" : "h2c",
               aborted);
}

long Http2Stream::read_body(std::uint8_t* buf, std::size_t length, std::uint32_t* data_flags) {
  const int n = evbuffer_remove(out_, buf, length);
  const std::size_t got = n > 0 ? static_cast<std::size_t>(n) : 0;
  if (got > 0) {
    conn_.sub_buffered(got);
    drained_ = true;
  }
  if (evbuffer_get_length(out_) == 0) {
    if (eof_) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    } else if (got == 0) {
      deferred_ = true;
      return NGHTTP2_ERR_DEFERRED;
    }
  }
  return static_cast<long>(got);
}

void Http2Stream::notify_if_drained() {
  if (!drained_) return;
  drained_ = false;
  if (exchange_ && writable_bytes() > 0) exchange_->on_output_drained();
}

}  // namespace lacquer::edge
