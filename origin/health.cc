#include "origin/health.h"

#include <algorithm>
#include <bit>

namespace lacquer::origin {

HealthState::HealthState(const conf::ProbeConfig& probe, const conf::PassiveHealthConfig& passive)
    : probe_(probe), passive_(passive), backoff_ms_(passive.backoff_ms) {}

void HealthState::reconfigure(const conf::ProbeConfig& probe, const conf::PassiveHealthConfig& passive) {
  if (!probe_.enabled && probe.enabled) window_bits_ = ~0ull;  // probes start as a fresh start does: up
  probe_ = probe;
  if (passive_ != passive) {
    passive_ = passive;
    failures_in_row_ = std::min(failures_in_row_, passive.max_failures == 0 ? 0 : passive.max_failures - 1);
    backoff_ms_ = std::clamp(backoff_ms_, passive.backoff_ms, std::max(passive.backoff_ms, passive.max_backoff_ms));
  }
}

void HealthState::probe_result(bool passed) { window_bits_ = (window_bits_ << 1) | (passed ? 1u : 0u); }

std::uint32_t HealthState::passed_in_window() const {
  const std::uint32_t window = std::clamp<std::uint32_t>(probe_.window, 1, 64);
  const std::uint64_t mask = window == 64 ? ~0ull : ((1ull << window) - 1);
  return static_cast<std::uint32_t>(std::popcount(window_bits_ & mask));
}

bool HealthState::probe_up() const { return !probe_.enabled || passed_in_window() >= probe_.threshold; }

void HealthState::request_failed(std::int64_t now_ms) {
  if (passive_.max_failures == 0 || ejected(now_ms)) return;  // failures of requests already under way
  if (++failures_in_row_ < passive_.max_failures) return;
  ejected_until_ms_ = now_ms + backoff_ms_;
  ++ejections_;
  backoff_ms_ = std::min<std::uint32_t>(passive_.max_backoff_ms, backoff_ms_ > passive_.max_backoff_ms / 2
                                                                     ? passive_.max_backoff_ms
                                                                     : backoff_ms_ * 2);
  failures_in_row_ = passive_.max_failures - 1;  // on probation: one more failure ejects again
}

void HealthState::request_succeeded() {
  failures_in_row_ = 0;
  backoff_ms_ = passive_.backoff_ms;
}

}  // namespace lacquer::origin
