// HTTP/1.1 head serialization (RFC 9112 §3, §4, §5, §7.1). The caller is responsible for
// handing over names and values that are already valid (we never emit CR or LF from input:
// values coming from configuration or origins were validated by the parser).
#include "http/serializer.h"

#include <charconv>

namespace lacquer::http {

// RFC 9110 §15 registered reason phrases (and 418 / 421 / 422 / 425 / 428 / 429 / 431 / 451).
std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 418: return "I'm a teapot";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

void append_status_line(std::string& out, int status, std::string_view reason) {
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF (RFC 9112 §4)
  if (status < 100 || status > 999) status = 500;
  if (reason.empty()) reason = reason_phrase(status);
  char code[3] = {static_cast<char>('0' + status / 100), static_cast<char>('0' + status / 10 % 10),
                  static_cast<char>('0' + status % 10)};
  out.append("HTTP/1.1 ");
  out.append(code, 3);
  out.push_back(' ');
  out.append(reason);
  out.append("\r\n");
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  // field-line = field-name ":" OWS field-value OWS (RFC 9112 §5)
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void append_header(std::string& out, std::string_view name, std::uint64_t value) {
  char buf[20];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  append_header(out, name, std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
}

void append_decimal(std::string& out, std::uint64_t value) {
  char buf[20];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

void append_request_line(std::string& out, std::string_view method, std::string_view target) {
  // request-line = method SP request-target SP HTTP-version CRLF (RFC 9112 §3)
  out.append(method);
  out.push_back(' ');
  out.append(target);
  out.append(" HTTP/1.1\r\n");
}

void append_chunk_header(std::string& out, std::size_t size) {
  // chunk-size = 1*HEXDIG (RFC 9112 §7.1); lower-case hex, no extensions.
  char buf[2 * sizeof(std::size_t)];
  auto res = std::to_chars(buf, buf + sizeof buf, size, 16);
  out.append(buf, static_cast<std::size_t>(res.ptr - buf));
  out.append("\r\n");
}

}  // namespace lacquer::http
