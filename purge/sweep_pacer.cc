#include "purge/sweep_pacer.h"

#include <algorithm>
#include <cmath>

namespace lacquer::purge {

SweepPacer::SweepPacer(double share, std::chrono::microseconds quantum) noexcept
    : share_(std::clamp(share, 0.001, 1.0)), quantum_(std::max(quantum, std::chrono::microseconds(0))) {}

std::chrono::microseconds SweepPacer::after_work(std::chrono::nanoseconds busy) noexcept {
  owed_ += std::max(busy, std::chrono::nanoseconds(0));
  if (owed_ < quantum_ || share_ >= 1.0) return std::chrono::microseconds(0);
  // busy / (busy + rest) = share  =>  rest = busy * (1 - share) / share
  const double rest_ns = static_cast<double>(owed_.count()) * (1.0 - share_) / share_;
  owed_ = std::chrono::nanoseconds(0);
  return std::chrono::microseconds(std::llround(rest_ns / 1000.0));
}

}  // namespace lacquer::purge
