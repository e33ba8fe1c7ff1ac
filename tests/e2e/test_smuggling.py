"""Request smuggling and desync: malformed or ambiguous requests beyond test_bad_input.py
(RFC 9112 §2.2, §3, §5, §6.1-§6.3, §7.1, and the published CL.TE / TE.CL / TE.TE techniques).

Every rejected case is sent twice: alone, then with a good GET pipelined behind it. Each time the
exact status comes back with `Connection: close`, the connection is closed, nothing else is
answered, and the origin saw no request at all. Then a fresh connection is served normally.

Valid-but-odd cases (uppercase CHUNKED, chunk extensions, absolute-form, leading zeros, ...) are
served, and the origin sees exactly the normalised request: re-framed with Content-Length, the
host from the key, no trailers, nothing more.
"""
import pytest

from lacq import VIA_RE, build_request, cache_status

H = "Host: example.com\r\n"
CHUNKED = "Transfer-Encoding: chunked\r\n"


def post(fields, body=""):
    return "POST /t/smuggling/x HTTP/1.1\r\n" + H + fields + "\r\n" + body


def get_with(fields):
    return "GET /t/smuggling/x HTTP/1.1\r\n" + H + fields + "\r\n"


def line(request_line, fields=H):
    return request_line + "\r\n" + fields + "\r\n"


