#include "edge/response_fields.h"

#include "http/serializer.h"
#include "origin/forward.h"

namespace lacquer::edge {

void append_end_to_end_fields(std::string& out, std::span<const http::Header> headers,
                              const FieldFilter& filter) {
  for (const auto& h : headers) {
    if (origin::is_hop_field(headers, h.name) || http::iequals(h.name, "Content-Length") ||
        http::iequals(h.name, "Age"))
      continue;
    if (!filter.keep_surrogate_headers &&
        (http::iequals(h.name, "Surrogate-Key") || http::iequals(h.name, "Surrogate-Control")))
      continue;
    if (!filter.forward_cdn_cache_control && http::iequals(h.name, "CDN-Cache-Control")) continue;
    http::append_header(out, h.name, h.value);
  }
}

}  // namespace lacquer::edge
