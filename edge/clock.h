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
  // Milliseconds since the epoch, for what whole seconds are too coarse for (origin fetch times,
  // the early-refresh window). Agrees with now() to within a clock tick.
  virtual std::int64_t now_ms() const { return now() * 1000; }
};

class SystemClock final : public Clock {
 public:
  std::int64_t now() const override { return static_cast<std::int64_t>(std::time(nullptr)); }
  std::int64_t now_ms() const override {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
  }
};

}  // namespace lacquer::edge
