"""Failing origins, beyond test_origin_errors.py: an origin that comes up late, bodies cut short
by a clean close (Content-Length and chunked), a stalled body, more kinds of garbage, bytes past
the end of a response, a pooled connection that dies under a request, a 5xx storm.

For each: the status the client gets, nothing partial stored (the next request reaches the origin
again and is then a hit), and the pool recovers (the following request is served)."""
import socket
import threading

import pytest

from lacq import (VIA_RE, Origin, assert_fwd, assert_not_served_complete, assert_stored_miss,
                  build_request, cache_status, ok)

READ_TIMEOUT = '[origin]\nread_timeout = "500ms"\n'


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def is_hit(r):
    return cache_status(r).get("hit") is True


def assert_nothing_stored_and_recovers(origin, lacquer, path):
    """The next request is a miss that reaches the origin (nothing of the failure was stored),
    is served whole, and the one after it is a hit."""
    before = origin.count(path)
    origin.script(path, ok("recovered", max_age=3600))
    r = lacquer.get(path)
    assert r.status == 200 and r.body == b"recovered", r
    assert_stored_miss(r)
    assert origin.count(path) == before + 1
    r = lacquer.get(path)
    assert is_hit(r) and r.body == b"recovered", r
    assert origin.count(path) == before + 1


def test_refused_until_the_origin_comes_up(start_lacquer, prefix, request):
    port = free_port()
    lacquer = start_lacquer(port)
    path = prefix + "/a"
    for _ in range(3):
        r = lacquer.get(path)
        assert r.status == 502 and VIA_RE.match(r.headers.get("Via", "")), r
        assert_fwd(r, "miss")
    late = Origin(port=port)
    request.node._origin_proc = late
    try:
        r = lacquer.get(path)
        assert r.status == 200 and r.body == ("origin %s\n" % path).encode(), r
        assert_stored_miss(r)
        assert is_hit(lacquer.get(path))
        assert late.count(path) == 1
    finally:
        late.stop()


# --- the body ends early ------------------------------------------------------------------------

CUT_BODIES = [
    pytest.param(ok(max_age=3600, body_size=100000, truncate_after=50000), id="cl-fin-mid-body"),
    pytest.param(ok(max_age=3600, body_size=100000, truncate_after=0), id="cl-fin-after-head"),
    pytest.param(ok(max_age=3600, body_size=100000, body_delay_ms=100, truncate_after=99999),
                 id="cl-one-byte-short"),
    pytest.param(ok(max_age=3600, chunked=True, chunks=["aaaa", "bbbb", "cccc"],
                    truncate_after=8), id="chunked-no-last-chunk"),
    pytest.param(ok(max_age=3600, chunked=True, chunks=["aaaa", "bbbb"], body_delay_ms=100,
                    truncate_after=0), id="chunked-fin-after-head"),
    pytest.param(ok(max_age=3600, chunked=True, chunks=["a" * 50000, "b" * 50000],
                    reset="mid_body"), id="chunked-reset-mid-body"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n4\r\naaaa\r\n0\r\n"},
                 id="chunked-fin-before-final-crlf"),
]


@pytest.mark.parametrize("step", CUT_BODIES)
def test_body_cut_short(origin, lacquer, prefix, step):
    path = prefix + "/cut"
    origin.script(path, step)
    assert_not_served_complete(lacquer, path)
    lacquer.expect_stat("lacquer_origin_errors_total", lambda v: v >= 1)
    lacquer.expect_stat("lacquer_cache_stored_total", 0)
    assert_nothing_stored_and_recovers(origin, lacquer, path)


def test_stalled_body_hits_the_read_timeout(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, config_text=READ_TIMEOUT)
    path = prefix + "/stall"
    origin.script(path, ok(max_age=3600, body_size=1000, body_delay_ms=3000))
    assert_not_served_complete(lacquer, path)
    lacquer.expect_stat("lacquer_origin_errors_total", lambda v: v >= 1)
    assert_nothing_stored_and_recovers(origin, lacquer, path)


# --- garbage ------------------------------------------------------------------------------------

GARBAGE = [
    pytest.param({"raw": "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + "\x00" * 40},
                 id="tls-handshake"),
    pytest.param({"raw": "hello, I am not HTTP\n"}, id="plain-text-then-close"),
    pytest.param({"raw": "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello"}, id="bare-lf-lines"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                         "\r\n5\r\nhello\r\n0\r\n\r\n"}, id="cl-and-te"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello"}, id="negative-cl"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nhello"},
                 id="unknown-coding"),
    pytest.param({"raw": "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"},
                 id="unasked-upgrade"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\n" + "X-Pad: %s\r\n" % ("p" * 4000) * 10
                         + "Content-Length: 5\r\n\r\nhello"}, id="oversized-head"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\nX-A: b\x00c\r\nContent-Length: 5\r\n\r\nhello"},
                 id="nul-in-field"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 5\r\n"},
                 id="fin-inside-head"),
]


