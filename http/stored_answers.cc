#include "http/stored_answers.h"

#include "http/serializer.h"

namespace lacquer::http {

Precondition stored_preconditions(std::span<const Header> request_headers, const StoredValidators& v) {
  return evaluate_preconditions(request_headers, v.etag, v.last_modified, v.date);
}

RangeSet requested_ranges(std::span<const Header> request_headers, const StoredValidators& v, std::uint64_t length) {
  auto range = find_header(request_headers, "Range");
  if (!range) return {};
  if (auto if_range = find_header(request_headers, "If-Range"))
    if (!if_range_allows(*if_range, v.etag, v.last_modified, v.date)) return {};
  return resolve_range(*range, length);
}

void append_fields_except(std::string& out, std::string_view stored_head, std::initializer_list<std::string_view> skip) {
  for (const auto& f : stored_fields(stored_head)) {
    bool drop = false;
    for (auto s : skip) drop = drop || iequals(f.name, s);
    if (!drop) append_header(out, f.name, f.value);
  }
}

void append_not_modified_head(std::string& out, std::string_view stored_head) {
  out.append("HTTP/1.1 304 Not Modified\r\n");
  append_fields_except(out, stored_head, {"Content-Length", "Content-Type", "Content-Encoding", "Content-Language", "Age"});
}

void append_single_range_head(std::string& out, std::string_view stored_head, ByteRange range, std::uint64_t length) {
  out.append("HTTP/1.1 206 Partial Content\r\n");
  append_fields_except(out, stored_head, {"Content-Length"});
  out.append("Content-Range: ");
  append_content_range(out, range, length);
  out.append("\r\n");
  append_header(out, "Content-Length", range.last - range.first + 1);
}

void append_unsatisfiable_head(std::string& out, std::string_view stored_head, std::uint64_t length) {
  out.append("HTTP/1.1 416 Range Not Satisfiable\r\n");
  append_fields_except(out, stored_head, {"Content-Length", "Content-Type", "Content-Encoding"});
  out.append("Content-Range: ");
  append_unsatisfied_range(out, length);
  out.append("\r\nContent-Length: 0\r\n");
}

}  // namespace lacquer::http
