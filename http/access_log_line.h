// One access log line from what an exchange recorded: the combined log format (Apache/nginx,
// with lacquer's fields appended) or one JSON object. Pure: the time is passed in, and the line
// is appended to a buffer the caller reuses (no allocation once it has grown).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lacquer::http {

enum class AccessLogStyle : std::uint8_t { Combined, Json };

struct AccessRecord {
  std::string_view client;      // peer address
  std::string_view method;      // empty when the request line could not be parsed
  std::string_view target;
  std::string_view version;     // "HTTP/1.1"
  std::string_view protocol;    // the client protocol: "http/1.1", "h2"
  std::string_view referer;
  std::string_view user_agent;
  std::string_view cache_status;  // the Cache-Status field value sent, or empty
  int status = 0;
  std::uint64_t body_bytes = 0;            // response body bytes queued for the client
  std::int64_t unix_ms = 0;                // when the request began, milliseconds since 1970
  std::uint64_t duration_us = 0;           // request began -> response complete
  std::int64_t origin_first_byte_us = -1;  // request began -> origin head; -1: no origin fetch
  bool aborted = false;                    // the response was cut (origin broke off)
};

// Combined: `client - - [03/Dec/2026:15:56:41 +0000] "GET /x HTTP/1.1" 200 512 "referer"
// "agent" 0.001234 0.000800 "lacquer; hit" http/1.1` (duration and origin first byte in
// seconds, "-" when there was no origin fetch). Quotes, backslashes and control bytes inside
// quoted fields are written as \" \\ \xHH, so a client cannot forge a line.
// JSON: {"time":"2026-12-03T15:56:41.123Z","client":...,"status":200,...}
void append_access_line(std::string& out, const AccessRecord& r, AccessLogStyle style);

}  // namespace lacquer::http
