// What a client connection notes about the response in progress (an HTTP/1.1 connection one at
// a time, each HTTP/2 stream its own): when the request began, the origin's first byte, status,
// body bytes and Cache-Status. done() turns it into the worker's latency histograms, the status
// class counter and the access log line, then resets it for the next response.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "edge/metrics.h"

namespace lacquer::edge {

class Worker;
struct Request;

struct ResponseRecord {
  std::chrono::steady_clock::time_point began{};
  std::chrono::steady_clock::time_point origin_head{};
  int status = 0;
  std::uint64_t body_bytes = 0;
  std::string cache_status;
  SiteCounters* site = nullptr;  // the routed site's counters (body bytes), when known

  void begin() { began = std::chrono::steady_clock::now(); }
  // The status and Cache-Status of a response head: `fields` starts with the status line
  // ("HTTP/1.1 200 OK\r\n"); Cache-Status is in `extra` when the exchange made it for this
  // response, else among the fields. Only the access log reads Cache-Status: without one
  // (`for_log` false) the fields are not searched.
  void note_head(std::string_view fields, std::string_view extra, bool for_log);
  void note_origin_head() {
    if (origin_head == std::chrono::steady_clock::time_point{}) origin_head = std::chrono::steady_clock::now();
  }
  // `request` null: the request could not be parsed (the line has no method or target).
  // `version` is the request line's ("HTTP/1.1", "HTTP/2.0"), `protocol` the connection's
  // ("http/1.1", "h2", "h2c").
  void done(Worker& worker, std::string_view peer, const Request* request, std::string_view version,
            std::string_view protocol, bool aborted);
};

}  // namespace lacquer::edge
