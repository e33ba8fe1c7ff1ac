#include "http/access_log_line.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace lacquer::http {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Seconds with microsecond precision: "0.001234".
void append_seconds(std::string& out, std::uint64_t us) {
  append_number(out, us / 1000000);
  char frac[7];
  std::uint64_t f = us % 1000000;
  for (int i = 5; i >= 0; --i, f /= 10) frac[i] = static_cast<char>('0' + f % 10);
  frac[6] = '\0';
  out.push_back('.');
  out.append(frac, 6);
}

// Inside a combined-format quoted field: " \ and bytes outside printable ASCII escaped.
void append_escaped_clf(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

void append_quoted_clf(std::string& out, std::string_view s) {
  out.push_back('"');
  if (s.empty()) out.push_back('-');
  append_escaped_clf(out, s);
  out.push_back('"');
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {  // bytes, not text: never emit invalid UTF-8
      out.append("\\u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

std::tm utc(std::int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

void append_combined(std::string& out, const AccessRecord& r) {
  out.append(r.client.empty() ? "-" : r.client);
  std::tm tm = utc(r.unix_ms);
  char when[40];
  std::size_t n = std::strftime(when, sizeof when, " - - [%d/%b/%Y:%H:%M:%S +0000] ", &tm);
  out.append(when, n);
  out.push_back('"');
  if (r.method.empty()) {
    out.push_back('-');
  } else {
    append_escaped_clf(out, r.method);
    out.push_back(' ');
    append_escaped_clf(out, r.target);
    out.push_back(' ');
    append_escaped_clf(out, r.version);
  }
  out.append("\" ");
  append_number(out, static_cast<std::uint64_t>(r.status));
  out.push_back(' ');
  append_number(out, r.body_bytes);
  out.push_back(' ');
  append_quoted_clf(out, r.referer);
  out.push_back(' ');
  append_quoted_clf(out, r.user_agent);
  out.push_back(' ');
  append_seconds(out, r.duration_us);
  out.push_back(' ');
  if (r.origin_first_byte_us < 0) out.push_back('-');
  else append_seconds(out, static_cast<std::uint64_t>(r.origin_first_byte_us));
  out.push_back(' ');
  append_quoted_clf(out, r.cache_status);
  out.push_back(' ');
  out.append(r.protocol);
  if (r.aborted) out.append(" aborted");
  out.push_back('\n');
}

void append_json(std::string& out, const AccessRecord& r) {
  std::tm tm = utc(r.unix_ms);
  char when[40];
  std::size_t n = std::strftime(when, sizeof when, "{\"time\":\"%Y-%m-%dT%H:%M:%S", &tm);
  out.append(when, n);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03dZ\"", static_cast<int>(r.unix_ms % 1000));
  out.append(ms);
  out.append(",\"client\":");
  append_json_string(out, r.client);
  out.append(",\"method\":");
  append_json_string(out, r.method);
  out.append(",\"target\":");
  append_json_string(out, r.target);
  out.append(",\"version\":");
  append_json_string(out, r.version);
  out.append(",\"status\":");
  append_number(out, static_cast<std::uint64_t>(r.status));
  out.append(",\"bytes\":");
  append_number(out, r.body_bytes);
  out.append(",\"duration_s\":");
  append_seconds(out, r.duration_us);
  out.append(",\"origin_first_byte_s\":");
  if (r.origin_first_byte_us < 0) out.append("null");
  else append_seconds(out, static_cast<std::uint64_t>(r.origin_first_byte_us));
  out.append(",\"cache_status\":");
  append_json_string(out, r.cache_status);
  out.append(",\"protocol\":");
  append_json_string(out, r.protocol);
  out.append(",\"referer\":");
  append_json_string(out, r.referer);
  out.append(",\"user_agent\":");
  append_json_string(out, r.user_agent);
  if (r.aborted) out.append(",\"aborted\":true");
  out.append("}\n");
}

}  // namespace

void append_access_line(std::string& out, const AccessRecord& r, AccessLogStyle style) {
  if (style == AccessLogStyle::Json) append_json(out, r);
  else append_combined(out, r);
}

}  // namespace lacquer::http
