// One HTTP/2 request stream: collects the request (decoded fields, DATA up to the body cap),
// runs an Exchange on it exactly as an HTTP/1.1 connection does (it is the exchange's
// ClientSide), and queues the response body in a per-stream buffer that nghttp2's data provider
// drains as the client's flow-control windows allow.
//
// Lifetime: owned by its Http2Connection. open() makes it a request stream; close(), when
// nghttp2 closes the stream, drops an unfinished exchange and queued output, and the connection
// may keep the object for a later stream (its buffers keep their capacity). Destroyed with the
// connection. Used only on the worker's loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edge/proxy/client_side.h"
#include "edge/server/response_record.h"
#include "http/h2_request.h"

struct evbuffer;

namespace lacquer::edge {

class Http2Connection;

class Http2Stream final : public ClientSide {
 public:
  explicit Http2Stream(Http2Connection& conn);
  ~Http2Stream() override;
  Http2Stream(const Http2Stream&) = delete;
  Http2Stream& operator=(const Http2Stream&) = delete;

  // ---- ClientSide ----
  const Request& request() const override { return request_; }
  std::string_view peer_ip() const override;
  bool secure() const override;
  void write_interim(std::string_view) override {}  // 1xx from the origin are not relayed
  void write_head(const ResponseHead& head) override;
  void write_body(std::string_view bytes) override;
  void write_stored_body(const storage::Entry& owner, std::string_view bytes) override;
  std::size_t writable_bytes() const override;
  // A stream never holds the connection: only a draining connection says no.
  bool keep_alive() const override;
  void finish(bool keep_alive) override;
  void abort() override;
  void note_origin_head() override { record_.note_origin_head(); }
  void note_site(SiteCounters* site) override { record_.site = site; }

  // ---- for the connection ----
  // Starts request stream `id`, with nothing left of an earlier one.
  void open(std::int32_t id, std::size_t max_header_bytes);
  // The stream is closed: drops an unfinished exchange (cancelling its origin fetch first) and
  // any queued output.
  void close();
  std::int32_t id() const { return id_; }
  http::H2RequestHead& fields() { return fields_; }
  // Appends request body bytes; false once the body passes `max` (the stream is then refused).
  bool add_body(std::string_view data, std::size_t max);
  bool answered() const { return answered_; }
  // The request is complete: builds it and starts an exchange (or a refusal).
  void dispatch(ExchangeFactory& factory);
  // Answers with a small error response of our own (431, 413, 400) without running the engine.
  void refuse(int status, std::string_view why);
  // nghttp2's data provider: copies queued body bytes out.
  long read_body(std::uint8_t* buf, std::size_t length, std::uint32_t* data_flags);
  // After a send pass: tells the exchange when queued output went out.
  void notify_if_drained();
  std::size_t buffered() const;

 private:
  void queued(std::size_t n);
  void log_response(bool aborted);

  Http2Connection& conn_;
  std::int32_t id_ = 0;
  http::H2RequestHead fields_;
  Request request_;
  std::unique_ptr<Exchange> exchange_;
  evbuffer* out_;
  ResponseRecord record_;  // the access log line, written when the exchange ends
  std::string head_bytes_;  // the response fields nghttp2 holds by reference (write_head)
  bool answered_ = false;   // an exchange or a refusal owns the response
  bool has_body_ = false;   // the response has a data provider
  bool eof_ = false;        // finish() was called: the body is complete once out_ drains
  bool deferred_ = false;   // the data provider returned NGHTTP2_ERR_DEFERRED
  bool drained_ = false;    // bytes left out_ since the last notify_if_drained()
  bool body_refused_ = false;
};

}  // namespace lacquer::edge
