// The health of one origin server, as a pure state machine: it is fed probe results and
// request outcomes with the time they happened, and says whether the server may be used.
//
//  - Active probes (Varnish's .window/.threshold): the server is up while at least `threshold`
//    of the last `window` probes passed. It starts up (the window is full of passes), so a fresh
//    start serves at once; `threshold` failed probes in a row, at most, take it down.
//  - Passive ejection: `max_failures` connect errors or 5xx answers in a row eject it for a
//    back-off, doubled on each ejection that follows a re-admission without a success in between,
//    up to `max_backoff`. When the back-off ends the server is used again; one more failure
//    ejects it again at once, one success clears the record.
#pragma once

#include <cstdint>

#include "conf/sites.h"

namespace lacquer::origin {

class HealthState {
 public:
  HealthState(const conf::ProbeConfig& probe, const conf::PassiveHealthConfig& passive);

  // A reload changed the pool's probe or passive settings: the new ones apply from now on, and
  // what the server has shown so far (probe window, failures in a row, a running ejection)
  // stays, so a reload neither re-admits an ejected server nor forgets its failed probes.
  void reconfigure(const conf::ProbeConfig& probe, const conf::PassiveHealthConfig& passive);

  void probe_result(bool passed);
  void request_failed(std::int64_t now_ms);  // a connect error, or a 5xx answer
  void request_succeeded();

  bool probe_up() const;                        // always true without probes
  bool ejected(std::int64_t now_ms) const { return now_ms < ejected_until_ms_; }
  bool usable(std::int64_t now_ms) const { return probe_up() && !ejected(now_ms); }
  std::int64_t ejected_until_ms() const { return ejected_until_ms_; }
  std::uint64_t ejections() const { return ejections_; }
  std::uint32_t passed_in_window() const;

 private:
  conf::ProbeConfig probe_;
  conf::PassiveHealthConfig passive_;
  std::uint64_t window_bits_ = ~0ull;  // bit 0 = the latest probe; 1 = passed
  std::uint32_t failures_in_row_ = 0;
  std::uint32_t backoff_ms_ = 0;       // the next ejection's length
  std::int64_t ejected_until_ms_ = 0;
  std::uint64_t ejections_ = 0;
};

}  // namespace lacquer::origin
