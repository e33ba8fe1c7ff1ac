// The small pure rules the request engine and fetch jobs share: safe and cacheable methods,
// conditional fields, stale-if-error, request-driven refusals and revalidation errors.
#include <catch2/catch.hpp>

#include "http/request_class.h"
#include "http/stale_rules.h"
#include "http/store_outcome.h"

using namespace lacquer::http;

TEST_CASE("safe methods (RFC 9110 §9.2.1) and the methods the cache answers") {
  for (auto m : {"GET", "HEAD", "OPTIONS", "TRACE"}) CHECK(is_safe_method(m));
  for (auto m : {"POST", "PUT", "DELETE", "PATCH", "PURGE", "get"}) CHECK_FALSE(is_safe_method(m));
  CHECK(is_cacheable_method("GET"));
  CHECK(is_cacheable_method("HEAD"));
  CHECK_FALSE(is_cacheable_method("OPTIONS"));
  CHECK_FALSE(is_cacheable_method("POST"));
}

TEST_CASE("conditional fields: the preconditions of §13.1 and Range, in any case") {
  for (auto f : {"If-None-Match", "if-modified-since", "IF-MATCH", "If-Unmodified-Since", "If-Range", "range"})
    CHECK(is_conditional_field(f));
  for (auto f : {"If-Schedule-Tag-Match", "Accept-Ranges", "Content-Range", "Iff", "Host"})
    CHECK_FALSE(is_conditional_field(f));
}

TEST_CASE("stale-if-error: within the allowance, never for must-revalidate or no-cache") {
  StaleOnErrorInput s{.age = 70, .lifetime = 60, .stale_if_error = 10};
  CHECK(may_serve_stale_on_error(s));  // stale for 10 s: exactly the allowance
  s.age = 71;
  CHECK_FALSE(may_serve_stale_on_error(s));
  s.age = 30;
  CHECK(may_serve_stale_on_error(s));  // still fresh (a soft-purged entry)
  s.must_revalidate = true;
  CHECK_FALSE(may_serve_stale_on_error(s));
  s.must_revalidate = false;
  s.no_cache = true;
  CHECK_FALSE(may_serve_stale_on_error(s));
}

TEST_CASE("origin error statuses for stale-if-error are the 5xx") {
  CHECK(is_origin_error_status(500));
  CHECK(is_origin_error_status(503));
  CHECK(is_origin_error_status(599));
  CHECK_FALSE(is_origin_error_status(404));
  CHECK_FALSE(is_origin_error_status(200));
}

TEST_CASE("refusals driven by the request leave no hit-for-miss marker; those about the response do") {
  CHECK(is_request_driven(NoStoreReason::Authorization));
  CHECK(is_request_driven(NoStoreReason::RequestNoStore));
  CHECK(is_request_driven(NoStoreReason::TooLarge));
  CHECK_FALSE(is_request_driven(NoStoreReason::NoStoreDirective));
  CHECK_FALSE(is_request_driven(NoStoreReason::Private));
  CHECK_FALSE(is_request_driven(NoStoreReason::SetCookie));
}

TEST_CASE("a revalidation answered 5xx keeps the stale copy; other answers are judged as they are") {
  CHECK(revalidation_refusal(NoStoreReason::None, 503) == NoStoreReason::StatusNotCacheable);
  CHECK(revalidation_refusal(NoStoreReason::None, 200) == NoStoreReason::None);
  CHECK(revalidation_refusal(NoStoreReason::NoStoreDirective, 200) == NoStoreReason::NoStoreDirective);
}
