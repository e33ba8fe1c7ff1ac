// Two tiny helpers the request state machine uses on every response.
#pragma once

#include <charconv>
#include <cstdint>
#include <ctime>
#include <string>

namespace lacquer::edge {

// The edge reads the clock; everything in http/ and purge/ takes time as a parameter.
inline std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

inline void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace lacquer::edge
