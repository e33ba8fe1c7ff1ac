// Strict HTTP/1.1 head parsers (RFC 9112) in the shape of picohttpparser: stateless, no
// allocation, results are views into the caller's buffer, the caller supplies the header array.
// Reject, never repair: anything ambiguous is an error (see "Hostile input" in the design).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "http/message.h"
#include "http/parse_error.h"

namespace lacquer::http {

enum class ParseStatus { Complete, Incomplete, Error };

struct ParseLimits {
  std::size_t max_request_line = 8 * 1024;   // 414 past this
  std::size_t max_field = 8 * 1024;          // one field line; 431 past this
  std::size_t max_header_bytes = 32 * 1024;  // whole header section; 431 past this
};

struct RequestHeadParse {
  ParseStatus status = ParseStatus::Incomplete;
  ParseError error = ParseError::None;
  std::size_t consumed = 0;  // bytes of the head including the final CRLF, when Complete
  RequestLine line;
  std::size_t header_count = 0;  // headers[0 .. header_count) are filled when Complete
};

struct ResponseHeadParse {
  ParseStatus status = ParseStatus::Incomplete;
  ParseError error = ParseError::None;
  std::size_t consumed = 0;
  StatusLine line;
  std::size_t header_count = 0;
};

// Parses a request head from the start of `buf`. `headers.size()` is the field count limit
// (TooManyHeaders past it). Incomplete is returned only while the input could still become a
// valid head within the limits; once a limit is exceeded the result is Error even if the head
// is not complete yet (so a slow client cannot make us buffer more than the limit).
// A leading empty line (CRLF) before the request line is tolerated (RFC 9112 §2.2).
RequestHeadParse parse_request_head(std::string_view buf, std::span<Header> headers,
                                    const ParseLimits& limits) noexcept;

// Parses a response head (status line + fields) from an origin.
ResponseHeadParse parse_response_head(std::string_view buf, std::span<Header> headers,
                                      const ParseLimits& limits) noexcept;

}  // namespace lacquer::http
