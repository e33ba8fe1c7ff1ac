"""Issue 18 item 10: a stale entry is served when the origin cannot be reached at all (RFC 9111
§4.2.4 "disconnected", RFC 5861 stale-if-error, the configured default_grace): refused, reset,
or closed before any byte, on a fresh or a pooled connection."""
import pytest

from lacq import Origin, cache_status, wait_until

FAILURES = [
    {"reset": "before_head"},      # RST before any byte
    {"no_response": True},         # FIN before any byte (also after the pooled-GET retry)
    {"reset": "mid_head"},         # part of a head, then RST
    {"raw": "HTTP/1.1 200 OK\r\n"},  # part of a head, then FIN
]


def stale_step(body, cc):
    # max-age=10 with Age: 20: stored, and already stale by 10 s
    return {"status": 200, "headers": [["Cache-Control", "max-age=10" + cc], ["Age", "20"]], "body": body}


def assert_stale_if_error(r):
    p = cache_status(r)
    assert r.status == 200 and r.body == b"good", r
    assert p.get("fwd") == "stale" and "stale-if-error" in str(p.get("detail")), r


@pytest.mark.parametrize("failure", FAILURES, ids=["reset", "close", "reset-mid-head", "close-mid-head"])
def test_stale_if_error_when_the_origin_breaks_off_before_answering(origin, lacquer, prefix, failure):
    path = prefix + "/sie"
    origin.script(path, stale_step("good", ", stale-if-error=600"), failure)
    lacquer.get(path)  # stored, stale
    for _ in range(2):
        assert_stale_if_error(lacquer.get(path))
    assert lacquer.metric("lacquer_cache_stale_if_error_total") >= 2


def test_stale_if_error_when_the_origin_refuses_connections(start_lacquer, prefix):
    o = Origin()
    try:
        l = start_lacquer(o.port)
        path = prefix + "/refused"
        o.script(path, stale_step("good", ", stale-if-error=600"))
        l.get(path)
    finally:
        o.stop()  # nothing listens on the port any more: connect() is refused
    for _ in range(2):
        assert_stale_if_error(l.get(path))


@pytest.mark.parametrize("failure", FAILURES + [{"status": 503, "body": "down"}],
                         ids=["reset", "close", "reset-mid-head", "close-mid-head", "503"])
def test_default_grace_keeps_serving_stale_when_the_origin_breaks_off(origin, start_lacquer, prefix,
                                                                     failure):
    l = start_lacquer(origin.port, config_text='[cache]\ndefault_grace = "1h"\n')
    path = prefix + "/grace"
    origin.script(path, stale_step("good", ""), failure)
    l.get(path)
    # Grace serves stale at once and refreshes in the background; the failed refreshes must
    # leave the entry in place, so every answer is still the stale copy.
    for _ in range(4):
        r = l.get(path)
        assert r.status == 200 and r.body == b"good", r
        assert cache_status(r).get("ttl", "0").startswith("-")
    wait_until(lambda: origin.count(path) >= 2, message="a background refresh that fails")
    r = l.get(path)
    assert r.status == 200 and r.body == b"good", r


def test_default_grace_when_the_origin_refuses_connections(start_lacquer, prefix):
    o = Origin()
    try:
        l = start_lacquer(o.port, config_text='[cache]\ndefault_grace = "1h"\n')
        path = prefix + "/grace-refused"
        o.script(path, stale_step("good", ""))
        l.get(path)
    finally:
        o.stop()
    for _ in range(3):
        r = l.get(path)
        assert r.status == 200 and r.body == b"good", r
