// The edge reads the clock; everything in http/, purge/ and cache/ takes time as a parameter.
#pragma once

#include <cstdint>
#include <ctime>

namespace lacquer::edge {

inline std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace lacquer::edge
