// Message body framing (RFC 9112 §6.1–6.3) decided from a parsed head, as pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "http/message.h"
#include "http/parse_error.h"

namespace lacquer::http {

enum class BodyKind : std::uint8_t { None, ContentLength, Chunked, UntilClose };

struct Framing {
  BodyKind kind = BodyKind::None;
  std::uint64_t length = 0;  // for ContentLength
};

struct FramingResult {
  ParseError error = ParseError::None;  // None when ok
  Framing framing;
  bool ok() const noexcept { return error == ParseError::None; }
};

// Request checks: Host present exactly once on HTTP/1.1 (and syntactically a uri-host[:port]);
// Content-Length and Transfer-Encoding never together; Content-Length is 1*DIGIT, present at
// most once (duplicates are rejected even when equal); Transfer-Encoding not on HTTP/1.0; its
// codings end with exactly one "chunked"; any other coding is UnsupportedTransferCoding (501).
// No body headers: BodyKind::None.
FramingResult request_framing(const RequestLine& line, std::span<const Header> headers) noexcept;

// Response framing per RFC 9112 §6.3: no body for HEAD requests, 1xx, 204 and 304; chunked when
// Transfer-Encoding is exactly "chunked"; Transfer-Encoding together with Content-Length is
// ContentLengthAndTransferEncoding; any other transfer coding (including a list not ending in
// chunked, which §6.3 would read until close) is UnsupportedTransferCoding, because we could
// not forward or store such a body; otherwise Content-Length (bad or conflicting values are an
// error: the response is unusable; identical repeats are accepted per §6.3 item 5);
// otherwise until close.
FramingResult response_framing(int status, std::string_view request_method,
                               std::span<const Header> headers) noexcept;

}  // namespace lacquer::http
