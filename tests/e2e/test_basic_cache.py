"""Foundation caching rules: what is stored, what a hit looks like, what the key is."""
import email.utils
import time

import pytest

from lacq import (VIA_RE, assert_not_served_complete, assert_stored_miss, assert_unstored_miss,
                  build_request, cache_status, hit_ttl, ok, wait_until)


def test_miss_then_hit(origin, lacquer, prefix):
    path = prefix + "/a"
    origin.script(path, ok("hello", max_age=100))
    r1 = lacquer.get(path)
    assert r1.status == 200 and r1.body == b"hello"
    assert_stored_miss(r1)
    assert VIA_RE.match(r1.headers.get("Via", ""))
    r2 = lacquer.get(path)
    assert r2.status == 200 and r2.body == b"hello"
    assert 98 <= hit_ttl(r2) <= 100
    assert 0 <= int(r2.headers["Age"]) <= 2
    assert r2.headers["X-Origin-Seq"] == r1.headers["X-Origin-Seq"]
    assert r2.headers.get("Cache-Control") == "public, max-age=100"
    assert VIA_RE.match(r2.headers.get("Via", ""))
    assert origin.count(path) == 1
    lacquer.expect_stat("lacquer_cache_hits_total", 1)
    lacquer.expect_stat("lacquer_cache_misses_total", 1)
    lacquer.expect_stat("lacquer_origin_fetches_total", 1)
    lacquer.expect_stat("lacquer_cache_objects", 1)


def expires_in(seconds):
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


@pytest.mark.parametrize("freshness", ["s-maxage", "max-age", "expires"])
def test_explicit_freshness_is_stored(origin, lacquer, prefix, freshness):
    path = prefix + "/f"
    headers = {"s-maxage": [["Cache-Control", "s-maxage=60"]],
               "max-age": [["Cache-Control", "max-age=60"]],
               "expires": [["Date", email.utils.formatdate(usegmt=True)],
                           ["Expires", expires_in(60)]]}[freshness]
    origin.script(path, {"status": 200, "headers": headers, "body": "fresh"})
    assert_stored_miss(lacquer.get(path))
    r = lacquer.get(path)
    assert r.body == b"fresh"
    assert 55 <= hit_ttl(r) <= 60
    assert "Age" in r.headers
    assert origin.count(path) == 1


def test_s_maxage_wins_over_max_age(origin, lacquer, prefix):
    path = prefix + "/s"
    origin.script(path, {"status": 200, "headers": [["Cache-Control", "max-age=10, s-maxage=500"]],
                         "body": "s"})
    lacquer.get(path)
    assert 495 <= hit_ttl(lacquer.get(path)) <= 500


def test_age_from_origin_reduces_ttl(origin, lacquer, prefix):
    path = prefix + "/age"
    origin.script(path, ok("aged", max_age=100, headers=[("Age", "30")]))
    lacquer.get(path)
    r = lacquer.get(path)
    assert 68 <= hit_ttl(r) <= 70
    assert 30 <= int(r.headers["Age"]) <= 32


@pytest.mark.parametrize("headers", [
    pytest.param([], id="no-freshness"),
    pytest.param([["Cache-Control", "no-store, max-age=60"]], id="no-store"),
    pytest.param([["Cache-Control", "private, max-age=60"]], id="private"),
    pytest.param([["Cache-Control", "max-age=60"], ["Set-Cookie", "sid=1"]], id="set-cookie"),
    pytest.param([["Cache-Control", "max-age=60"], ["Vary", "*"]], id="vary-star"),
    pytest.param([["Cache-Control", "max-age=0"]], id="max-age-0"),
])
def test_not_stored(origin, lacquer, prefix, headers):
    path = prefix + "/n"
    origin.script(path, {"status": 200, "headers": headers, "body": "b"})
    for _ in range(2):
        r = lacquer.get(path)
        assert r.status == 200 and r.body == b"b"
        assert_unstored_miss(r)
        assert VIA_RE.match(r.headers.get("Via", ""))
    assert origin.count(path) == 2
    lacquer.expect_stat("lacquer_cache_objects", 0)


