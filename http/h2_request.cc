#include "http/h2_request.h"

#include "http/message.h"

namespace lacquer::http {
namespace {

constexpr std::size_t kKeptCapacity = 4096;

// One table lookup per byte for the character classes the checks below use.
enum : std::uint8_t { kNameChar = 1, kValueChar = 2, kVchar = 4, kTchar = 8 };
struct CharClasses {
  std::uint8_t c[256] = {};
  constexpr CharClasses() {
    for (int i = 0; i < 256; ++i) {
      // RFC 9113 §8.2.1, plus what our HTTP/1.1 parser accepts (field-vchar, SP, HTAB, obs-text).
      if (i == '\t' || (i >= 0x20 && i != 0x7f)) c[i] |= kValueChar;
      if (i >= 0x21 && i <= 0x7e) c[i] |= kVchar;
    }
    // tchar (RFC 9110 §5.6.2); a field name is a tchar that is not upper case.
    for (int i = '0'; i <= '9'; ++i) c[i] |= kNameChar | kTchar;
    for (int i = 'a'; i <= 'z'; ++i) c[i] |= kNameChar | kTchar;
    for (int i = 'A'; i <= 'Z'; ++i) c[i] |= kTchar;
    for (char x : {'!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~'})
      c[static_cast<unsigned char>(x)] |= kNameChar | kTchar;
  }
};
constexpr CharClasses kClasses{};

bool all_of_class(std::string_view s, std::uint8_t cls) {
  for (unsigned char ch : s)
    if (!(kClasses.c[ch] & cls)) return false;
  return true;
}

bool valid_name(std::string_view n) { return !n.empty() && all_of_class(n, kNameChar); }

bool valid_value(std::string_view v) {
  if (!all_of_class(v, kValueChar)) return false;
  if (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t')) return false;
  return true;
}

bool all_vchar(std::string_view s) { return all_of_class(s, kVchar); }

bool connection_specific(std::string_view n) {
  return n == "connection" || n == "keep-alive" || n == "proxy-connection" || n == "transfer-encoding" ||
         n == "upgrade";
}

}  // namespace

std::string_view describe(H2FieldError e) {
  switch (e) {
    case H2FieldError::None: return "ok";
    case H2FieldError::BadName: return "invalid field name";
    case H2FieldError::BadValue: return "invalid field value";
    case H2FieldError::ConnectionSpecific: return "connection-specific field in HTTP/2";
    case H2FieldError::BadTe: return "TE other than trailers";
    case H2FieldError::PseudoAfterRegular: return "pseudo-header after a regular field";
    case H2FieldError::UnknownPseudo: return "unknown pseudo-header";
    case H2FieldError::DuplicatePseudo: return "duplicate pseudo-header";
    case H2FieldError::MissingPseudo: return "missing pseudo-header";
    case H2FieldError::BadPseudo: return "invalid pseudo-header value";
    case H2FieldError::Connect: return "CONNECT is not supported";
    case H2FieldError::HostMismatch: return "Host differs from :authority";
    case H2FieldError::TooLarge: return "header list too large";
  }
  return "unknown";
}

void H2RequestHead::reset(std::size_t max_header_bytes) {
  max_bytes_ = max_header_bytes;
  bytes_ = 0;
  error_ = H2FieldError::None;
  saw_regular_ = has_content_length_ = has_scheme_ = false;
  // Capacity is kept for the next request, except what one large head left behind.
  for (std::string* s : {&method_, &authority_, &path_, &host_, &fields_, &cookie_}) {
    s->clear();
    if (s->capacity() > kKeptCapacity) s->shrink_to_fit();
  }
}

H2FieldError H2RequestHead::add(std::string_view name, std::string_view value) {
  if (error_ != H2FieldError::None) return error_;
  bytes_ += name.size() + value.size() + 4;
  if (bytes_ > max_bytes_) return fail(H2FieldError::TooLarge);
  if (!name.empty() && name.front() == ':') {
    if (saw_regular_) return fail(H2FieldError::PseudoAfterRegular);
    return add_pseudo(name, value);
  }
  saw_regular_ = true;
  if (!valid_name(name)) return fail(H2FieldError::BadName);
  if (!valid_value(value)) return fail(H2FieldError::BadValue);
  if (connection_specific(name)) return fail(H2FieldError::ConnectionSpecific);
  if (name == "te") {
    if (value != "trailers") return fail(H2FieldError::BadTe);
    return error_;  // hop-by-hop: not forwarded
  }
  if (name == "host") {
    if (!all_vchar(value) || value.empty()) return fail(H2FieldError::BadValue);
    if (!host_.empty() && host_ != value) return fail(H2FieldError::HostMismatch);
    host_.assign(value);
    return error_;
  }
  if (name == "cookie") {
    if (!cookie_.empty()) cookie_.append("; ");
    cookie_.append(value);
    return error_;
  }
  if (name == "content-length") has_content_length_ = true;
  fields_.append(name).append(": ").append(value).append("\r\n");
  return error_;
}

H2FieldError H2RequestHead::add_pseudo(std::string_view name, std::string_view value) {
  std::string* slot = nullptr;
  if (name == ":method") slot = &method_;
  else if (name == ":path") slot = &path_;
  else if (name == ":authority") slot = &authority_;
  else if (name == ":scheme") {
    if (has_scheme_) return fail(H2FieldError::DuplicatePseudo);
    has_scheme_ = true;
    if (value.empty() || !all_vchar(value)) return fail(H2FieldError::BadPseudo);
    return error_;
  } else {
    return fail(H2FieldError::UnknownPseudo);
  }
  if (!slot->empty()) return fail(H2FieldError::DuplicatePseudo);
  if (value.empty()) return fail(name == ":authority" ? H2FieldError::BadPseudo : H2FieldError::MissingPseudo);
  if (!all_vchar(value)) return fail(H2FieldError::BadPseudo);
  if (name == ":method") {
    if (!all_of_class(value, kTchar)) return fail(H2FieldError::BadPseudo);
  } else if (name == ":authority" && value.find('@') != std::string_view::npos) {
    return fail(H2FieldError::BadPseudo);  // no userinfo (§8.3.1)
  }
  slot->assign(value);
  return error_;
}

H2FieldError H2RequestHead::finish() {
  if (error_ != H2FieldError::None) return error_;
  if (method_ == "CONNECT") return fail(H2FieldError::Connect);
  if (method_.empty() || path_.empty() || !has_scheme_) return fail(H2FieldError::MissingPseudo);
  if (path_.front() != '/' && !(path_ == "*" && method_ == "OPTIONS")) return fail(H2FieldError::BadPseudo);
  // No fragment: cutting it off would key and route something other than what was asked.
  if (path_.find('#') != std::string::npos) return fail(H2FieldError::BadPseudo);
  if (authority_.empty() && host_.empty()) return fail(H2FieldError::MissingPseudo);
  if (!authority_.empty() && !host_.empty() && host_ != authority_) return fail(H2FieldError::HostMismatch);
  return error_;
}

void H2RequestHead::build(std::string& out, std::uint64_t body_length) const {
  const std::string& host = authority_.empty() ? host_ : authority_;
  out.reserve(out.size() + method_.size() + path_.size() + host.size() + fields_.size() + cookie_.size() + 64);
  out.append(method_).append(" ").append(path_).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
  out.append(fields_);
  if (!cookie_.empty()) out.append("cookie: ").append(cookie_).append("\r\n");
  if (body_length > 0 && !has_content_length_) out.append("content-length: ").append(std::to_string(body_length)).append("\r\n");
  out.append("\r\n");
}

}  // namespace lacquer::http
