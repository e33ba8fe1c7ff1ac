// The one place the edge reads the wall clock. Everything in http/, purge/ and cache/ takes time
// as a parameter; the request engine and fetch jobs take a Clock, so tests can set the time.
#pragma once

#include <cstdint>
#include <ctime>

namespace lacquer::edge {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now() const = 0;  // seconds since the epoch
};

class SystemClock final : public Clock {
 public:
  std::int64_t now() const override { return static_cast<std::int64_t>(std::time(nullptr)); }
};

}  // namespace lacquer::edge
