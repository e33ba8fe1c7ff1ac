"""Request coalescing: one origin fetch per URL at a time, waiters streamed the same response as
it arrives; uncacheable answers release the waiters and leave a hit-for-miss marker."""
import concurrent.futures
import socket
import time

from lacq import Conn, build_request, cache_status, ok, wait_until

CLIENTS = 100


def burst(lacquer, path, n=CLIENTS):
    """Sends n concurrent GETs on n connections; returns the responses."""
    conns = [Conn(lacquer.port, timeout=15) for _ in range(n)]
    try:
        for c in conns:
            c.send(build_request("GET", path))
        with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
            return list(pool.map(lambda c: c.read_response(timeout=15), conns))
    finally:
        for c in conns:
            c.close()


def wait_for_waiters(lacquer, path, n):
    """Polls until n requests for the URL are in lacquer (parsed), so the burst is concurrent."""
    wait_until(lambda: lacquer.metric("lacquer_requests_total") >= n, deadline=10,
               message="%d requests to arrive" % n)


def test_hundred_concurrent_misses_make_one_origin_request(origin, lacquer, prefix):
    path = prefix + "/hot"
    origin.script(path, dict(ok("shared body", max_age=60), hold="go"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        fut = pool.submit(burst, lacquer, path)
        wait_for_waiters(lacquer, path, CLIENTS)
        wait_until(lambda: origin.count(path) == 1, message="the leader's fetch")
        origin.open("go")
        responses = fut.result(timeout=30)
    assert origin.count(path) == 1
    assert all(r.status == 200 and r.body == b"shared body" for r in responses)
    statuses = [cache_status(r) for r in responses]
    assert sum(1 for p in statuses if p.get("collapsed")) == CLIENTS - 1
    assert sum(1 for p in statuses if p.get("fwd") == "miss" and p.get("stored")) == 1
    lacquer.expect_stat("lacquer_cache_collapsed_total", CLIENTS - 1)


def test_waiters_are_streamed_before_the_response_completes(origin, lacquer, prefix):
    path = prefix + "/stream"
    origin.script(path, dict(ok(max_age=60, chunked=True, chunks=["first-part;", "second-part"]), body_hold="rest"))
    leader, waiter = Conn(lacquer.port), Conn(lacquer.port)
    try:
        leader.send(build_request("GET", path))
        wait_until(lambda: origin.count(path) == 1, message="the leader's fetch")
        waiter.send(build_request("GET", path))
        # the waiter gets the head and the first chunk while the origin still holds the rest
        got = b""
        deadline = time.time() + 5
        waiter.sock.settimeout(0.2)
        while b"first-part;" not in got and time.time() < deadline:
            try:
                got += waiter.sock.recv(65536)
            except socket.timeout:
                pass
        assert b"first-part;" in got and b"collapsed" in got
        assert b"second-part" not in got
        origin.open("rest")
        waiter.sock.settimeout(5)
        while not got.endswith(b"\r\n0\r\n\r\n"):
            chunk = waiter.sock.recv(65536)
            assert chunk
            got += chunk
        assert b"second-part" in got
        assert leader.read_response(timeout=5).body == b"first-part;second-part"
    finally:
        leader.close()
        waiter.close()
    assert origin.count(path) == 1


def test_uncacheable_response_releases_waiters_and_marks_hit_for_miss(origin, lacquer, prefix):
    path = prefix + "/private"
    origin.script(path, {"status": 200, "headers": [["Cache-Control", "private"]], "body": "mine", "hold": "go"})
    n = 20
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        fut = pool.submit(burst, lacquer, path, n)
        wait_for_waiters(lacquer, path, n)
        origin.open("go")
        responses = fut.result(timeout=30)
    assert all(r.status == 200 and r.body == b"mine" for r in responses)
    assert origin.count(path) == n  # each released waiter fetched for itself
    # the next burst is not serialised: all of it reaches the origin while it holds answers
    origin.reset()
    origin.script(path, {"status": 200, "headers": [["Cache-Control", "private"]], "body": "mine", "hold": "again"})
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        fut = pool.submit(burst, lacquer, path, n)
        wait_until(lambda: origin.count(path) == n, deadline=10, message="all requests at the origin at once")
        origin.open("again")
        assert all(r.status == 200 for r in fut.result(timeout=30))


def test_waiters_all_answered_when_the_origin_fails(origin, lacquer, prefix):
    path = prefix + "/fail"
    origin.script(path, {"hang": "cut"})
    n = 20
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        fut = pool.submit(burst, lacquer, path, n)
        wait_for_waiters(lacquer, path, n)
        origin.open("cut")
        responses = fut.result(timeout=30)
    assert all(r.status == 502 for r in responses)
    assert origin.count(path) <= 2  # one fetch (and at most its retry on a fresh connection)


def test_leader_disconnect_does_not_hurt_waiters(origin, lacquer, prefix):
    path = prefix + "/leave"
    origin.script(path, dict(ok("x" * 100000, max_age=60), hold="go"))
    leader = Conn(lacquer.port)
    leader.send(build_request("GET", path))
    wait_until(lambda: origin.count(path) == 1, message="the leader's fetch")
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        fut = pool.submit(burst, lacquer, path, 10)
        wait_for_waiters(lacquer, path, 11)
        leader.close()
        origin.open("go")
        responses = fut.result(timeout=30)
    assert all(r.status == 200 and len(r.body) == 100000 for r in responses)
    assert origin.count(path) == 1
    assert "hit" in cache_status(lacquer.get(path))


def test_too_large_for_memory_is_streamed_once_to_every_waiter(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text='[cache]\nmax_object_size = "1M"\n')
    path = prefix + "/big"
    size = 8 << 20
    origin.script(path, dict(ok(max_age=60, body_size=size), hold="go"))
    n = 5
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        fut = pool.submit(burst, l, path, n)
        wait_for_waiters(l, path, n)
        origin.open("go")
        responses = fut.result(timeout=60)
    assert all(r.status == 200 and r.complete and len(r.body) == size for r in responses)
    assert origin.count(path) == 1
    # not kept in memory, but written to disk in chunks as it streamed: a disk hit afterwards
    l.expect_stat("lacquer_disk_large_commits_total", 1, deadline=20)
    r = l.get(path)
    assert "hit" in cache_status(r) and len(r.body) == size
    assert origin.count(path) == 1
