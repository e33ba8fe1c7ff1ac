// Message body framing (RFC 9112 §6.1–§6.3) and Host validation (RFC 9112 §3.2).
#include "http/framing.h"

#include <limits>

namespace lacquer::http {

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Content-Length = 1*DIGIT (RFC 9110 §8.6). Values past 2^63-1 are rejected as overflow.
bool parse_content_length(std::string_view v, std::uint64_t& out) noexcept {
  if (v.empty()) return false;
  std::uint64_t n = 0;
  constexpr std::uint64_t kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (char c : v) {
    if (!is_digit(c)) return false;
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (n > (kMax - d) / 10) return false;
    n = n * 10 + d;
  }
  out = n;
  return true;
}

// Host = uri-host [ ":" port ] (RFC 9110 §7.2, RFC 3986 §3.2.2). uri-host is an IP-literal
// ("[" IPv6 "]"), an IPv4 address or a reg-name (unreserved / pct-encoded / sub-delims; an
// IPv4address is a subset of that). An empty host is rejected: a CDN cannot route it.
bool valid_host(std::string_view h) noexcept {
  std::size_t i = 0;
  if (h.empty()) return false;
  if (h[0] == '[') {
    // IP-literal: hex digits, ':' and '.' (embedded IPv4) only; IPvFuture is not accepted.
    i = 1;
    bool colon = false;
    while (i < h.size() && h[i] != ']') {
      const char c = h[i];
      if (!(is_hex(c) || c == ':' || c == '.')) return false;
      if (c == ':') colon = true;
      ++i;
    }
    if (i == h.size() || i == 1 || !colon) return false;
    ++i;  // ']'
  } else {
    while (i < h.size() && h[i] != ':') {
      const char c = h[i];
      const bool ok = is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' ||
                      c == '~' || c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' ||
                      c == ')' || c == '*' || c == '+' || c == ',' || c == ';' || c == '=';
      if (c == '%') {
        if (i + 2 >= h.size() || !is_hex(h[i + 1]) || !is_hex(h[i + 2])) return false;
        i += 3;
        continue;
      }
      if (!ok) return false;  // SP, '@', '/', '?', '#', CTLs, obs-text, ...
      ++i;
    }
    if (i == 0) return false;
  }
  if (i == h.size()) return true;
  if (h[i] != ':') return false;
  // port = 1*5DIGIT up to 65535: RFC 3986 allows any digits, but no TCP port is larger, and
  // a key for "example.com:99999" names nothing an origin could serve.
  const std::string_view port = h.substr(i + 1);
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (!is_digit(c)) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

// The authority of an absolute-form target ("http://authority/path?query"; the parser checked
// the scheme), which RFC 9112 §3.2.2 says replaces Host. Empty when there is none.
std::string_view absolute_form_authority(std::string_view target) noexcept {
  if (target.empty() || target[0] == '/' || target.size() < 7 || target[4] != ':') return {};
  const std::string_view rest = target.substr(7);
  return rest.substr(0, rest.find_first_of("/?"));
}

// Examines every Transfer-Encoding field (in order; RFC 9110 §5.3 lets them be combined).
// Returns None when the list is exactly ... ,chunked with chunked once and nothing else we do
// not implement. `ends_chunked` reports whether the last coding is chunked.
ParseError check_codings(std::span<const Header> headers, bool& ends_chunked) noexcept {
  std::size_t members = 0;
  std::size_t chunked_count = 0;
  bool last_chunked = false;
  bool unsupported = false;
  bool chunked_then_other = false;
  for (const Header& h : headers) {
    if (!iequals(h.name, "Transfer-Encoding")) continue;
    for_each_list_member(h.value, [&](std::string_view m) {
      ++members;
      if (iequals(m, "chunked")) {
        ++chunked_count;
        last_chunked = true;
      } else {
        if (chunked_count) chunked_then_other = true;
        unsupported = true;
        last_chunked = false;
      }
    });
  }
  ends_chunked = last_chunked;
  // RFC 9112 §6.1: chunked MUST NOT be applied more than once and MUST be the final coding.
  if (chunked_count > 1) return ParseError::ChunkedTwice;
  // §6.3 item 4: a request whose final coding is not chunked cannot be framed at all: 400,
  // whether or not we know the coding ("gzip" alone is as unframeable as "chunked, gzip").
  if (chunked_then_other || members == 0 || !last_chunked) return ParseError::ChunkedNotLast;
  // Codings we do not implement (gzip, deflate, compress, identity, extensions): 501.
  if (unsupported) return ParseError::UnsupportedTransferCoding;
  return ParseError::None;
}

// Reads every Content-Length field. With `allow_equal_duplicates`, repeated identical values
// are accepted (RFC 9112 §6.3 item 5); otherwise any repetition is DuplicateContentLength.
ParseError read_content_length(std::span<const Header> headers, bool allow_equal_duplicates,
                               bool& present, std::uint64_t& length) noexcept {
  present = false;
  ParseError err = ParseError::None;
  for (const Header& h : headers) {
    if (!iequals(h.name, "Content-Length")) continue;
    bool any_member = false;
    for_each_list_member(h.value, [&](std::string_view m) {
      if (err != ParseError::None) return;
      any_member = true;
      std::uint64_t v = 0;
      if (!parse_content_length(m, v)) {
        err = ParseError::BadContentLength;
      } else if (present) {
        if (!allow_equal_duplicates || v != length) err = ParseError::DuplicateContentLength;
      } else {
        present = true;
        length = v;
      }
    });
    if (!any_member && err == ParseError::None) err = ParseError::BadContentLength;
    if (err != ParseError::None) return err;
  }
  return ParseError::None;
}

FramingResult fail(ParseError e) noexcept {
  FramingResult r;
  r.error = e;
  return r;
}

}  // namespace

FramingResult request_framing(const RequestLine& line, std::span<const Header> headers) noexcept {
  // Host (RFC 9112 §3.2): exactly once on HTTP/1.1; at most once (and valid) on HTTP/1.0.
  std::size_t hosts = 0;
  std::string_view host;
  for (const Header& h : headers) {
    if (iequals(h.name, "Host")) {
      if (++hosts == 1) host = h.value;
    }
  }
  if (hosts > 1) return fail(ParseError::DuplicateHost);
  if (hosts == 0 && line.version_minor >= 1) return fail(ParseError::MissingHost);
  if (hosts == 1 && !valid_host(host)) return fail(ParseError::BadHost);
  // An absolute-form target's authority is the host we key and forward (RFC 9112 §3.2.2): it
  // passes the same checks as Host (no userinfo, RFC 9110 §4.2.4; a port in range).
  if (line.method != "CONNECT" && !line.target.empty() && line.target[0] != '/' &&
      line.target != "*" && !valid_host(absolute_form_authority(line.target)))
    return fail(ParseError::BadHost);

  const bool has_te = find_header(headers, "Transfer-Encoding").has_value();
  const bool has_cl = find_header(headers, "Content-Length").has_value();
  // RFC 9112 §6.1: both together may be a smuggling attempt; we reject.
  if (has_te && has_cl) return fail(ParseError::ContentLengthAndTransferEncoding);
  if (has_te) {
    // RFC 9112 §6.1: a server MUST NOT trust Transfer-Encoding on HTTP/1.0; we reject.
    if (line.version_minor == 0) return fail(ParseError::TransferEncodingOnHttp10);
    bool ends_chunked = false;
    ParseError e = check_codings(headers, ends_chunked);
    if (e != ParseError::None) return fail(e);
    FramingResult r;
    r.framing.kind = BodyKind::Chunked;
    return r;
  }
  if (has_cl) {
    bool present = false;
    std::uint64_t length = 0;
    ParseError e = read_content_length(headers, /*allow_equal_duplicates=*/false, present, length);
    if (e != ParseError::None) return fail(e);
    FramingResult r;
    r.framing.kind = BodyKind::ContentLength;
    r.framing.length = length;
    return r;
  }
  // RFC 9112 §6.3 item 7: a request without either has no body.
  return FramingResult{};
}

FramingResult response_framing(int status, std::string_view request_method,
                               std::span<const Header> headers) noexcept {
  // RFC 9112 §6.3 item 1: HEAD responses, 1xx, 204 and 304 never have a body.
  if (request_method == "HEAD" || (status >= 100 && status < 200) || status == 204 ||
      status == 304)
    return FramingResult{};

  const bool has_te = find_header(headers, "Transfer-Encoding").has_value();
  const bool has_cl = find_header(headers, "Content-Length").has_value();
  if (has_te) {
    // RFC 9112 §6.3 item 3: TE overrides CL, but the pair "ought to be handled as an error";
    // reject, never repair.
    if (has_cl) return fail(ParseError::ContentLengthAndTransferEncoding);
    bool ends_chunked = false;
    ParseError e = check_codings(headers, ends_chunked);
    if (e == ParseError::ChunkedNotLast && !ends_chunked) {
      // §6.3 item 4 (response): final coding not chunked -> read until close. But a coding
      // we cannot decode is unusable for us (transfer codings are hop-by-hop and we would have
      // to forward coded bytes without the field), so report it.
      return fail(ParseError::UnsupportedTransferCoding);
    }
    if (e != ParseError::None) return fail(e);
    FramingResult r;
    r.framing.kind = ends_chunked ? BodyKind::Chunked : BodyKind::UntilClose;
    return r;
  }
  if (has_cl) {
    bool present = false;
    std::uint64_t length = 0;
    ParseError e = read_content_length(headers, /*allow_equal_duplicates=*/true, present, length);
    if (e != ParseError::None) return fail(e);
    FramingResult r;
    r.framing.kind = BodyKind::ContentLength;
    r.framing.length = length;
    return r;
  }
  // §6.3 item 8: read until the connection closes.
  FramingResult r;
  r.framing.kind = BodyKind::UntilClose;
  return r;
}

}  // namespace lacquer::http
