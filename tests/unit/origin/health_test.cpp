#include <catch2/catch.hpp>

#include "origin/health.h"

using namespace lacquer;
using origin::HealthState;

namespace {
conf::ProbeConfig probe(std::uint32_t window, std::uint32_t threshold) {
  conf::ProbeConfig p;
  p.enabled = true;
  p.window = window;
  p.threshold = threshold;
  return p;
}
}  // namespace

TEST_CASE("probes: up while threshold of the last window passed") {
  HealthState h(probe(5, 3), {});
  CHECK(h.probe_up());  // starts up
  h.probe_result(false);
  h.probe_result(false);
  CHECK(h.probe_up());  // 3 of 5 still passed
  h.probe_result(false);
  CHECK_FALSE(h.probe_up());
  CHECK(h.passed_in_window() == 2);
  h.probe_result(true);
  CHECK_FALSE(h.probe_up());  // 1 good of the last 4 + 1 old = 2
  h.probe_result(true);
  CHECK_FALSE(h.probe_up());  // T T F F F -> 2
  h.probe_result(true);
  CHECK(h.probe_up());  // T T T F F
}

TEST_CASE("no probes configured: always probe-up") {
  HealthState h(conf::ProbeConfig{}, {});
  for (int i = 0; i < 10; ++i) h.probe_result(false);
  CHECK(h.probe_up());
}

TEST_CASE("passive: ejected after max_failures in a row, for the back-off") {
  conf::PassiveHealthConfig p{.max_failures = 3, .backoff_ms = 1000, .max_backoff_ms = 4000};
  HealthState h({}, p);
  h.request_failed(100);
  h.request_failed(200);
  CHECK(h.usable(200));
  h.request_failed(300);
  CHECK_FALSE(h.usable(300));
  CHECK(h.ejected_until_ms() == 1300);
  CHECK(h.usable(1300));
  CHECK(h.ejections() == 1);
  // on probation: one more failure ejects again, for twice as long
  h.request_failed(1400);
  CHECK_FALSE(h.usable(1400));
  CHECK(h.ejected_until_ms() == 3400);
  h.request_failed(3500);
  CHECK(h.ejected_until_ms() == 7500);  // 4000: the cap
  h.request_failed(7600);
  CHECK(h.ejected_until_ms() == 11600);  // stays at the cap
}

TEST_CASE("passive: a success clears the record and the back-off") {
  conf::PassiveHealthConfig p{.max_failures = 2, .backoff_ms = 1000, .max_backoff_ms = 8000};
  HealthState h({}, p);
  h.request_failed(0);
  h.request_succeeded();
  h.request_failed(10);
  CHECK(h.usable(10));  // not two in a row
  h.request_failed(20);
  CHECK_FALSE(h.usable(20));
  h.request_succeeded();
  h.request_failed(2000);
  CHECK(h.usable(2000));
  h.request_failed(2001);
  CHECK(h.ejected_until_ms() == 3001);  // back-off back to its start
}

TEST_CASE("passive: failures while ejected do not lengthen the ejection; 0 turns it off") {
  conf::PassiveHealthConfig p{.max_failures = 1, .backoff_ms = 1000, .max_backoff_ms = 8000};
  HealthState h({}, p);
  h.request_failed(0);
  h.request_failed(500);
  CHECK(h.ejected_until_ms() == 1000);
  HealthState off({}, conf::PassiveHealthConfig{.max_failures = 0});
  for (int i = 0; i < 100; ++i) off.request_failed(i);
  CHECK(off.usable(100));
}

TEST_CASE("reconfigure keeps what the server has shown: an ejection, failed probes, failures in a row") {
  conf::PassiveHealthConfig passive;
  passive.max_failures = 2;
  passive.backoff_ms = 1000;
  HealthState h(probe(5, 3), passive);
  h.request_failed(0);
  h.request_failed(0);
  REQUIRE(h.ejected(500));
  h.probe_result(false);
  h.probe_result(false);
  h.probe_result(false);
  REQUIRE_FALSE(h.probe_up());
  // A reload raises the threshold of failures and changes the probe path: the ejection stands,
  // the probe window keeps its failures.
  conf::PassiveHealthConfig wider = passive;
  wider.max_failures = 5;
  conf::ProbeConfig other = probe(5, 3);
  other.path = "/health";
  h.reconfigure(other, wider);
  CHECK(h.ejected(500));
  CHECK(h.ejected_until_ms() == 1000);
  CHECK_FALSE(h.probe_up());
  CHECK(h.ejections() == 1);
  // Probes turned off: up as far as probes go; turned on again: a fresh window, as at start.
  h.reconfigure({}, wider);
  CHECK(h.probe_up());
  h.reconfigure(probe(5, 3), wider);
  CHECK(h.probe_up());
  CHECK(h.passed_in_window() == 5);
}
