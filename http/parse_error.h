// Why a message was rejected. The text of describe() becomes the body of the error response,
// so a client (or an operator reading a log) learns what was wrong.
#pragma once

#include <cstdint>
#include <string_view>

namespace lacquer::http {

enum class ParseError : std::uint8_t {
  None,
  // request line / status line
  BadRequestLine,       // 400
  MethodNotImplemented, // 501: CONNECT (we are not a tunnel)
  BadMethod,            // 400: method is not a token
  BadTarget,            // 400: empty, contains CTL/space, or not origin/absolute/authority/asterisk form
  BadVersion,           // 400: not HTTP/<digit>.<digit>
  UnsupportedVersion,   // 505: HTTP/2.0 on an HTTP/1 connection, HTTP/0.9, HTTP/3.7 ...
  RequestLineTooLong,   // 414
  BadStatusLine,        // response only
  // header section
  HeaderFieldTooLong,     // 431
  HeaderSectionTooLarge,  // 431
  TooManyHeaders,         // 431
  BadHeaderName,          // 400: empty or non-token name
  WhitespaceBeforeColon,  // 400: RFC 9112 §5.1
  ObsFold,                // 400: RFC 9112 §5.2
  BareCR,                 // 400: CR not followed by LF
  BareLF,                 // 400: LF without CR (we do not accept LF-only line endings)
  BadHeaderValue,         // 400: NUL or other CTL in a field value
  // framing (RFC 9112 §6)
  ContentLengthAndTransferEncoding,  // 400
  BadContentLength,                  // 400: not 1*DIGIT, or overflows
  DuplicateContentLength,            // 400
  TransferEncodingOnHttp10,          // 400
  ChunkedNotLast,                    // 400
  ChunkedTwice,                      // 400
  UnsupportedTransferCoding,         // 501
  MissingHost,                       // 400
  DuplicateHost,                     // 400
  BadHost,                           // 400
  // chunked body
  BadChunkSize,         // 400: not hex, empty, or too many digits (overflow)
  ChunkExtensionTooLong,// 400
  BadChunkTerminator,   // 400: data not followed by CRLF, bare LF in a chunk line
  TrailerTooLarge,      // 431
  BodyTooLarge,         // 413
};

// HTTP status to answer a request that failed with `e`.
int status_for(ParseError e) noexcept;
// One short English sentence, e.g. "obsolete line folding is not allowed".
std::string_view describe(ParseError e) noexcept;

}  // namespace lacquer::http
