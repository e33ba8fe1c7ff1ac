// Status codes and human-readable descriptions for ParseError.
#include "http/parse_error.h"

namespace lacquer::http {

int status_for(ParseError e) noexcept {
  switch (e) {
    case ParseError::None: return 200;
    case ParseError::UnsupportedVersion: return 505;        // RFC 9110 §15.6.6
    case ParseError::RequestLineTooLong: return 414;        // RFC 9110 §15.5.15
    case ParseError::HeaderFieldTooLong:
    case ParseError::HeaderSectionTooLarge:
    case ParseError::TooManyHeaders:
    case ParseError::TrailerTooLarge: return 431;           // RFC 6585 §5
    case ParseError::UnsupportedTransferCoding: return 501; // RFC 9112 §6.1
    case ParseError::MethodNotImplemented: return 501;      // RFC 9110 §15.6.2
    case ParseError::BodyTooLarge: return 413;              // RFC 9110 §15.5.14
    case ParseError::BadStatusLine: return 502;             // an origin sent garbage
    default: return 400;
  }
}

std::string_view describe(ParseError e) noexcept {
  switch (e) {
    case ParseError::None: return "no error";
    case ParseError::BadRequestLine: return "malformed request line";
    case ParseError::BadMethod: return "request method is not a token";
    case ParseError::MethodNotImplemented: return "request method not implemented";
    case ParseError::BadTarget: return "malformed request target";
    case ParseError::BadVersion: return "malformed HTTP version";
    case ParseError::UnsupportedVersion: return "HTTP version not supported";
    case ParseError::RequestLineTooLong: return "request line too long";
    case ParseError::BadStatusLine: return "malformed status line";
    case ParseError::HeaderFieldTooLong: return "header field too long";
    case ParseError::HeaderSectionTooLarge: return "header section too large";
    case ParseError::TooManyHeaders: return "too many header fields";
    case ParseError::BadHeaderName: return "header field name is empty or not a token";
    case ParseError::WhitespaceBeforeColon: return "whitespace between field name and colon is not allowed";
    case ParseError::ObsFold: return "obsolete line folding is not allowed";
    case ParseError::BareCR: return "CR not followed by LF";
    case ParseError::BareLF: return "line ending is LF without CR";
    case ParseError::BadHeaderValue: return "control character in a header field value";
    case ParseError::ContentLengthAndTransferEncoding: return "both Content-Length and Transfer-Encoding are present";
    case ParseError::BadContentLength: return "invalid Content-Length";
    case ParseError::DuplicateContentLength: return "more than one Content-Length";
    case ParseError::TransferEncodingOnHttp10: return "Transfer-Encoding is not allowed on HTTP/1.0";
    case ParseError::ChunkedNotLast: return "chunked is not the last transfer coding";
    case ParseError::ChunkedTwice: return "chunked applied more than once";
    case ParseError::UnsupportedTransferCoding: return "transfer coding not implemented";
    case ParseError::MissingHost: return "missing Host header";
    case ParseError::DuplicateHost: return "more than one Host header";
    case ParseError::BadHost: return "invalid Host header";
    case ParseError::BadChunkSize: return "invalid chunk size";
    case ParseError::ChunkExtensionTooLong: return "chunk extension too long";
    case ParseError::BadChunkTerminator: return "chunk not terminated by CRLF";
    case ParseError::TrailerTooLarge: return "trailer section too large";
    case ParseError::BodyTooLarge: return "body too large";
  }
  return "unknown error";
}

}  // namespace lacquer::http