def test_host_case_is_not_part_of_the_key(origin, lacquer, prefix):
    path = prefix + "/h"
    assert_stored_miss(lacquer.get(path, host="EXAMPLE.com"))
    r = lacquer.get(path, host="example.com")
    hit_ttl(r)
    assert origin.count(path) == 1


def test_host_is_part_of_the_key(origin, lacquer, prefix):
    path = prefix + "/h"
    lacquer.get(path, host="one.example")
    r = lacquer.get(path, host="two.example")
    assert_stored_miss(r)
    assert [rec["target"] for rec in origin.requests(path)] == [path, path]


def test_query_is_part_of_the_key(origin, lacquer, prefix):
    a, b = prefix + "/q?v=1", prefix + "/q?v=2"
    assert_stored_miss(lacquer.get(a))
    assert_stored_miss(lacquer.get(b))
    ra, rb = lacquer.get(a), lacquer.get(b)
    hit_ttl(ra)
    hit_ttl(rb)
    assert ra.body == ("origin %s\n" % a).encode() and rb.body == ("origin %s\n" % b).encode()
    assert origin.count(a) == 1 and origin.count(b) == 1


def test_head_answered_from_stored_get(origin, lacquer, prefix):
    path = prefix + "/head"
    body = lacquer.get(path).body
    r = lacquer.request("HEAD", path)
    assert r.status == 200 and r.body == b""
    assert int(r.headers["Content-Length"]) == len(body)
    hit_ttl(r)
    assert "Age" in r.headers
    assert [rec["method"] for rec in origin.requests(path)] == ["GET"]


def test_head_on_keep_alive_connection_has_no_body(origin, lacquer, prefix):
    path = prefix + "/head"
    lacquer.get(path)
    with lacquer.conn() as c:
        c.send(build_request("HEAD", path) + build_request("GET", path))
        head, full = c.read_response("HEAD"), c.read_response("GET")
    assert head.status == 200 and full.status == 200
    assert full.body == ("origin %s\n" % path).encode()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_truncated_origin_body_is_not_stored_nor_completed(origin, lacquer, prefix, chunked):
    path = prefix + "/trunc"
    origin.script(path, ok(max_age=3600, body="y" * 50000, chunked=chunked, truncate_after=2000))
    assert_not_served_complete(lacquer, path)
    origin.script(path, ok("whole", max_age=3600))
    r = lacquer.get(path)
    assert r.status == 200 and r.body == b"whole" and r.complete
    assert origin.count(path) == 2
    assert lacquer.get(path).body == b"whole"
    assert origin.count(path) == 2


def test_chunked_origin_response_is_stored(origin, lacquer, prefix):
    path = prefix + "/ch"
    origin.script(path, ok(max_age=60, chunked=True, chunks=["abc", "def", "g" * 10000]))
    want = b"abcdef" + b"g" * 10000
    r1 = lacquer.get(path)
    assert r1.body == want and r1.complete
    assert_stored_miss(r1)
    r2 = lacquer.get(path)
    assert r2.body == want and r2.complete
    hit_ttl(r2)
    assert origin.count(path) == 1


def test_large_object_hit(origin, lacquer, prefix):
    path = prefix + "/bytes/1048576"
    origin.script(path, ok(max_age=60, body_size=1 << 20))
    assert lacquer.get(path).body == b"x" * (1 << 20)
    r = lacquer.get(path)
    assert r.body == b"x" * (1 << 20)
    hit_ttl(r)
    assert origin.count(path) == 1


def test_entry_expires(origin, lacquer, prefix):
    path = prefix + "/short"
    origin.script(path, ok("short-lived", max_age=1))
    first = lacquer.get(path)
    assert_stored_miss(first)
    seen = []

    def refetched():
        r = lacquer.get(path)
        seen.append(r.headers.get("Cache-Status"))
        return "hit" not in cache_status(r) and r
    r = wait_until(refetched, deadline=5, interval=0.1, message="the entry to expire")
    p = cache_status(r)  # RFC 9211: fwd=stale when an expired copy was held, miss if dropped
    assert p.get("fwd") in ("stale", "miss") and p.get("stored") is True, seen
    assert r.headers["X-Origin-Seq"] != first.headers["X-Origin-Seq"]
    assert origin.count(path) == 2, seen
