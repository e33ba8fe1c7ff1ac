// Building the request we send to the origin from the request a client sent us. Pure: the
// normalised host and target come from the cache key, so what we key is what we forward.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "http/header_edits.h"
#include "http/message.h"

namespace lacquer::origin {

struct ForwardRequest {
  std::string_view method;
  std::string_view host;    // normalised (lower case, no default port)
  std::string_view target;  // normalised origin-form target
  std::span<const http::Header> headers;  // the client's fields
  std::string_view client_ip;             // appended to X-Forwarded-For
  std::string_view via;                   // e.g. "1.1 lacquer/0.1.0"
  std::string_view proto = "http";        // the client's scheme: "https" on a TLS listener
  std::uint64_t body_length = 0;          // decoded request body we will send
  bool has_body = false;                  // send Content-Length (even 0) when the client sent a body
  std::string_view upgrade;               // set: ask the origin for this protocol upgrade (RFC 9110 §7.8)
  // The peer is a trusted proxy (server.trusted_proxies): its forwarding fields are extended
  // rather than replaced.
  bool trusted_peer = false;
  http::HeaderEdits edits;  // the site's request header rules
};

// Appends the request head (request line, fields, blank line) to `out`, in one allocation (it
// reserves origin_request_bound first).
// Dropped: hop-by-hop fields and any field the Connection field names (RFC 9110 §7.6.1), Host
// (rewritten from the key), the client's framing fields (we re-frame the body we buffered),
// Expect (we answered 100-continue ourselves), and fields that make origins return content the
// cache key does not reflect (X-Forwarded-Host, X-Original-URL, X-Rewrite-URL,
// X-HTTP-Method-Override, X-Host, X-Forwarded-Server, X-Forwarded-Scheme, X-Forwarded-Proto,
// X-HTTP-Method, X-Method-Override, Forwarded, X-Forwarded-Port, X-Forwarded-Prefix,
// X-Original-Host).
// Added: Via (ours after any existing one), for an upgrade request "Connection: Upgrade" with its
// Upgrade field, and the forwarding fields:
// - from an untrusted peer, the client's X-Forwarded-For, X-Forwarded-Proto and Forwarded are
//   replaced: X-Forwarded-For: <peer>, X-Forwarded-Proto: <listener scheme>, Forwarded:
//   for=<peer>;proto=<listener scheme>;
// - from a trusted proxy they are extended: X-Forwarded-For: <theirs>, <peer>; Forwarded: their
//   elements, then ours (RFC 7239 §4: each proxy appends one); X-Forwarded-Proto: theirs when it
//   is "http" or "https" (the scheme the client used at the proxy that terminated it), else ours.
// Then the site's request rules: fields they remove or set are dropped (ours too), and the set
// fields are added last.
void append_origin_request(std::string& out, const ForwardRequest& req);

// An upper bound on the bytes append_origin_request appends for `req` (its head, not the body).
std::size_t origin_request_bound(const ForwardRequest& req) noexcept;

// True for fields never forwarded in either direction (hop-by-hop or Connection-named).
bool is_hop_field(std::span<const http::Header> headers, std::string_view name) noexcept;

}  // namespace lacquer::origin
