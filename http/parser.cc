// Strict HTTP/1.1 head parsers (RFC 9112 §2–§5). A single linear pass over the buffer with
// byte-class tables; every read is bounds-checked against the end of the caller's buffer, and
// nothing is allocated. Reject, never repair.
#include "http/parser.h"

#include <cstring>

namespace lacquer::http {

namespace {

// Byte classes.
enum : unsigned char {
  kTok = 1,    // tchar (RFC 9110 §5.6.2)
  kVal = 2,    // field-vchar / SP / HTAB / obs-text (RFC 9110 §5.5)
  kTgt = 4,    // allowed in a request-target: VCHAR (RFC 9112 §3.2; CTL, SP, DEL, 0x80+ rejected)
  kReason = 8, // reason-phrase = *( HTAB / SP / VCHAR / obs-text ) (RFC 9112 §4)
};

struct Classes {
  unsigned char c[256] = {};
  constexpr Classes() {
    for (int i = 0; i < 256; ++i) {
      unsigned char v = 0;
      const bool vchar = i >= 0x21 && i <= 0x7E;
      const bool obs = i >= 0x80;
      if (vchar || obs || i == ' ' || i == '\t') v |= kVal | kReason;
      // Raw bytes >= 0x80 are not part of the URI grammar (RFC 3986 §2); rejecting them keeps
      // the cache key unambiguous with the percent-encoded form.
      if (vchar) v |= kTgt;
      const bool alnum = (i >= '0' && i <= '9') || (i >= 'a' && i <= 'z') || (i >= 'A' && i <= 'Z');
      if (alnum) v |= kTok;
      switch (i) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~':
          v |= kTok;
          break;
        default: break;
      }
      c[i] = v;
    }
  }
};
constexpr Classes kClass{};

inline bool is(unsigned char ch, unsigned char cls) noexcept { return (kClass.c[ch] & cls) != 0; }
inline bool is_digit(char ch) noexcept { return ch >= '0' && ch <= '9'; }

struct LineResult {
  ParseStatus status;
  ParseError error;
  std::string_view line;  // without CRLF
  std::size_t next;       // index after the LF
};

// Finds the start line beginning at `start`. Its content (without CRLF) may be at most `max`
// bytes; past that the result is `too_long` even while the line is still incomplete.
LineResult find_start_line(std::string_view buf, std::size_t start, std::size_t max,
                           ParseError too_long) noexcept {
  const std::size_t avail = buf.size() - start;
  const std::size_t window = avail < max + 2 ? avail : max + 2;
  const void* lf = window ? std::memchr(buf.data() + start, '\n', window) : nullptr;
  if (!lf) {
    if (avail > max && (avail >= max + 2 || buf[start + max] != '\r'))
      return {ParseStatus::Error, too_long, {}, 0};
    return {ParseStatus::Incomplete, ParseError::None, {}, 0};
  }
  const std::size_t lf_at = static_cast<std::size_t>(static_cast<const char*>(lf) - buf.data());
  // RFC 9112 §2.2: we accept CRLF only; a bare LF is an error.
  if (lf_at == start || buf[lf_at - 1] != '\r')
    return {ParseStatus::Error, ParseError::BareLF, {}, 0};
  std::string_view line = buf.substr(start, lf_at - 1 - start);
  if (line.size() > max) return {ParseStatus::Error, too_long, {}, 0};
  // RFC 9112 §2.2: a bare CR anywhere in the line is invalid.
  if (std::memchr(line.data(), '\r', line.size()))
    return {ParseStatus::Error, ParseError::BareCR, {}, 0};
  return {ParseStatus::Complete, ParseError::None, line, lf_at + 1};
}

// "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3; the name is case-sensitive). Returns false when
// malformed; sets major/minor otherwise.
bool parse_version(std::string_view v, int& major, int& minor) noexcept {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5]) || v[6] != '.' ||
      !is_digit(v[7]))
    return false;
  major = v[5] - '0';
  minor = v[7] - '0';
  return true;
}

