#include "http/stored_head.h"

#include "http/date.h"

namespace lacquer::http {

std::vector<Header> stored_fields(std::string_view head) {
  std::vector<Header> out;
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    std::size_t start = pos + 2;
    std::size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(start, end - start);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      out.push_back({line.substr(0, colon), value});
    }
    pos = end < head.size() ? end : std::string_view::npos;
  }
  return out;
}

std::optional<std::string_view> stored_field(std::string_view head, std::string_view name) {
  for (const auto& h : stored_fields(head))
    if (iequals(h.name, name)) return h.value;
  return std::nullopt;
}

StoredValidators stored_validators(std::string_view head) {
  StoredValidators v;
  for (const auto& h : stored_fields(head)) {
    if (iequals(h.name, "ETag") && v.etag.empty()) v.etag = h.value;
    else if (iequals(h.name, "Last-Modified") && !v.last_modified) v.last_modified = parse_http_date(h.value);
    else if (iequals(h.name, "Date") && !v.date) v.date = parse_http_date(h.value);
  }
  return v;
}

}  // namespace lacquer::http
