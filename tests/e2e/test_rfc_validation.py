"""RFC 9111 §4.3 validation with the origin, and RFC 9110 §13 conditional requests answered
from the cache."""
import email.utils
import time

import pytest

from lacq import assert_stored_miss, cache_status, hit_ttl, ok, request_header


def http_date(offset=0):
    return email.utils.formatdate(time.time() + offset, usegmt=True)


def stale_on_arrival(body, validators, extra=()):
    """A response that is stored but already stale (Age beyond max-age)."""
    return ok(body, max_age=10, headers=[("Age", "20")] + list(validators) + list(extra))


def test_stale_entry_revalidated_with_etag_and_freshened_by_304(origin, lacquer, prefix):
    path = prefix + "/etag"
    origin.script(path, stale_on_arrival("body-v1", [("ETag", '"v1"'), ("X-Version", "1")]),
                  {"status": 304, "headers": [["ETag", '"v1"'], ["Cache-Control", "max-age=300"],
                                              ["X-Version", "2"]]})
    assert_stored_miss(lacquer.get(path))
    r = lacquer.get(path)
    p = cache_status(r)
    assert r.status == 200 and r.body == b"body-v1"
    assert p.get("fwd") == "stale" and p.get("fwd-status") == "304"
    assert r.headers.get("X-Version") == "2"  # §3.2: stored fields updated from the 304
    assert request_header(origin.requests(path)[1], "If-None-Match") == '"v1"'
    # the freshened entry is a hit now, with the 304's lifetime
    r3 = lacquer.get(path)
    assert 295 <= hit_ttl(r3) <= 300
    assert r3.body == b"body-v1" and r3.headers.get("X-Version") == "2"
    assert origin.count(path) == 2
    lacquer.expect_stat("lacquer_cache_revalidated_total", 1)


def test_last_modified_gives_if_modified_since(origin, lacquer, prefix):
    path = prefix + "/lm"
    lm = http_date(-3600)
    origin.script(path, stale_on_arrival("lm", [("Last-Modified", lm)]),
                  {"status": 304, "headers": [["Cache-Control", "max-age=60"]]})
    lacquer.get(path)
    r = lacquer.get(path)
    assert r.body == b"lm" and cache_status(r).get("fwd-status") == "304"
    assert request_header(origin.requests(path)[1], "If-Modified-Since") == lm


def test_revalidation_answered_200_replaces_the_entry(origin, lacquer, prefix):
    path = prefix + "/new"
    origin.script(path, stale_on_arrival("old", [("ETag", '"1"')]), ok("new", max_age=60, headers=[("ETag", '"2"')]))
    lacquer.get(path)
    r = lacquer.get(path)
    assert r.body == b"new" and cache_status(r).get("stored") is True
    assert lacquer.get(path).body == b"new"
    assert origin.count(path) == 2


def test_no_cache_response_is_revalidated_on_every_use(origin, lacquer, prefix):
    path = prefix + "/nc"
    origin.script(path, {"status": 200, "headers": [["Cache-Control", "no-cache"], ["ETag", '"n"']], "body": "nc"},
                  {"status": 304, "headers": [["ETag", '"n"'], ["Cache-Control", "no-cache"]]})
    lacquer.get(path)
    for i in range(3):
        r = lacquer.get(path)
        assert r.body == b"nc" and cache_status(r).get("fwd-status") == "304"
    assert origin.count(path) == 4


@pytest.mark.parametrize("cc", ["must-revalidate", "proxy-revalidate"])
def test_must_revalidate_never_serves_stale_when_origin_fails(origin, lacquer, prefix, cc):
    path = prefix + "/mr"
    origin.script(path, ok("mr", max_age=10, headers=[("Age", "20"), ("ETag", '"m"'),
                                                      ("Cache-Control", cc + ", stale-if-error=600")]),
                  {"reset": "before_head"})
    lacquer.get(path)
    r = lacquer.get(path)
    assert r.status in (502, 504) and r.body != b"mr"


@pytest.mark.parametrize("inm,status", [
    ('"a"', 304), ('W/"a"', 304), ('"x", "a"', 304), ("*", 304), ('"b"', 200), ('"x" , W/"a"', 304),
])
def test_client_if_none_match_from_cache(origin, lacquer, prefix, inm, status):
    path = prefix + "/inm"
    origin.script(path, ok("entity", max_age=60, headers=[("ETag", '"a"')]))
    lacquer.get(path)
    r = lacquer.get(path, headers={"If-None-Match": inm})
    assert r.status == status
    assert r.body == (b"" if status == 304 else b"entity")
    if status == 304:
        assert r.headers.get("ETag") == '"a"' and "hit" in cache_status(r)
    assert origin.count(path) == 1


def test_client_if_none_match_on_a_miss_is_answered_by_the_cache(origin, lacquer, prefix):
    path = prefix + "/inm-miss"
    origin.script(path, ok("entity", max_age=60, headers=[("ETag", '"a"')]))
    r = lacquer.get(path, headers={"If-None-Match": '"a"'})
    assert r.status == 304
    assert request_header(origin.requests(path)[0], "If-None-Match") is None  # the full response was fetched
    r2 = lacquer.get(path)
    assert r2.status == 200 and r2.body == b"entity"
    hit_ttl(r2)


@pytest.mark.parametrize("offset,status", [(0, 304), (3600, 304), (-7200, 200)])
def test_client_if_modified_since_from_cache(origin, lacquer, prefix, offset, status):
    path = prefix + "/ims"
    lm = time.time() - 3600
    origin.script(path, ok("lm", max_age=60, headers=[("Last-Modified", email.utils.formatdate(lm, usegmt=True))]))
    lacquer.get(path)
    r = lacquer.get(path, headers={"If-Modified-Since": email.utils.formatdate(lm + offset, usegmt=True)})
    assert r.status == status


def test_if_none_match_beats_if_modified_since(origin, lacquer, prefix):
    path = prefix + "/both"
    lm = http_date(-3600)
    origin.script(path, ok("b", max_age=60, headers=[("ETag", '"a"'), ("Last-Modified", lm)]))
    lacquer.get(path)
    r = lacquer.get(path, headers={"If-None-Match": '"zzz"', "If-Modified-Since": http_date()})
    assert r.status == 200 and r.body == b"b"


def test_if_match_failure_is_412(origin, lacquer, prefix):
    path = prefix + "/im"
    origin.script(path, ok("b", max_age=60, headers=[("ETag", '"a"')]))
    lacquer.get(path)
    assert lacquer.get(path, headers={"If-Match": '"other"'}).status == 412
    assert lacquer.get(path, headers={"If-Match": '"a"'}).status == 200