bool iprefix(std::string_view s, std::string_view lower_prefix) noexcept {
  if (s.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

// RFC 9112 §3.2, each form only where it belongs (characters were checked already):
//   origin-form    "/path?query"            any method but CONNECT
//   absolute-form  "http://authority/path"  any method but CONNECT (§3.2.2); we are a
//                  cleartext HTTP/1.1 server, so another scheme asks for a forward proxy we
//                  are not; the authority must be there (RFC 9110 §4.2.1: an empty host is
//                  invalid) and is validated like Host by request_framing()
//   authority-form "host:port"              CONNECT only (§3.2.3)
//   asterisk-form  "*"                      OPTIONS only (§3.2.4)
// No form has a fragment: a '#' is rejected rather than cut off, because a front end and a back
// end that disagree on where the path ends key and route different resources.
bool target_form_ok(std::string_view method, std::string_view t) noexcept {
  if (t.find('#') != std::string_view::npos) return false;
  if (method == "CONNECT") {
    // authority-form: uri-host ":" port, nothing else (Host-style checks in request_framing).
    const std::size_t colon = t.rfind(':');
    return t[0] != '/' && colon != std::string_view::npos && colon + 1 < t.size() &&
           t.find_first_of("/?@") == std::string_view::npos;
  }
  if (t[0] == '/') return true;
  if (t == "*") return method == "OPTIONS";
  if (!iprefix(t, "http://")) return false;
  const std::string_view rest = t.substr(7);
  return !rest.empty() && rest[0] != '/' && rest[0] != '?';
}

struct FieldsResult {
  ParseStatus status;
  ParseError error;
  std::size_t consumed;
  std::size_t count;
};

inline FieldsResult fields_error(ParseError e) noexcept {
  return {ParseStatus::Error, e, 0, 0};
}

// Parses field lines (RFC 9112 §5) from `pos` up to and including the empty line.
FieldsResult parse_fields(std::string_view buf, std::size_t pos, std::span<Header> headers,
                          const ParseLimits& lim) noexcept {
  const unsigned char* const base = reinterpret_cast<const unsigned char*>(buf.data());
  const unsigned char* const end = base + buf.size();
  const unsigned char* const section = base + pos;
  const unsigned char* p = section;
  std::size_t count = 0;

  // Called when the buffer ends inside a line that starts at `line`: Incomplete unless a
  // limit is already exceeded.
  auto incomplete = [&](const unsigned char* line) -> FieldsResult {
    std::size_t so_far = static_cast<std::size_t>(end - line);
    if (so_far && end[-1] == '\r') --so_far;
    if (so_far > lim.max_field) return fields_error(ParseError::HeaderFieldTooLong);
    if (static_cast<std::size_t>(end - section) > lim.max_header_bytes)
      return fields_error(ParseError::HeaderSectionTooLarge);
    return {ParseStatus::Incomplete, ParseError::None, 0, 0};
  };

  for (;;) {
    const unsigned char* const line = p;
    if (p == end) return incomplete(line);
    const unsigned char c = *p;
    if (c == '\r') {
      if (p + 1 == end) return incomplete(line);
      if (p[1] != '\n') return fields_error(ParseError::BareCR);
      p += 2;
      if (static_cast<std::size_t>(p - section) > lim.max_header_bytes)
        return fields_error(ParseError::HeaderSectionTooLarge);
      return {ParseStatus::Complete, ParseError::None, static_cast<std::size_t>(p - base), count};
    }
    if (c == '\n') return fields_error(ParseError::BareLF);
    // RFC 9112 §5.2 (obs-fold) and §2.2 (whitespace before the first field): reject.
    if (c == ' ' || c == '\t') return fields_error(ParseError::ObsFold);
    if (count == headers.size()) return fields_error(ParseError::TooManyHeaders);

    // field-name = token
    while (p < end && is(*p, kTok)) ++p;
    if (p == end) return incomplete(line);
    if (p == line) return fields_error(ParseError::BadHeaderName);
    // RFC 9112 §5.1: no whitespace between field name and colon.
    if (*p == ' ' || *p == '\t') return fields_error(ParseError::WhitespaceBeforeColon);
    if (*p != ':') return fields_error(ParseError::BadHeaderName);
    const unsigned char* const name_end = p;
    ++p;
    while (p < end && (*p == ' ' || *p == '\t')) ++p;  // leading OWS
    const unsigned char* const value = p;
    while (p < end && is(*p, kVal)) ++p;
    if (p == end) return incomplete(line);
    if (*p == '\r') {
      if (p + 1 == end) return incomplete(line);
      if (p[1] != '\n') return fields_error(ParseError::BareCR);
    } else if (*p == '\n') {
      return fields_error(ParseError::BareLF);
    } else {
      return fields_error(ParseError::BadHeaderValue);  // NUL, other CTLs, DEL
    }
    if (static_cast<std::size_t>(p - line) > lim.max_field)
      return fields_error(ParseError::HeaderFieldTooLong);
    const unsigned char* value_end = p;
    while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t')) --value_end;
    headers[count].name = std::string_view(reinterpret_cast<const char*>(line),
                                           static_cast<std::size_t>(name_end - line));
    headers[count].value = std::string_view(reinterpret_cast<const char*>(value),
                                            static_cast<std::size_t>(value_end - value));
    ++count;
    p += 2;
    if (static_cast<std::size_t>(p - section) > lim.max_header_bytes)
      return fields_error(ParseError::HeaderSectionTooLarge);
  }
}

}  // namespace

RequestHeadParse parse_request_head(std::string_view buf, std::span<Header> headers,
                                    const ParseLimits& limits) noexcept {
  RequestHeadParse r;
  std::size_t start = 0;
  // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
  if (!buf.empty() && buf[0] == '\r') {
    if (buf.size() < 2) return r;
    if (buf[1] == '\n') start = 2;
  }
  LineResult lr = find_start_line(buf, start, limits.max_request_line,
                                  ParseError::RequestLineTooLong);
  if (lr.status != ParseStatus::Complete) {
    r.status = lr.status;
    r.error = lr.error;
    return r;
  }
  auto fail = [&](ParseError e) {
    r.status = ParseStatus::Error;
    r.error = e;
    return r;
  };
  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3), exactly one SP.
  const std::string_view line = lr.line;
  std::size_t i = 0;
  while (i < line.size() && is(static_cast<unsigned char>(line[i]), kTok)) ++i;
  if (i == line.size()) return fail(ParseError::BadRequestLine);
  if (line[i] != ' ') return fail(ParseError::BadMethod);
  if (i == 0) return fail(ParseError::BadRequestLine);
  r.line.method = line.substr(0, i);
  const std::size_t t0 = ++i;
  while (i < line.size() && is(static_cast<unsigned char>(line[i]), kTgt)) ++i;
  if (i == line.size()) return fail(ParseError::BadRequestLine);  // no version (HTTP/0.9 form)
  if (line[i] != ' ') return fail(ParseError::BadTarget);        // CTL, DEL or 0x80+
  if (i == t0) return fail(ParseError::BadRequestLine);           // two SPs
  r.line.target = line.substr(t0, i - t0);
  const std::string_view version = line.substr(i + 1);
  if (version.find(' ') != std::string_view::npos) return fail(ParseError::BadRequestLine);
  int major = 0, minor = 0;
  if (!parse_version(version, major, minor)) return fail(ParseError::BadVersion);
  // The version before the target's form, so the HTTP/2 preface ("PRI * HTTP/2.0") is a 505.
  if (major != 1 || minor > 1) return fail(ParseError::UnsupportedVersion);
  if (!target_form_ok(r.line.method, r.line.target)) return fail(ParseError::BadTarget);
  r.line.version_minor = minor;

  FieldsResult fr = parse_fields(buf, lr.next, headers, limits);
  r.status = fr.status;
  r.error = fr.error;
  if (fr.status == ParseStatus::Complete) {
    r.consumed = fr.consumed;
    r.header_count = fr.count;
  }
  return r;
}

