// The Cache-Status response field (RFC 9211) lacquer sends on every response:
//   Cache-Status: lacquer; hit; ttl=120
//   Cache-Status: lacquer; fwd=miss; fwd-status=200; stored; ttl=60
//   Cache-Status: lacquer; fwd=stale; fwd-status=304; stored; ttl=60
//   Cache-Status: lacquer; hit; collapsed; ttl=60
// and the per-response tail every answer from the cache or the origin ends with (Age, then
// Cache-Status), built on the stack so that a hit allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lacquer::http {

struct CacheStatus {
  bool hit = false;
  std::string_view fwd{};      // miss, stale, vary-miss, request, method ("" = none)
  int fwd_status = 0;          // the origin's status, when one came back
  bool stored = false;
  bool collapsed = false;      // answered from another request's origin fetch
  bool has_ttl = false;
  std::int64_t ttl = 0;        // remaining freshness; negative when served stale
  std::string_view detail{};
  // Appends "Cache-Status: lacquer; ...\r\n".
  void append_field(std::string& out) const;
};

// "Age: <age>\r\n" (when known) and the Cache-Status field line, in a fixed buffer. With the
// detail cut at 64 bytes (ours are short constants) the longest tail is about 200 bytes.
class ResponseTail {
 public:
  ResponseTail(std::optional<std::uint64_t> age, const CacheStatus& status);
  std::string_view view() const { return {buf_, len_}; }

 private:
  void put(std::string_view s);
  void put_number(std::uint64_t v);
  char buf_[256];
  std::size_t len_ = 0;
};

}  // namespace lacquer::http
