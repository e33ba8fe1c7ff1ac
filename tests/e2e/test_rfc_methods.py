"""HEAD from a stored GET, invalidation by unsafe methods (RFC 9111 §4.4), and byte ranges
served from a stored full response (RFC 9110 §14)."""
import re

import pytest

from lacq import assert_stored_miss, build_request, cache_status, hit_ttl, ok


def test_head_miss_is_forwarded_as_head_and_stores_nothing(origin, lacquer, prefix):
    path = prefix + "/h"
    r = lacquer.request("HEAD", path)
    assert r.status == 200 and r.body == b""
    r2 = lacquer.get(path)
    assert r2.body == ("origin %s\n" % path).encode()
    assert "hit" not in cache_status(r2)
    assert [rec["method"] for rec in origin.requests(path)] == ["HEAD", "GET"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_successful_unsafe_method_invalidates_the_target(origin, lacquer, prefix, method):
    path = prefix + "/u"
    lacquer.get(path)
    hit_ttl(lacquer.get(path))
    r = lacquer.request(method, path, body=b"x")
    assert r.status == 200 and cache_status(r).get("fwd") == "method"
    assert_stored_miss(lacquer.get(path))
    lacquer.expect_stat("lacquer_cache_invalidations_total", 1)


def test_failed_unsafe_method_invalidates_nothing(origin, lacquer, prefix):
    path = prefix + "/f"
    lacquer.get(path)
    origin.script(path, {"status": 500, "body": "no"}, method="POST")
    assert lacquer.request("POST", path, body=b"x").status == 500
    hit_ttl(lacquer.get(path))


def test_location_and_content_location_same_origin_only(origin, lacquer, prefix):
    target, loc, cloc, other = (prefix + s for s in ("/post", "/loc", "/cloc", "/other"))
    for p in (loc, cloc, other):
        lacquer.get(p)
    origin.script(target, {"status": 201, "body": "", "headers": [
        ["Location", "http://example.com" + loc], ["Content-Location", cloc]]}, method="POST")
    origin.script(other, ok(max_age=3600))
    assert lacquer.request("POST", target, body=b"new").status == 201
    assert "hit" not in cache_status(lacquer.get(loc))
    assert "hit" not in cache_status(lacquer.get(cloc))
    hit_ttl(lacquer.get(other))
    # a Location on another host invalidates nothing here
    origin.script(target, {"status": 201, "body": "", "headers": [["Location", "http://elsewhere.example" + other]]},
                  method="POST")
    lacquer.request("POST", target, body=b"new")
    hit_ttl(lacquer.get(other))


BODY = "".join(chr(ord("a") + i % 26) for i in range(1000))


@pytest.fixture
def stored(origin, lacquer, prefix):
    path = prefix + "/r"
    origin.script(path, ok(BODY, max_age=300, headers=[("ETag", '"r1"'), ("Content-Type", "text/plain")]))
    lacquer.get(path)
    return path


@pytest.mark.parametrize("rng,first,last", [
    ("bytes=0-99", 0, 99), ("bytes=990-", 990, 999), ("bytes=-10", 990, 999), ("bytes=500-5000", 500, 999),
])
def test_single_range_from_stored_response(origin, lacquer, stored, rng, first, last):
    r = lacquer.get(stored, headers={"Range": rng})
    assert r.status == 206
    assert r.headers["Content-Range"] == "bytes %d-%d/1000" % (first, last)
    assert r.body == BODY[first:last + 1].encode()
    assert int(r.headers["Content-Length"]) == last - first + 1
    assert "hit" in cache_status(r)
    assert origin.count(stored) == 1


def test_multiple_ranges_are_multipart(origin, lacquer, stored):
    r = lacquer.get(stored, headers={"Range": "bytes=0-4, 10-14"})
    assert r.status == 206
    m = re.match(r"multipart/byteranges; boundary=(\S+)", r.headers["Content-Type"])
    assert m, r.headers["Content-Type"]
    boundary = m.group(1).strip('"').encode()
    parts = [p for p in r.body.split(b"--" + boundary) if p.strip() not in (b"", b"--")]
    assert len(parts) == 2
    assert b"Content-Range: bytes 0-4/1000" in parts[0] and parts[0].rstrip(b"\r\n").endswith(BODY[0:5].encode())
    assert b"Content-Range: bytes 10-14/1000" in parts[1] and parts[1].rstrip(b"\r\n").endswith(BODY[10:15].encode())
    assert int(r.headers["Content-Length"]) == len(r.body)


def test_unsatisfiable_range_is_416(origin, lacquer, stored):
    r = lacquer.get(stored, headers={"Range": "bytes=5000-6000"})
    assert r.status == 416
    assert r.headers["Content-Range"] == "bytes */1000"


def test_invalid_range_is_ignored(origin, lacquer, stored):
    r = lacquer.get(stored, headers={"Range": "lines=1-2"})
    assert r.status == 200 and r.body == BODY.encode()


@pytest.mark.parametrize("if_range,status", [('"r1"', 206), ('"other"', 200), ('W/"r1"', 200)])
def test_if_range(origin, lacquer, stored, if_range, status):
    r = lacquer.get(stored, headers={"Range": "bytes=0-9", "If-Range": if_range})
    assert r.status == status


def test_range_on_a_miss_fetches_and_stores_the_full_response(origin, lacquer, prefix):
    path = prefix + "/rm"
    origin.script(path, ok(BODY, max_age=300))
    r = lacquer.get(path, headers={"Range": "bytes=0-9"})
    # The miss asked the origin for the whole response (to store it) and passes it on whole:
    # RFC 9110 §14.2 lets a server ignore Range. The next request is answered from the store.
    assert r.status == 200 and r.body == BODY.encode()
    assert origin.requests(path)[0]["headers"] and all(n.lower() != "range" for n, _ in origin.requests(path)[0]["headers"])
    r2 = lacquer.get(path, headers={"Range": "bytes=0-9"})
    assert r2.status == 206 and r2.body == BODY[:10].encode()


def test_head_with_range_has_no_body(origin, lacquer, stored):
    with lacquer.conn() as c:
        c.send(build_request("HEAD", stored, {"Range": "bytes=0-9"}) + build_request("GET", stored))
        head, full = c.read_response("HEAD"), c.read_response("GET")
    assert head.status == 206 and head.body == b""
    assert full.status == 200 and full.body == BODY.encode()
