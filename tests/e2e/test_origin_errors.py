"""Origin failures: refused, reset, malformed, slow. Errors are 502/504 and are never stored."""
import socket

import pytest

from lacq import VIA_RE, assert_fwd, assert_not_served_complete, build_request, ok

SHORT_TIMEOUT = """
[origin]
first_byte_timeout = "500ms"
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def assert_recovers(origin, lacquer, path):
    """After a failure nothing was stored: the next request reaches the origin again."""
    before = origin.count(path)
    origin.script(path, ok("recovered", max_age=3600))
    r = lacquer.get(path)
    assert r.status == 200 and r.body == b"recovered"
    assert origin.count(path) == before + 1


def test_connection_refused_is_502(start_lacquer, tmp_path):
    lacquer = start_lacquer(free_port())
    r = lacquer.get("/t/refused/a")
    assert r.status == 502
    assert VIA_RE.match(r.headers.get("Via", ""))
    assert_fwd(r, "miss")
    lacquer.expect_stat("lacquer_origin_errors_total", lambda v: v >= 1)
    r = lacquer.get("/t/refused/a")
    assert r.status == 502


@pytest.mark.parametrize("step", [
    pytest.param({"reset": "before_head"}, id="reset-before-head"),
    pytest.param({"reset": "mid_head", "status": 200, "body": "b"}, id="reset-mid-head"),
    pytest.param({"no_response": True}, id="close-without-answer"),
    pytest.param({"raw": "garbage\r\n\r\n"}, id="garbage"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhello"}, id="bad-length"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 5\r\n"
                         "Content-Length: 6\r\n\r\nhello!"}, id="two-lengths"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nX-A: a\r\n b\r\n"
                         "Content-Length: 5\r\n\r\nhello"}, id="obs-fold"),
    pytest.param({"raw": "HTTP/1.1 2000 OK\r\nContent-Length: 5\r\n\r\nhello"}, id="bad-status"),
])
def test_origin_failure_before_body_is_502(origin, lacquer, prefix, step):
    path = prefix + "/e"
    origin.script(path, step)
    r = lacquer.get(path)
    assert r.status == 502, r
    assert VIA_RE.match(r.headers.get("Via", ""))
    assert_fwd(r, "miss")
    assert origin.count(path) >= 1
    lacquer.expect_stat("lacquer_origin_errors_total", lambda v: v >= 1)
    assert_recovers(origin, lacquer, path)


@pytest.mark.parametrize("step", [
    pytest.param(ok(max_age=3600, body_size=200000, reset="mid_body"), id="reset-mid-body"),
    pytest.param(ok(max_age=3600, body_size=200000, body_delay_ms=200, reset="mid_body"),
                 id="reset-mid-body-after-head"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nhello\r\n0\r\n\r\n"},
                 id="bad-chunk-size"),
    pytest.param({"raw": "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n"},
                 id="bad-chunk-end"),
])
def test_origin_failure_in_body_cuts_the_client(origin, lacquer, prefix, step):
    path = prefix + "/e"
    origin.script(path, step)
    assert_not_served_complete(lacquer, path)
    lacquer.expect_stat("lacquer_origin_errors_total", lambda v: v >= 1)
    assert_recovers(origin, lacquer, path)


def test_first_byte_timeout_is_504(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, config_text=SHORT_TIMEOUT)
    path = prefix + "/slow"
    origin.script(path, {"hang": "never"})
    r = lacquer.get(path)
    assert r.status == 504, r
    assert VIA_RE.match(r.headers.get("Via", ""))
    assert_fwd(r, "miss")
    lacquer.expect_stat("lacquer_origin_errors_total", lambda v: v >= 1)
    assert_recovers(origin, lacquer, path)


def test_slow_origin_within_timeout_is_served(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, config_text=SHORT_TIMEOUT)
    path = prefix + "/slowish"
    origin.script(path, ok("late", delay_ms=100))
    r = lacquer.get(path)
    assert r.status == 200 and r.body == b"late"


def test_origin_closing_pooled_connection_is_not_an_error(origin, lacquer, prefix):
    """The origin answers with Connection: close; the next miss must open a new connection."""
    origin.script(prefix + "/a", ok("a", close=True))
    with lacquer.conn() as c:
        c.send(build_request("GET", prefix + "/a"))
        assert c.read_response().body == b"a"
        c.send(build_request("GET", prefix + "/b"))
        r = c.read_response()
        assert r.status == 200 and r.body == ("origin %s/b\n" % prefix).encode()
    ra, rb = origin.requests(prefix + "/a")[0], origin.requests(prefix + "/b")[0]
    assert ra["conn"] != rb["conn"]


def test_origin_5xx_passes_through_and_is_not_stored(origin, lacquer, prefix):
    path = prefix + "/500"
    origin.script(path, {"status": 503, "headers": [["Retry-After", "1"]], "body": "down"})
    r = lacquer.get(path)
    assert r.status == 503 and r.body == b"down"
    assert_recovers(origin, lacquer, path)
