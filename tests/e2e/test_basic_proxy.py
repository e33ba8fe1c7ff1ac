"""Forwarding: what lacquer sends to the origin and what it sends back to clients."""
import pytest

from lacq import VIA_RE, assert_fwd, build_request, cache_status, ok


def header_names(record):
    return [n.lower() for n, _ in record["headers"]]


def header(record, name):
    values = [v for n, v in record["headers"] if n.lower() == name.lower()]
    return values[0] if values else None


def test_forwards_method_target_and_end_to_end_headers(origin, lacquer, prefix):
    path = prefix + "/a?x=1&y=two"
    r = lacquer.get(path, [("Accept", "text/html"), ("X-Custom", "a b"), ("User-Agent", "t/1")])
    assert r.status == 200 and r.body == ("origin %s\n" % path).encode()
    [rec] = origin.requests(path)
    assert rec["method"] == "GET" and rec["target"] == path
    assert header(rec, "Accept") == "text/html"
    assert header(rec, "X-Custom") == "a b"
    assert header(rec, "User-Agent") == "t/1"
    assert header(rec, "Host").lower() == "example.com"


def test_adds_via_and_x_forwarded_for(origin, lacquer, prefix):
    lacquer.get(prefix + "/a")
    [rec] = origin.requests(prefix + "/a")
    assert "lacquer" in header(rec, "Via")
    assert header(rec, "X-Forwarded-For") == "127.0.0.1"


def test_drops_hop_by_hop_request_headers(origin, lacquer, prefix):
    lacquer.get(prefix + "/a", [
        ("Connection", "keep-alive, X-Hop"), ("X-Hop", "1"), ("Keep-Alive", "timeout=5"),
        ("TE", "trailers"), ("Trailer", "X-T"), ("Upgrade", "websocket"),
        ("Proxy-Authorization", "Basic Zm9vOmJhcg=="), ("Proxy-Connection", "keep-alive"),
        ("X-End", "kept")])
    [rec] = origin.requests(prefix + "/a")
    names = header_names(rec)
    for hop in ("x-hop", "keep-alive", "te", "trailer", "upgrade", "proxy-authorization",
                "proxy-connection"):
        assert hop not in names, "%s was forwarded: %r" % (hop, rec["headers"])
    conn = (header(rec, "Connection") or "").lower()
    assert "x-hop" not in conn
    assert header(rec, "X-End") == "kept"


def test_response_has_via(origin, lacquer, prefix):
    r = lacquer.get(prefix + "/a")
    assert VIA_RE.match(r.headers.get("Via", "")), r.headers


def test_drops_hop_by_hop_response_headers(origin, lacquer, prefix):
    origin.script(prefix + "/a", ok("body", headers=[
        ("Connection", "X-Secret"), ("X-Secret", "1"), ("Keep-Alive", "timeout=5, max=100"),
        ("X-Visible", "yes")]))
    for _ in range(2):  # the miss and the hit
        r = lacquer.get(prefix + "/a")
        assert r.status == 200 and r.body == b"body"
        assert "X-Secret" not in r.headers and "Keep-Alive" not in r.headers
        assert "x-secret" not in (r.headers.get("Connection") or "").lower()
        assert r.headers.get("X-Visible") == "yes"


def test_surrogate_headers_not_sent_to_clients(origin, lacquer, prefix):
    origin.script(prefix + "/a", ok("body", max_age=None, headers=[
        ("Cache-Control", "public, max-age=30"), ("Surrogate-Control", "max-age=600"),
        ("CDN-Cache-Control", "max-age=600"), ("Surrogate-Key", "k1 k2")]))
    for _ in range(2):
        r = lacquer.get(prefix + "/a")
        assert r.status == 200
        for name in ("Surrogate-Control", "Surrogate-Key"):
            assert name not in r.headers, r.headers
        # RFC 9213 §3: forwarded for downstream CDNs (forward_cdn_cache_control = true)
        assert r.headers.get("CDN-Cache-Control") == "max-age=600"
        assert r.headers.get("Cache-Control") == "public, max-age=30"


@pytest.mark.parametrize("method,body", [("POST", "data=1"), ("PUT", "put body"),
                                         ("DELETE", None), ("PATCH", "p"), ("FROBNICATE", "f")])
def test_unsafe_and_unknown_methods_pass_through_uncached(origin, lacquer, prefix, method, body):
    path = prefix + "/m"
    origin.script(path, ok("answer to " + method, max_age=3600))
    for i in range(2):
        r = lacquer.request(method, path, body=body)
        assert r.status == 200 and r.body == ("answer to " + method).encode()
        assert_fwd(r, "method")
        assert VIA_RE.match(r.headers.get("Via", ""))
    recs = origin.requests(path)
    assert [rec["method"] for rec in recs] == [method, method]
    assert all(rec["body"] == (body or "") for rec in recs)
    # Nothing was stored under the URL: a GET goes to the origin.
    r = lacquer.get(path)
    assert cache_status(r).get("fwd") == "miss"
    assert origin.count(path) == 3


def test_origin_connections_are_reused(origin, lacquer, prefix):
    with lacquer.conn() as c:
        for i in range(4):
            c.send(build_request("GET", "%s/k%d" % (prefix, i)))
            r = c.read_response()
            assert r.status == 200 and cache_status(r).get("fwd") == "miss"
    recs = [origin.requests("%s/k%d" % (prefix, i))[0] for i in range(4)]
    assert len({rec["conn"] for rec in recs}) == 1, [rec["conn"] for rec in recs]


def test_non_200_status_and_headers_pass_through(origin, lacquer, prefix):
    origin.script(prefix + "/nf", {"status": 404, "headers": [["X-Why", "gone"]], "body": "nope"})
    r = lacquer.get(prefix + "/nf")
    assert r.status == 404 and r.body == b"nope" and r.headers.get("X-Why") == "gone"
    assert_fwd(r, "miss")
