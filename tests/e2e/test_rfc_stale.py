"""RFC 5861: stale-while-revalidate and stale-if-error, and the configured grace."""
import pytest

from lacq import cache_status, ok, wait_until


def stale_step(body, cc, extra=()):
    # max-age=10 with Age: 20: stored, and stale (by 10 s) from the start
    return {"status": 200, "headers": [["Cache-Control", "max-age=10, " + cc], ["Age", "20"]] + list(extra),
            "body": body}


def test_stale_while_revalidate_serves_stale_and_refreshes_once(origin, lacquer, prefix):
    path = prefix + "/swr"
    origin.script(path, stale_step("old", "stale-while-revalidate=60"),
                  dict(ok("new", max_age=60), hold="refresh"))
    lacquer.get(path)
    # a burst of requests while the background refresh is held at the origin
    for _ in range(10):
        r = lacquer.get(path)
        p = cache_status(r)
        assert r.body == b"old" and p.get("hit") is True and int(p["ttl"]) < 0
        assert "stale-while-revalidate" in str(p.get("detail"))
    wait_until(lambda: origin.count(path) == 2, message="one background refresh")
    origin.open("refresh")
    wait_until(lambda: lacquer.get(path).body == b"new", message="the refreshed entry")
    assert origin.count(path) == 2
    assert lacquer.metric("lacquer_cache_stale_while_revalidate_total") >= 10


def test_stale_while_revalidate_window_ends(origin, lacquer, prefix):
    path = prefix + "/swr-end"
    origin.script(path, stale_step("old", "stale-while-revalidate=5"), ok("new", max_age=60))
    lacquer.get(path)
    r = lacquer.get(path)  # 10 s stale, allowance 5 s: a normal refetch
    assert r.body == b"new" and "hit" not in cache_status(r)


@pytest.mark.parametrize("failure", [
    {"status": 503, "body": "down"},
    {"status": 500, "body": "err"},
    {"reset": "before_head"},
    {"raw": "garbage\r\n\r\n"},
])
def test_stale_if_error(origin, lacquer, prefix, failure):
    path = prefix + "/sie"
    origin.script(path, stale_step("good", "stale-if-error=600"), failure)
    lacquer.get(path)
    r = lacquer.get(path)
    p = cache_status(r)
    assert r.status == 200 and r.body == b"good"
    assert p.get("fwd") == "stale" and "stale-if-error" in str(p.get("detail"))
    assert "Age" in r.headers


def test_stale_if_error_on_origin_timeout(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text='[origin]\nfirst_byte_timeout = "300ms"\n')
    path = prefix + "/sie-t"
    origin.script(path, stale_step("good", "stale-if-error=600"), {"hang": True})
    l.get(path)
    r = l.get(path)
    assert r.status == 200 and r.body == b"good"


def test_stale_if_error_window_ends(origin, lacquer, prefix):
    path = prefix + "/sie-end"
    origin.script(path, stale_step("good", "stale-if-error=5"), {"status": 503, "body": "down"})
    lacquer.get(path)
    assert lacquer.get(path).status == 503


def test_default_grace_applies_when_origin_says_nothing(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text='[cache]\ndefault_grace = "1h"\n')
    path = prefix + "/grace"
    origin.script(path, {"status": 200, "headers": [["Cache-Control", "max-age=10"], ["Age", "20"]], "body": "g"},
                  {"status": 502, "body": "bad"})
    l.get(path)
    r = l.get(path)  # grace also allows stale-while-revalidate: served stale at once
    assert r.status == 200 and r.body == b"g"


def test_soft_purge_serves_stale_within_grace_and_refreshes(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text='[cache]\ndefault_grace = "1h"\n')
    path = prefix + "/soft"
    origin.script(path, ok("before", max_age=3600), ok("after", max_age=3600))
    l.get(path)
    assert l.request("PURGE", path, headers={"Soft-Purge": "1"}).status == 200
    r = l.get(path)
    assert r.body == b"before" and int(cache_status(r)["ttl"]) <= 0
    wait_until(lambda: l.get(path).body == b"after", message="the soft-purged entry to be refreshed")
    assert origin.count(path) == 2
