"""The HTTP/1.1 server side: keep-alive, pipelining, request bodies, 100-continue, timeouts."""
import threading

from lacq import build_request, ok, wait_until


def test_keep_alive(origin, lacquer, prefix):
    with lacquer.conn() as c:
        for i in range(3):
            c.send(build_request("GET", "%s/k%d" % (prefix, i)))
            r = c.read_response()
            assert r.status == 200 and r.body == ("origin %s/k%d\n" % (prefix, i)).encode()
            assert "close" not in r.headers.get("Connection", "").lower()
        assert c.is_open(0.2)


def test_pipelined_requests_answered_in_order(origin, lacquer, prefix):
    paths = ["%s/p%d" % (prefix, i) for i in (1, 2, 1, 3, 2)]
    with lacquer.conn() as c:
        c.send(b"".join(build_request("GET", p) for p in paths))
        rs = c.read_responses(len(paths))
    assert [r.body for r in rs] == [("origin %s\n" % p).encode() for p in paths]
    assert all(r.status == 200 for r in rs)


def test_pipelined_order_kept_when_first_is_slow(origin, lacquer, prefix):
    slow, fast = prefix + "/slow", prefix + "/fast"
    lacquer.get(fast)  # now a hit
    origin.script(slow, ok("slow", hold="b"))
    with lacquer.conn(timeout=10) as c:
        c.send(build_request("GET", slow) + build_request("GET", fast))
        wait_until(lambda: origin.count(slow) == 1, message="slow request at the origin")
        origin.open("b")
        r1, r2 = c.read_responses(2)
    assert (r1.body, r2.body) == (b"slow", ("origin %s\n" % fast).encode())


def test_pipelined_head_and_posts(origin, lacquer, prefix):
    p = prefix + "/x"
    with lacquer.conn() as c:
        c.send(build_request("POST", p, body="one") + build_request("HEAD", p)
               + build_request("POST", p, body="two") + build_request("GET", p))
        r = [c.read_response("POST"), c.read_response("HEAD"), c.read_response("POST"),
             c.read_response("GET")]
    assert [x.status for x in r] == [200] * 4
    assert r[1].body == b"" and r[3].body == ("origin %s\n" % p).encode()
    assert [rec["body"] for rec in origin.requests(p) if rec["method"] == "POST"] == ["one", "two"]


def test_chunked_request_body(origin, lacquer, prefix):
    p = prefix + "/up"
    with lacquer.conn() as c:
        c.send("POST %s HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5\r\nhello\r\n1;ext=v\r\n \r\n5\r\nworld\r\n0\r\n\r\n" % p)
        r = c.read_response()
        assert r.status == 200
        c.send(build_request("GET", prefix + "/after"))
        assert c.read_response().status == 200  # the body framing was consumed exactly
    [rec] = origin.requests(p)
    assert rec["body"] == "hello world"


def test_expect_100_continue(origin, lacquer, prefix):
    p = prefix + "/expect"
    with lacquer.conn() as c:
        c.send("POST %s HTTP/1.1\r\nHost: example.com\r\nContent-Length: 7\r\n"
               "Expect: 100-continue\r\n\r\n" % p)
        interim = c.read_response(interim=True)
        assert interim.status == 100 and interim.version == "HTTP/1.1"
        c.send("payload")
        r = c.read_response()
        assert r.status == 200
    assert origin.requests(p)[0]["body"] == "payload"


def test_chunked_response_to_client(origin, lacquer, prefix):
    p = prefix + "/chunky"
    origin.script(p, {"status": 200, "chunked": True, "chunks": ["one ", "two ", "three"],
                      "headers": [["Cache-Control", "no-store"]]})
    with lacquer.conn() as c:
        c.send(build_request("GET", p))
        r = c.read_response()
    assert "chunked" in r.headers.get("Transfer-Encoding", "").lower()
    assert "Content-Length" not in r.headers
    assert r.body == b"one two three" and r.complete


def test_http10_client(origin, lacquer, prefix):
    p = prefix + "/ten"
    with lacquer.conn() as c:
        c.send("GET %s HTTP/1.0\r\nHost: example.com\r\n\r\n" % p)
        r = c.read_response()
        assert r.status == 200 and r.body == ("origin %s\n" % p).encode()
        assert c.wait_closed() == b""


def test_connection_close_from_client(origin, lacquer, prefix):
    with lacquer.conn() as c:
        c.send(build_request("GET", prefix + "/a", [("Connection", "close")])
               + build_request("GET", prefix + "/b"))
        r = c.read_response()
        assert r.status == 200
        assert c.wait_closed() == b""
    assert origin.count(prefix + "/b") == 0


def test_header_timeout(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, config_text='[limits]\nheader_timeout = "500ms"\n')
    with lacquer.conn() as c:
        c.send("GET %s/half HTTP/1.1\r\nHost: exa" % prefix)
        extra = c.wait_closed(timeout=5)
        assert extra.startswith(b"HTTP/1.1 408 ") and b"Connection: close\r\n" in extra, extra
    assert origin.count() == 0
    assert lacquer.get(prefix + "/ok").status == 200


def test_idle_timeout(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, config_text='[limits]\nidle_timeout = "500ms"\n')
    with lacquer.conn() as c:
        c.send(build_request("GET", prefix + "/a"))
        assert c.read_response().status == 200
        assert c.wait_closed(timeout=5) == b""


def test_idle_connection_kept_within_timeout(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, config_text='[limits]\nidle_timeout = "5s"\n')
    with lacquer.conn() as c:
        c.send(build_request("GET", prefix + "/a"))
        assert c.read_response().status == 200
        assert c.is_open(0.7)
        c.send(build_request("GET", prefix + "/b"))
        assert c.read_response().status == 200


def test_many_concurrent_clients(origin, lacquer, prefix):
    errors = []

    def client(i):
        try:
            with lacquer.conn() as c:
                for j in range(5):
                    p = "%s/c%d/%d" % (prefix, i % 5, j)
                    c.send(build_request("GET", p))
                    r = c.read_response()
                    if r.body != ("origin %s\n" % p).encode():
                        errors.append((p, r))
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
