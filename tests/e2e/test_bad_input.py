"""Hostile and malformed requests: reject, never repair (design.md, "Hostile input")."""
import pytest

from lacq import VIA_RE, build_request, cache_status

H = "Host: example.com\r\n"
GOOD = b"GET /t/bad_input/pipelined HTTP/1.1\r\nHost: example.com\r\n\r\n"

CASES = [
    ("cl-and-te", 400, "POST /x HTTP/1.1\r\n" + H + "Content-Length: 5\r\n"
     "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("te-and-cl", 400, "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n"
     "Content-Length: 5\r\n\r\n0\r\n\r\n"),
    ("two-content-lengths", 400, "POST /x HTTP/1.1\r\n" + H + "Content-Length: 5\r\n"
     "Content-Length: 6\r\n\r\nhello"),
    ("content-length-list", 400, "POST /x HTTP/1.1\r\n" + H + "Content-Length: 5, 6\r\n\r\nhello"),
    ("content-length-not-a-number", 400, "POST /x HTTP/1.1\r\n" + H + "Content-Length: +5\r\n\r\n"
     "hello"),
    ("chunked-not-last", 400, "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, gzip\r\n"
     "\r\n0\r\n\r\n"),
    ("te-without-chunked", 400, "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\n\r\n"),
    ("unknown-coding", 501, "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n"
     "\r\n0\r\n\r\n"),
    ("te-on-http10", 400, "POST /x HTTP/1.0\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
     "0\r\n\r\n"),
    ("obs-fold", 400, "GET /x HTTP/1.1\r\n" + H + "X-A: one\r\n two\r\n\r\n"),
    ("space-before-colon", 400, "GET /x HTTP/1.1\r\n" + H + "X-A : one\r\n\r\n"),
    ("tab-before-colon", 400, "GET /x HTTP/1.1\r\n" + H + "X-A\t: one\r\n\r\n"),
    ("bare-cr-in-value", 400, "GET /x HTTP/1.1\r\n" + H + "X-A: one\rtwo\r\n\r\n"),
    ("bare-cr-line-end", 400, "GET /x HTTP/1.1\r\n" + H + "X-A: one\rX-B: two\r\n\r\n"),
    ("nul-in-value", 400, "GET /x HTTP/1.1\r\n" + H + "X-A: on\x00e\r\n\r\n"),
    ("ctl-in-value", 400, "GET /x HTTP/1.1\r\n" + H + "X-A: on\x01e\r\n\r\n"),
    ("del-in-value", 400, "GET /x HTTP/1.1\r\n" + H + "X-A: on\x7fe\r\n\r\n"),
    ("non-token-name", 400, "GET /x HTTP/1.1\r\n" + H + "X(A): one\r\n\r\n"),
    ("invalid-chunk-size", 400, "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
     "zz\r\nabc\r\n0\r\n\r\n"),
    ("overflowing-chunk-size", 400, "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n"
     "\r\n" + "f" * 20 + "\r\nabc\r\n0\r\n\r\n"),
    ("bare-lf-in-chunk-line", 400, "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n"
     "\r\n3\nabc\r\n0\r\n\r\n"),
    ("request-line-too-long", 414, "GET /" + "a" * 9000 + " HTTP/1.1\r\n" + H + "\r\n"),
    ("header-section-too-large", 431, "GET /x HTTP/1.1\r\n" + H
     + "".join("X-Big-%d: %s\r\n" % (i, "v" * 7000) for i in range(5)) + "\r\n"),
    ("header-field-too-large", 431, "GET /x HTTP/1.1\r\n" + H + "X-Big: " + "v" * 9000 + "\r\n\r\n"),
    ("too-many-fields", 431, "GET /x HTTP/1.1\r\n" + H
     + "".join("X-F%d: v\r\n" % i for i in range(120)) + "\r\n"),
    ("no-host", 400, "GET /x HTTP/1.1\r\nX-A: one\r\n\r\n"),
    ("two-hosts", 400, "GET /x HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n"),
    ("invalid-method", 400, "GE(T /x HTTP/1.1\r\n" + H + "\r\n"),
    ("http-3.7", 505, "GET /x HTTP/3.7\r\n" + H + "\r\n"),
    ("garbage-request-line", 400, "hello there\r\n" + H + "\r\n"),
    ("lowercase-version", 400, "GET /x http/1.1\r\n" + H + "\r\n"),
]


@pytest.mark.parametrize("name,status,raw", CASES, ids=[c[0] for c in CASES])
def test_rejected(origin, lacquer, name, status, raw):
    with lacquer.conn() as c:
        c.send(raw.encode("latin-1") + GOOD)
        r = c.read_response()
        assert r.status == status, r
        assert "close" in r.headers.get("Connection", "").lower(), r.headers
        assert VIA_RE.match(r.headers.get("Via", "")), r.headers
        assert "hit" not in cache_status(r) and "stored" not in cache_status(r)
        extra = c.wait_closed()
        assert extra == b"", "something was answered after the bad request: %r" % extra
    assert origin.count() == 0, origin.requests()
    # The server is still fine for everyone else.
    with lacquer.conn() as c:
        c.send(build_request("GET", "/t/bad_input/after"))
        r = c.read_response()
        assert r.status == 200 and r.body == b"origin /t/bad_input/after\n"
    assert [rec["target"] for rec in origin.requests()] == ["/t/bad_input/after"]


def test_good_framing_accepted(origin, lacquer):
    """The control case for the table above: the same shapes, well formed, are served."""
    with lacquer.conn() as c:
        c.send("POST /ok HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        assert c.read_response().status == 200
        c.send("POST /ok HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\nhello")
        assert c.read_response().status == 200
        c.send("GET /ok HTTP/1.1\r\n" + H + "X-A: one two\t\r\n\r\n")
        assert c.read_response().status == 200
    assert [r["body"] for r in origin.requests("/ok")] == ["abc", "hello", ""]
