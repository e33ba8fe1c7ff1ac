#include "http/response_fields.h"

#include "http/date.h"
#include "http/serializer.h"

namespace lacquer::http {

void append_end_to_end_fields(std::string& out, std::span<const Header> headers,
                              const FieldFilter& filter) {
  bool has_date = false;
  for (const auto& h : headers) {
    if (iequals(h.name, "Date")) has_date = true;
    if (is_hop_by_hop(h.name) || is_named_by_connection(headers, h.name) || iequals(h.name, "Content-Length") ||
        iequals(h.name, "Age"))
      continue;
    if (!filter.keep_surrogate_headers &&
        (iequals(h.name, "Surrogate-Key") || iequals(h.name, "Surrogate-Control")))
      continue;
    if (!filter.forward_cdn_cache_control && iequals(h.name, "CDN-Cache-Control")) continue;
    append_header(out, h.name, h.value);
  }
  if (!has_date && filter.date_if_missing >= 0) {
    char date[29];
    format_http_date(filter.date_if_missing, date);
    append_header(out, "Date", std::string_view(date, 29));
  }
}

}  // namespace lacquer::http
