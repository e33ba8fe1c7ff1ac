"""Probabilistic early refresh (XFetch, cache/early_refresh.h): a hot object is refreshed in the
background shortly before it expires, so clients never see it expire."""
import time

from lacq import cache_status, ok

EARLY = """
[cache]
early_refresh = true
early_refresh_beta = 1.0
early_refresh_min_delta = "150ms"
"""


def hammer(lacquer, path, seconds):
    """Requests `path` on one keep-alive connection for `seconds`; returns the Cache-Status of each."""
    statuses = []
    end = time.monotonic() + seconds
    with lacquer.conn() as c:
        while time.monotonic() < end:
            c.send(b"GET %s HTTP/1.1\r\nHost: example.com\r\n\r\n" % path.encode())
            r = c.read_response()
            assert r.status == 200 and r.body == b"hot"
            statuses.append(cache_status(r))
            time.sleep(0.004)  # ~200 requests/s: pacing, not synchronisation
    return statuses


def test_hot_object_is_refreshed_before_it_expires(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text=EARLY)
    path = prefix + "/hot"
    origin.script(path, ok("hot", max_age=2, headers=[("ETag", '"h"')]))
    first = l.get(path)
    assert cache_status(first).get("fwd") == "miss"
    statuses = hammer(l, path, 4.5)  # past two lifetimes
    forwarded = [p for p in statuses if "fwd" in p or "hit" not in p]
    assert not forwarded, "a client waited on the origin: %r" % forwarded[:3]
    assert all(int(p["ttl"]) >= 0 for p in statuses), "a stale copy was served"
    refreshes = l.metric("lacquer_cache_early_refreshes_total")
    # About one refresh per lifetime, never a stampede. A lifetime here can be as short as half a
    # second: Date is whole seconds, so a refreshed copy may start up to a second old, and at
    # ~200 requests/s with delta 150 ms XFetch fires about 0.5 s before expiry (delta * ln(rate *
    # delta)), so up to ~9 refreshes in 4.5 s are honest. A stampede would be one per request
    # (hundreds). Every origin fetch after the first must be one early refresh.
    assert 2 <= refreshes <= 12
    assert origin.count(path) == 1 + refreshes


def test_without_it_clients_see_the_object_expire(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port)
    path = prefix + "/hot"
    origin.script(path, ok("hot", max_age=2, headers=[("ETag", '"h"')]))
    l.get(path)
    statuses = hammer(l, path, 2.5)  # past one expiry
    assert any(p.get("fwd") == "stale" for p in statuses)
    assert (l.metric("lacquer_cache_early_refreshes_total") or 0) == 0