# (id, status, raw request). A smuggled second request sits in the body of several of them: if
# it were ever parsed, the origin would see it.
SMUGGLED = "GET /t/smuggling/SMUGGLED HTTP/1.1\r\n" + H + "\r\n"
REJECTED = [
    # --- CL.TE / TE.CL with an obfuscated Transfer-Encoding (the front end sees only one) ---
    ("cl-te-space-before-colon", 400,
     post("Content-Length: 6\r\nTransfer-Encoding : chunked\r\n", "0\r\n\r\nG")),
    ("te-cl-xchunked", 400,
     post("Transfer-Encoding: xchunked\r\nContent-Length: 4\r\n", "5c\r\n" + SMUGGLED)),
    ("te-cl-te-first-line-only", 400,
     post("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", "0\r\n\r\n" + SMUGGLED)),
    # --- TE.TE: two Transfer-Encoding readings ---
    ("te-xchunked", 400, post("Transfer-Encoding: xchunked\r\n", "0\r\n\r\n")),
    ("te-chunked-identity", 400, post("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n")),
    ("te-identity-chunked", 501, post("Transfer-Encoding: identity, chunked\r\n", "0\r\n\r\n")),
    ("te-duplicate-lines", 400, post(CHUNKED + CHUNKED, "0\r\n\r\n")),
    ("te-chunked-then-other-line", 400,
     post("Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n", "0\r\n\r\n")),
    ("te-vtab-before-value", 400, post("Transfer-Encoding: \x0bchunked\r\n", "0\r\n\r\n")),
    ("te-vtab-after-value", 400, post("Transfer-Encoding: chunked\x0b\r\n", "0\r\n\r\n")),
    ("te-formfeed-in-value", 400, post("Transfer-Encoding: \x0cchunked\r\n", "0\r\n\r\n")),
    ("te-obs-fold", 400, post("Transfer-Encoding:\r\n chunked\r\n", "0\r\n\r\n")),
    ("te-quoted", 400, post('Transfer-Encoding: "chunked"\r\n', "0\r\n\r\n")),
    ("te-empty", 400, post("Transfer-Encoding: \r\n", "0\r\n\r\n")),
    ("te-only-commas", 400, post("Transfer-Encoding: , ,\r\n", "0\r\n\r\n")),
    ("te-name-nul", 400, post("Transfer-Encoding\x00: chunked\r\n", "0\r\n\r\n")),
    ("te-name-high-byte", 400, post("Transfer-Encodin\xe7: chunked\r\n", "0\r\n\r\n")),
    ("te-semicolon-param", 400, post("Transfer-Encoding: chunked;q=1\r\n", "0\r\n\r\n")),
    # --- Content-Length ---
    ("cl-negative", 400, post("Content-Length: -1\r\n", "hello")),
    ("cl-hex", 400, post("Content-Length: 0x5\r\n", "hello")),
    ("cl-decimal-point", 400, post("Content-Length: 5.0\r\n", "hello")),
    ("cl-space-inside", 400, post("Content-Length: 1 0\r\n", "helloworld")),
    ("cl-empty", 400, post("Content-Length: \r\n", "hello")),
    ("cl-list-equal-values", 400, post("Content-Length: 5, 5\r\n", "hello")),
    ("cl-lines-equal-values", 400, post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello")),
    ("cl-list-differing", 400, post("Content-Length: 5,50\r\n", "hello")),
    ("cl-overflow", 400, post("Content-Length: 18446744073709551616\r\n", "hello")),
    ("cl-over-body-limit", 413, post("Content-Length: 16777217\r\n", "hello")),
    # --- chunked bodies ---
    ("chunk-ext-too-long", 400, post(CHUNKED, "3;" + "a" * 5000 + "\r\nabc\r\n0\r\n\r\n")),
    ("chunk-ext-ctl", 400, post(CHUNKED, "3;a\x01b\r\nabc\r\n0\r\n\r\n")),
    ("chunk-ext-bare-lf", 400, post(CHUNKED, "3;ext\nabc\r\n0\r\n\r\n" + SMUGGLED)),
    ("chunk-size-bare-cr", 400, post(CHUNKED, "3\rabc\r\n0\r\n\r\n")),
    ("chunk-size-17-hex-digits", 400, post(CHUNKED, "00000000000000003\r\nabc\r\n0\r\n\r\n")),
    ("chunk-size-hex-overflow", 400, post(CHUNKED, "10000000000000000\r\nabc\r\n0\r\n\r\n")),
    ("chunk-size-over-body-limit", 413, post(CHUNKED, "7fffffffffffffff\r\nabc")),
    ("chunk-size-0x-prefix", 400, post(CHUNKED, "0x3\r\nabc\r\n0\r\n\r\n")),
    ("chunk-size-negative", 400, post(CHUNKED, "-3\r\nabc\r\n0\r\n\r\n")),
    ("chunk-size-trailing-space", 400, post(CHUNKED, "3 \r\nabc\r\n0\r\n\r\n")),
    ("chunk-size-leading-space", 400, post(CHUNKED, " 3\r\nabc\r\n0\r\n\r\n")),
    ("chunk-size-empty", 400, post(CHUNKED, "\r\nabc\r\n0\r\n\r\n")),
    ("chunk-data-missing-crlf", 400, post(CHUNKED, "3\r\nabc0\r\n\r\n" + SMUGGLED)),
    ("chunk-data-bare-lf", 400, post(CHUNKED, "3\r\nabc\n0\r\n\r\n")),
    ("chunk-data-longer-than-size", 400, post(CHUNKED, "3\r\nabcd\r\n0\r\n\r\n")),
    ("last-chunk-bare-lf", 400, post(CHUNKED, "0\n\r\n" + SMUGGLED)),
    ("trailer-bare-lf", 400, post(CHUNKED, "0\r\nX-T: v\n\r\n")),
    ("trailer-obs-fold", 400, post(CHUNKED, "0\r\nX-T: v\r\n w\r\n\r\n")),
    ("trailer-no-colon", 400, post(CHUNKED, "0\r\nX-T v\r\n\r\n")),
    # --- bare CR / LF in the head ---
    ("head-bare-lf-after-request-line", 400, "GET /t/smuggling/x HTTP/1.1\n" + H + "\r\n"),
    ("head-bare-lf-after-field", 400, "GET /t/smuggling/x HTTP/1.1\r\nHost: example.com\n\r\n"),
    ("head-bare-lf-terminator", 400, "GET /t/smuggling/x HTTP/1.1\r\n" + H + "\n"),
    ("head-bare-cr-in-request-line", 400, line("GET /t/smuggling/x\r HTTP/1.1")),
    # --- header-name tricks ---
    ("name-nul", 400, get_with("X-A\x00B: v\r\n")),
    ("name-high-byte", 400, get_with("X-\xe9: v\r\n")),
    ("name-empty", 400, get_with(": v\r\n")),
    ("name-inner-space", 400, get_with("X A: v\r\n")),
    ("name-no-colon", 400, get_with("X-A v\r\n")),
    ("first-field-indented", 400, "GET /t/smuggling/x HTTP/1.1\r\n " + H + "\r\n"),
    ("content-length-name-space-before-colon", 400, post("Content-Length : 5\r\n", "hello")),
    # --- request-line tricks ---
    ("double-space-after-method", 400, line("GET  /t/smuggling/x HTTP/1.1")),
    ("double-space-before-version", 400, line("GET /t/smuggling/x  HTTP/1.1")),
    ("trailing-space", 400, line("GET /t/smuggling/x HTTP/1.1 ")),
    ("leading-space", 400, line(" GET /t/smuggling/x HTTP/1.1")),
    ("tab-separator", 400, line("GET\t/t/smuggling/x HTTP/1.1")),
    ("missing-version", 400, line("GET /t/smuggling/x")),
    ("http-1.2", 505, line("GET /t/smuggling/x HTTP/1.2")),
    ("http-2.0-over-h1", 505, line("GET /t/smuggling/x HTTP/2.0")),
    # The HTTP/2 preface at the start of a connection is HTTP/2 with prior knowledge; after a
    # request it is still a 505 (tests/e2e/test_http2.py::test_preface_only_at_connection_start).
    ("very-long-method", 414, line("A" * 9000 + " /t/smuggling/x HTTP/1.1")),
    ("fragment-in-target", 400, line("GET /t/smuggling/x#frag HTTP/1.1")),
    ("high-byte-in-target", 400, line("GET /t/smuggling/\xff HTTP/1.1")),
    ("nul-in-target", 400, line("GET /t/smuggling/\x00 HTTP/1.1")),
    ("backslash-target", 400, line("GET \\t\\smuggling HTTP/1.1")),
    ("asterisk-form-on-get", 400, line("GET * HTTP/1.1")),
    ("authority-form-on-get", 400, line("GET example.com:80 HTTP/1.1")),
    ("absolute-form-userinfo", 400, line("GET http://user:pw@example.com/t/smuggling/x HTTP/1.1")),
    ("absolute-form-https", 400, line("GET https://example.com/t/smuggling/x HTTP/1.1")),
    ("absolute-form-no-authority", 400, line("GET http:/t/smuggling/x HTTP/1.1")),
    ("connect-method", 501, line("CONNECT example.com:443 HTTP/1.1")),
    # --- Host tricks ---
    ("host-userinfo", 400, line("GET /t/smuggling/x HTTP/1.1", "Host: evil@example.com\r\n")),
    ("host-empty-on-1.1", 400, line("GET /t/smuggling/x HTTP/1.1", "Host: \r\n")),
    ("host-bad-port", 400, line("GET /t/smuggling/x HTTP/1.1", "Host: example.com:8o\r\n")),
    ("host-port-out-of-range", 400, line("GET /t/smuggling/x HTTP/1.1",
                                         "Host: example.com:99999\r\n")),
    ("host-with-path", 400, line("GET /t/smuggling/x HTTP/1.1", "Host: example.com/evil\r\n")),
    ("host-with-space", 400, line("GET /t/smuggling/x HTTP/1.1", "Host: example.com evil\r\n")),
    ("host-twice-differing-case", 400, line("GET /t/smuggling/x HTTP/1.1",
                                            "Host: example.com\r\nhost: evil.example\r\n")),
]

# (id, raw request, [(method, target, host, body)] the origin must see, in order, and nothing
# else). Content-Length is what we re-frame the body with; Transfer-Encoding and trailers never
# reach the origin.
ACCEPTED = [
    ("te-uppercase-chunked", post("Transfer-Encoding: CHUNKED\r\n", "3\r\nabc\r\n0\r\n\r\n"),
     [("POST", "/t/smuggling/x", "example.com", "abc")]),
    ("te-tab-ows", post("Transfer-Encoding:\tchunked\t\r\n", "3\r\nabc\r\n0\r\n\r\n"),
     [("POST", "/t/smuggling/x", "example.com", "abc")]),
    ("chunk-ext-token", post(CHUNKED, "3;name=value\r\nabc\r\n0;last\r\n\r\n"),
     [("POST", "/t/smuggling/x", "example.com", "abc")]),
    ("chunk-ext-quoted", post(CHUNKED, '3;name="a b;c"\r\nabc\r\n0\r\n\r\n'),
     [("POST", "/t/smuggling/x", "example.com", "abc")]),
    ("chunk-size-leading-zeros", post(CHUNKED, "0003\r\nabc\r\n000\r\n\r\n"),
     [("POST", "/t/smuggling/x", "example.com", "abc")]),
    ("chunk-size-uppercase-hex", post(CHUNKED, "A\r\n0123456789\r\n0\r\n\r\n"),
     [("POST", "/t/smuggling/x", "example.com", "0123456789")]),
    ("trailer-fields-dropped", post(CHUNKED, "3\r\nabc\r\n0\r\nX-Trailer: v\r\n\r\n"),
     [("POST", "/t/smuggling/x", "example.com", "abc")]),
    ("cl-leading-zeros", post("Content-Length: 005\r\n", "hello"),
     [("POST", "/t/smuggling/x", "example.com", "hello")]),
    ("cl-ows", post("Content-Length:  5 \r\n", "hello"),
     [("POST", "/t/smuggling/x", "example.com", "hello")]),
    ("absolute-form-other-host", line("GET http://other.example/t/smuggling/abs HTTP/1.1"),
     [("GET", "/t/smuggling/abs", "other.example", "")]),
    ("absolute-form-case-and-port",
     line("GET HTTP://Other.EXAMPLE:80/t/smuggling/abs2?q=%2f HTTP/1.1"),
     [("GET", "/t/smuggling/abs2?q=%2F", "other.example", "")]),
    ("host-case-default-port", line("GET /t/smuggling/hp HTTP/1.1", "Host: EXAMPLE.com:80\r\n"),
     [("GET", "/t/smuggling/hp", "example.com", "")]),
    ("lowercase-method-is-unknown", line("get /t/smuggling/lower HTTP/1.1"),
     [("get", "/t/smuggling/lower", "example.com", "")]),
    ("leading-empty-line", "\r\n" + line("GET /t/smuggling/lead HTTP/1.1"),
     [("GET", "/t/smuggling/lead", "example.com", "")]),
]


def check_error(r, status):
    assert r.status == status, r
    assert "close" in r.headers.get("Connection", "").lower(), r.headers
    assert VIA_RE.match(r.headers.get("Via", "")), r.headers
    params = cache_status(r)
    assert "hit" not in params and "stored" not in params and "fwd" not in params, params


def good(name, what):
    return build_request("GET", "/t/smuggling/%s/%s" % (name, what))


@pytest.mark.parametrize("name,status,raw", REJECTED, ids=[c[0] for c in REJECTED])
def test_rejected(stack, name, status, raw):
    origin, lacquer = stack
    raw = raw.encode("latin-1")
    # Alone: the error comes without waiting for more bytes, and the connection closes.
    with lacquer.conn() as c:
        c.send(raw)
        check_error(c.read_response(), status)
        assert c.wait_closed() == b""
    # With a good GET pipelined behind it: only the error comes back.
    with lacquer.conn() as c:
        c.send(raw + good(name, "pipelined"))
        check_error(c.read_response(), status)
        extra = c.wait_closed()
        assert extra == b"", "something was answered after the bad request: %r" % extra
    assert origin.count() == 0, origin.requests()
    # Everyone else is still served.
    after = "/t/smuggling/%s/after" % name
    with lacquer.conn() as c:
        c.send(build_request("GET", after))
        r = c.read_response()
        assert r.status == 200 and r.body == ("origin %s\n" % after).encode()
    assert [rec["target"] for rec in origin.requests()] == [after]


def normalised(rec):
    """What the origin saw, reduced to what the table names; checks the framing on the way."""
    names = [n.lower() for n, _ in rec["headers"]]
    assert "transfer-encoding" not in names and "x-trailer" not in names, rec
    assert names.count("host") == 1, rec
    if rec["body"]:
        assert [v for n, v in rec["headers"] if n.lower() == "content-length"] == \
            [str(len(rec["body"]))], rec
    host = [v for n, v in rec["headers"] if n.lower() == "host"][0]
    return (rec["method"], rec["target"], host, rec["body"])


@pytest.mark.parametrize("name,raw,expected", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_accepted_as_normalised(stack, name, raw, expected):
    origin, lacquer = stack
    pipelined = good(name, "pipelined")
    with lacquer.conn() as c:
        c.send(raw.encode("latin-1") + pipelined)
        first = c.read_response("HEAD" if raw.startswith("HEAD") else "GET")
        second = c.read_response()
        assert c.is_open(0.2), "the connection was closed after a valid request"
    if expected:
        assert first.status == 200, first
    else:
        assert first.status == 400 and "close" not in first.headers.get("Connection", ""), first
    assert second.status == 200 and second.body == (
        "origin /t/smuggling/%s/pipelined\n" % name).encode(), second
    seen = [normalised(rec) for rec in origin.requests()]
    assert seen == expected + [("GET", "/t/smuggling/%s/pipelined" % name, "example.com", "")]
