#include "origin/forward.h"

#include <array>

#include "http/serializer.h"

namespace lacquer::origin {
namespace {

// Fields that change what an origin returns but are not part of the cache key: a client could
// poison the cache through them, so they never reach the origin (design: Hostile input).
// `Forwarded` (RFC 7239) from a client is as unkeyed as its X- cousins.
constexpr std::array<std::string_view, 14> kUnkeyedRewriters = {
    "X-Forwarded-Host",   "X-Original-URL",     "X-Rewrite-URL",      "X-HTTP-Method-Override",
    "X-Host",             "X-Forwarded-Server", "X-Forwarded-Scheme", "X-Forwarded-Proto",
    "X-HTTP-Method",      "X-Method-Override",  "Forwarded",          "X-Forwarded-Port",
    "X-Forwarded-Prefix", "X-Original-Host",
};

bool is_unkeyed_rewriter(std::string_view name) {
  for (auto f : kUnkeyedRewriters)
    if (http::iequals(name, f)) return true;
  return false;
}

}  // namespace

bool is_hop_field(std::span<const http::Header> headers, std::string_view name) noexcept {
  return http::is_hop_by_hop(name) || http::is_named_by_connection(headers, name);
}

std::size_t origin_request_bound(const ForwardRequest& req) noexcept {
  // Every client field at most once ("Name: value\r\n"), the client address twice (in
  // X-Forwarded-For and Forwarded), the scheme twice, and the fixed text around them: the
  // request line's " HTTP/1.1\r\n", "Host: ", the names of the fields we add, the IPv6
  // brackets, a Content-Length of up to 20 digits, "Connection: Upgrade", the site's added
  // fields, the blank line.
  constexpr std::size_t kFixed = 256;
  std::size_t n = kFixed + req.method.size() + req.target.size() + req.host.size() + 2 * req.client_ip.size() +
                  2 * req.proto.size() + req.via.size() + req.upgrade.size() + req.edits.add.size();
  for (const auto& h : req.headers) n += h.name.size() + h.value.size() + 4;
  return n;
}

void append_origin_request(std::string& out, const ForwardRequest& req) {
  out.reserve(out.size() + origin_request_bound(req));
  http::append_request_line(out, req.method, req.target);
  http::append_header(out, "Host", req.host);
  std::string_view prior_xff, prior_proto;
  for (const auto& h : req.headers) {
    if (is_hop_field(req.headers, h.name) || http::iequals(h.name, "Host") ||
        http::iequals(h.name, "Content-Length") || http::iequals(h.name, "Expect") ||
        http::drops(req.edits, h.name))
      continue;
    if (req.trusted_peer) {
      // A trusted proxy's view of the client; a proxy may send several fields, keep the last.
      if (http::iequals(h.name, "X-Forwarded-For")) {
        prior_xff = h.value;
        continue;
      }
      if (http::iequals(h.name, "X-Forwarded-Proto")) {
        prior_proto = h.value;
        continue;
      }
      if (http::iequals(h.name, "Forwarded")) {  // its elements go on, ours follows (§4)
        http::append_header(out, h.name, h.value);
        continue;
      }
    }
    if (http::iequals(h.name, "X-Forwarded-For") || is_unkeyed_rewriter(h.name)) continue;
    http::append_header(out, h.name, h.value);
  }
  if (!http::drops(req.edits, "X-Forwarded-For")) {
    if (prior_xff.empty()) {
      http::append_header(out, "X-Forwarded-For", req.client_ip);
    } else {
      out.append("X-Forwarded-For: ").append(prior_xff).append(", ").append(req.client_ip).append("\r\n");
    }
  }
  if (!http::drops(req.edits, "X-Forwarded-Proto")) {
    const bool theirs = prior_proto == "https" || prior_proto == "http";
    http::append_header(out, "X-Forwarded-Proto", theirs ? prior_proto : req.proto);
  }
  if (!http::drops(req.edits, "Forwarded")) {
    // RFC 7239 §6: an IPv6 address is bracketed and quoted. §5.4: proto is the scheme the
    // request reached us by.
    const bool v6 = req.client_ip.find(':') != std::string_view::npos;
    out.append("Forwarded: for=").append(v6 ? "\"[" : "").append(req.client_ip).append(v6 ? "]\"" : "");
    out.append(";proto=").append(req.proto).append("\r\n");
  }
  out.append(req.edits.add);
  http::append_header(out, "Via", req.via);
  if (req.has_body) http::append_header(out, "Content-Length", req.body_length);
  if (!req.upgrade.empty()) out.append("Connection: Upgrade\r\nUpgrade: ").append(req.upgrade).append("\r\n");
  out.append("\r\n");
}

}  // namespace lacquer::origin
