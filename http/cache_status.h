// The Cache-Status response field (RFC 9211) lacquer sends on every response:
//   Cache-Status: lacquer; hit; ttl=120
//   Cache-Status: lacquer; fwd=miss; fwd-status=200; stored; ttl=60
//   Cache-Status: lacquer; fwd=stale; fwd-status=304; stored; ttl=60
//   Cache-Status: lacquer; hit; collapsed; ttl=60
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lacquer::http {

struct CacheStatus {
  bool hit = false;
  std::string_view fwd{};      // miss, stale, vary-miss, request, method, uri-miss ("" = none)
  int fwd_status = 0;          // the origin's status, when one came back
  bool stored = false;
  bool collapsed = false;      // answered from another request's origin fetch
  bool has_ttl = false;
  std::int64_t ttl = 0;        // remaining freshness; negative when served stale
  std::string_view detail{};
  // Appends "Cache-Status: lacquer; ...\r\n".
  void append_field(std::string& out) const;
};

}  // namespace lacquer::http