@pytest.mark.parametrize("step", GARBAGE)
def test_garbage_is_502(origin, lacquer, prefix, step):
    path = prefix + "/g"
    origin.script(path, step)
    r = lacquer.get(path)
    assert r.status == 502 and r.complete, r
    assert VIA_RE.match(r.headers.get("Via", ""))
    assert_fwd(r, "miss")
    assert_nothing_stored_and_recovers(origin, lacquer, path)


def test_bytes_past_the_end_of_a_response_never_answer_another_request(origin, lacquer, prefix):
    """The origin sends a second, unasked-for response right behind the first on a keep-alive
    connection. If lacquer pooled that connection and read the leftover as the answer to the
    next request, it would store the attacker's response under another URL."""
    a, b = prefix + "/a", prefix + "/b"
    origin.script(a, {"raw": "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 5"
                             "\r\n\r\nhelloHTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\n"
                             "Content-Length: 4\r\n\r\nEVIL", "keep_open": True})
    with lacquer.conn() as c:  # one client connection: one worker, one pool
        c.send(build_request("GET", a))
        ra = c.read_response()
        c.send(build_request("GET", b))
        rb = c.read_response()
    assert ra.status == 200 and ra.body == b"hello", ra
    assert rb.status == 200 and rb.body == ("origin %s\n" % b).encode(), rb
    assert lacquer.get(b).body == ("origin %s\n" % b).encode()
    recs = origin.requests()
    assert [r["target"] for r in recs] == [a, b]
    assert recs[0]["conn"] != recs[1]["conn"], "the misframed connection was reused"


# --- a pooled connection that dies under a request --------------------------------------------

def test_pooled_connection_closed_under_a_get_is_retried_once(origin, lacquer, prefix):
    """The keep-alive race: the origin closes a pooled connection just as a request goes out on
    it, before answering. A GET is retried on a fresh connection."""
    warm, path = prefix + "/warm", prefix + "/k"
    origin.script(path, {"no_response": True}, ok("second try"))
    with lacquer.conn() as c:
        c.send(build_request("GET", warm))
        assert c.read_response().status == 200
        c.send(build_request("GET", path))
        r = c.read_response()
    assert r.status == 200 and r.body == b"second try", r
    recs = origin.requests()
    assert [x["target"] for x in recs] == [warm, path, path]
    assert recs[1]["conn"] == recs[0]["conn"] and recs[2]["conn"] != recs[1]["conn"]
    lacquer.expect_stat("lacquer_origin_retries_total", lambda v: v >= 1)


def test_pooled_connection_closed_under_a_post_is_not_replayed(origin, lacquer, prefix):
    """The same race with a POST: it may have had an effect, so it is never sent twice."""
    warm, path = prefix + "/warm", prefix + "/order"
    origin.script(path, {"no_response": True}, ok("second try"))
    with lacquer.conn() as c:
        c.send(build_request("GET", warm))
        assert c.read_response().status == 200
        c.send(build_request("POST", path, body="buy=1"))
        r = c.read_response("POST")
    assert r.status == 502, r
    assert origin.count(path) == 1
    # The pool recovers.
    r = lacquer.request("POST", path, body="buy=2")
    assert r.status == 200 and r.body == b"second try"
    assert [x["body"] for x in origin.requests(path)] == ["buy=1", "buy=2"]


# --- a 5xx storm --------------------------------------------------------------------------------

STORM = 50


def storm(lacquer, path, n=STORM):
    results = [None] * n

    def client(i):
        try:
            results[i] = lacquer.get(path)
        except Exception as e:  # noqa: BLE001 - asserted below
            results[i] = e
    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_5xx_storm_is_passed_on_and_never_stored(origin, lacquer, prefix):
    path = prefix + "/storm"
    # No explicit freshness: an origin in trouble says nothing (a 503 with max-age would be
    # storable per RFC 9111 §3, and lacquer would rightly keep it).
    origin.script(path, {"status": 503, "headers": [["Retry-After", "1"]], "body": "down"})
    results = storm(lacquer, path)
    bad = [r for r in results if not (getattr(r, "status", None) == 503 and r.body == b"down")]
    assert not bad, bad[:3]
    assert all("stored" not in cache_status(r) and not is_hit(r) for r in results)
    lacquer.expect_stat("lacquer_cache_stored_total", 0)
    assert 1 <= origin.count(path) <= STORM
    assert_nothing_stored_and_recovers(origin, lacquer, path)


def test_storm_of_misses_after_recovery_reaches_the_origin_once(origin, lacquer, prefix):
    path = prefix + "/cold"
    origin.script(path, ok("fresh", hold="open"))
    results = []
    t = threading.Thread(target=lambda: results.extend(storm(lacquer, path, 20)))
    t.start()
    try:
        lacquer.expect_stat("lacquer_cache_misses_total", lambda v: v >= 1)
    finally:
        origin.open("open")
        t.join(30)
    assert all(getattr(r, "status", None) == 200 and r.body == b"fresh" for r in results)
    assert origin.count(path) == 1