ResponseHeadParse parse_response_head(std::string_view buf, std::span<Header> headers,
                                      const ParseLimits& limits) noexcept {
  ResponseHeadParse r;
  LineResult lr = find_start_line(buf, 0, limits.max_request_line, ParseError::BadStatusLine);
  if (lr.status != ParseStatus::Complete) {
    r.status = lr.status;
    r.error = lr.error;
    return r;
  }
  auto fail = [&](ParseError e) {
    r.status = ParseStatus::Error;
    r.error = e;
    return r;
  };
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4). The SP after
  // the status code is tolerated when the reason is empty (common, and unambiguous).
  const std::string_view line = lr.line;
  if (line.size() < 12) return fail(ParseError::BadStatusLine);
  int major = 0, minor = 0;
  if (!parse_version(line.substr(0, 8), major, minor)) return fail(ParseError::BadStatusLine);
  if (major != 1 || minor > 1) return fail(ParseError::UnsupportedVersion);
  if (line[8] != ' ' || !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]))
    return fail(ParseError::BadStatusLine);
  const int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (status < 100) return fail(ParseError::BadStatusLine);
  std::string_view reason;
  if (line.size() > 12) {
    if (line[12] != ' ') return fail(ParseError::BadStatusLine);
    reason = line.substr(13);
    for (char ch : reason)
      if (!is(static_cast<unsigned char>(ch), kReason)) return fail(ParseError::BadStatusLine);
  }
  r.line.version_minor = minor;
  r.line.status = status;
  r.line.reason = reason;

  FieldsResult fr = parse_fields(buf, lr.next, headers, limits);
  r.status = fr.status;
  r.error = fr.error;
  if (fr.status == ParseStatus::Complete) {
    r.consumed = fr.consumed;
    r.header_count = fr.count;
  }
  return r;
}

}  // namespace lacquer::http
