#include "http/h2_request.h"

#include "http/message.h"

namespace lacquer::http {
namespace {

constexpr std::size_t kKeptCapacity = 4096;

bool valid_name(std::string_view n) {
  if (n.empty()) return false;
  for (unsigned char c : n)
    if (!is_tchar(c) || (c >= 'A' && c <= 'Z')) return false;
  return true;
}

// RFC 9113 §8.2.1, plus what our HTTP/1.1 parser accepts (field-vchar, SP, HTAB, obs-text).
bool valid_value(std::string_view v) {
  for (unsigned char c : v)
    if (c < 0x20 ? c != '\t' : c == 0x7f) return false;
  if (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t')) return false;
  return true;
}

bool all_vchar(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

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
    for (unsigned char c : value)
      if (!is_tchar(c)) return fail(H2FieldError::BadPseudo);
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
