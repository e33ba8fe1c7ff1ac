"""Self-tests of the scripted test origin (no lacquer involved): if these fail, nothing else in
this suite means anything."""
import threading

import pytest

from lacq import Conn, ConnectionClosed, build_request, get, request, wait_until


def test_default_answer_and_seq(origin):
    r1 = get(origin.port, "/plain?q=1")
    r2 = get(origin.port, "/bytes/5000/x")
    assert r1.status == 200 and r1.body == b"origin /plain?q=1\n"
    assert r1.headers["Cache-Control"] == "public, max-age=3600"
    assert r2.body == b"x" * 5000
    assert int(r2.headers["X-Origin-Seq"]) == int(r1.headers["X-Origin-Seq"]) + 1


def test_records_requests_in_order_with_conn_ids(origin):
    with Conn(origin.port) as c:
        c.send(build_request("GET", "/r", [("X-B", "2"), ("X-A", "1")]))
        c.read_response()
        c.send(build_request("POST", "/r", body="hello"))
        c.read_response()
    get(origin.port, "/r")
    recs = origin.requests("/r")
    assert [r["method"] for r in recs] == ["GET", "POST", "GET"]
    assert recs[0]["headers"] == [["Host", "example.com"], ["X-B", "2"], ["X-A", "1"]]
    assert recs[1]["body"] == "hello"
    assert recs[0]["conn"] == recs[1]["conn"] != recs[2]["conn"]
    assert origin.count("/r") == 3 and origin.count("/other") == 0


def test_chunked_request_body(origin):
    with Conn(origin.port) as c:
        c.send(b"PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n")
        assert c.read_response().status == 200
    assert origin.requests("/c")[0]["body"] == "abcde"


def test_expect_100_continue(origin):
    with Conn(origin.port) as c:
        c.send(b"POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        assert c.read_response(interim=True).status == 100
        c.send(b"abc")
        assert c.read_response().status == 200
    assert origin.requests("/e")[0]["body"] == "abc"


def test_script_steps_then_last_repeats(origin):
    origin.script("/s", {"status": 404, "body": "one"}, {"status": 200, "body": "two"})
    assert [(r.status, r.body) for r in (get(origin.port, "/s") for _ in range(3))] == [
        (404, b"one"), (200, b"two"), (200, b"two")]


def test_script_by_method(origin):
    origin.script("/m", {"status": 201, "body": "post"}, method="POST")
    assert request(origin.port, "POST", "/m", body="x").status == 201
    assert get(origin.port, "/m").status == 200


def test_chunked_response(origin):
    origin.script("/ch", {"status": 200, "chunked": True, "chunks": ["ab", "cd", "e"]})
    with Conn(origin.port) as c:
        c.send(build_request("GET", "/ch"))
        r = c.read_response()
    assert r.headers["Transfer-Encoding"] == "chunked"
    assert r.body == b"abcde" and r.complete


@pytest.mark.parametrize("chunked", [False, True])
def test_truncate_after(origin, chunked):
    origin.script("/tr", {"status": 200, "body_size": 100, "truncate_after": 10, "chunked": chunked})
    with Conn(origin.port) as c:
        c.send(build_request("GET", "/tr"))
        r = c.read_response()
        assert not r.complete and r.body == b"x" * 10
        c.wait_closed()


def test_raw_and_no_response(origin):
    origin.script("/raw", {"raw": "garbage\r\n\r\n"})
    origin.script("/none", {"no_response": True})
    with Conn(origin.port) as c:
        c.send(build_request("GET", "/raw"))
        assert c.wait_closed() == b"garbage\r\n\r\n"
    with Conn(origin.port) as c:
        c.send(build_request("GET", "/none"))
        assert c.wait_closed() == b""


@pytest.mark.parametrize("where", ["before_head", "mid_head", "mid_body"])
def test_reset(origin, where):
    origin.script("/rst", {"status": 200, "body_size": 1000, "reset": where})
    with Conn(origin.port) as c:
        c.send(build_request("GET", "/rst"))
        with pytest.raises((ConnectionClosed, ConnectionResetError)):
            r = c.read_response()
            assert not r.complete  # mid_body may deliver the head first
            raise ConnectionClosed()


def test_hold_until_barrier(origin):
    origin.script("/h", {"status": 200, "body": "held", "hold": "b1"})
    with Conn(origin.port, timeout=10) as c:
        c.send(build_request("GET", "/h"))
        assert c.is_open(0.3) and c.buf == b""
        origin.open("b1")
        assert c.read_response().body == b"held"


def test_hang_until_barrier(origin):
    origin.script("/hang", {"hang": "b2"})
    with Conn(origin.port, timeout=10) as c:
        c.send(build_request("GET", "/hang"))
        assert c.is_open(0.3)
        origin.open("b2")
        assert c.wait_closed() == b""


def test_reset_clears_state_and_releases_holds(origin):
    origin.script("/x", {"status": 500, "hold": "never"})
    result = {}
    t = threading.Thread(target=lambda: result.update(r=get(origin.port, "/x", timeout=10)))
    t.start()
    wait_until(lambda: origin.count("/x") == 1, message="request held")
    origin.reset()  # releases the held answer
    t.join(10)
    assert result["r"].status == 500
    assert origin.count() == 0
    assert get(origin.port, "/x").status == 200


def test_close_step(origin):
    origin.script("/cl", {"status": 200, "body": "bye", "close": True})
    with Conn(origin.port) as c:
        c.send(build_request("GET", "/cl"))
        r = c.read_response()
        assert r.headers["Connection"] == "close" and r.body == b"bye"
        assert c.wait_closed() == b""
