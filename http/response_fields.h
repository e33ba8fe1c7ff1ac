// Turning an origin response head into what we send downstream and what we store. Pure.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "http/message.h"

namespace lacquer::http {

struct FieldFilter {
  bool keep_surrogate_headers = false;    // Surrogate-Key / Surrogate-Control
  bool forward_cdn_cache_control = true;  // RFC 9213 §3: CDNs typically forward it
  // When >= 0 and the origin sent no Date: a Date field with this time (seconds since the
  // epoch), the time the response was received (RFC 9110 §6.6.1: a recipient with a clock that
  // forwards or caches a response without Date appends one).
  std::int64_t date_if_missing = -1;
};

// Appends every end-to-end field of an origin response as "Name: value\r\n", leaving out
// hop-by-hop fields and those the Connection field names (RFC 9110 §7.6.1), the framing fields
// (Content-Length, Transfer-Encoding: we frame what we send ourselves), Age (recomputed per
// response, RFC 9111 §4.2.3), and the surrogate fields meant for us alone (Edge Architecture
// Surrogate-Control, Surrogate-Key) unless configured to keep them. CDN-Cache-Control is
// forwarded unless configured not to: RFC 9213 §3 expects a CDN to pass it on so downstream
// CDN caches can use it, and allows removing it when it is known not to be used downstream.
void append_end_to_end_fields(std::string& out, std::span<const Header> headers,
                              const FieldFilter& filter);

}  // namespace lacquer::http
