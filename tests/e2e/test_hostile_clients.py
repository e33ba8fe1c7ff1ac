"""Hostile clients: slowloris, a stalled body, a slow reader of a large response, a flood of idle
connections, clients that vanish mid-response. Each is bounded in count and time, and each checks
that everybody else is still served meanwhile."""
import os
import resource
import selectors
import socket
import struct
import threading
import time

import pytest

from lacq import build_request, ok, read_x_response, wait_until


def vmrss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


def rst_close(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def served(lacquer, path):
    r = lacquer.get(path)
    assert r.status == 200 and r.body == ("origin %s\n" % path).encode(), r
    return r


# --- slowloris -------------------------------------------------------------------------------

SLOW_CLIENTS = 20


def test_slowloris_is_cut_at_the_header_timeout_while_others_are_served(origin, start_lacquer,
                                                                         prefix):
    lacquer = start_lacquer(origin.port, config_text='[limits]\nheader_timeout = "1s"\n')
    # A head that never ends: one byte at a time, every 50 ms, to each of 20 connections.
    head = ("GET %s/slow HTTP/1.1\r\nHost: example.com\r\nX-Slow: " % prefix).encode() + b"a" * 400
    conns = [lacquer.conn(timeout=10) for _ in range(SLOW_CLIENTS)]
    stop = threading.Event()
    sent = [0] * SLOW_CLIENTS

    def drip():
        for i in range(len(head)):
            if stop.wait(0.05):
                return
            for k, c in enumerate(conns):
                if sent[k] < 0:
                    continue
                try:
                    c.send(head[i:i + 1])
                    sent[k] += 1
                except OSError:
                    sent[k] = -1  # closed by lacquer
    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        # Meanwhile a normal client is served, again and again.
        for i in range(10):
            served(lacquer, "%s/normal%d" % (prefix, i))
        for c in conns:
            got = c.wait_closed(timeout=6)  # 1 s header timeout; 400 bytes would take 20 s
            assert got.startswith(b"HTTP/1.1 408 ") and b"Connection: close" in got, got
    finally:
        stop.set()
        dripper.join(5)
        for c in conns:
            c.close()
    assert origin.count(prefix + "/slow") == 0
    lacquer.expect_stat("lacquer_client_timeouts_total", lambda v: v >= SLOW_CLIENTS)
    served(lacquer, prefix + "/after")


def test_stalled_request_body_gets_408_and_reaches_nobody(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, config_text='[limits]\nbody_timeout = "500ms"\n')
    with lacquer.conn(timeout=10) as c:
        c.send(build_request("POST", prefix + "/up", [("Content-Length", "100")]) + b"only part")
        got = c.wait_closed(timeout=5)
        assert got.startswith(b"HTTP/1.1 408 ") and b"Connection: close" in got, got
    assert origin.count(prefix + "/up") == 0
    served(lacquer, prefix + "/after")


# --- slow reader of a large response -----------------------------------------------------------

BIG = 32 << 20


def test_slow_reader_of_a_large_response_is_backpressured(origin, start_lacquer, prefix,
                                                         monkeypatch):
    """lacquer holds at most limits.max_output_buffer of a response per connection: a client that
    does not read stalls the origin fetch (the origin's writes block), lacquer's memory stays
    flat, everyone else is served, and the whole body arrives once the client reads."""
    # An ASan build keeps freed memory in quarantine (256 MiB by default), which would count
    # every buffer that passed through; keep it small so RSS shows what is held.
    asan = os.environ.get("ASAN_OPTIONS", "")
    monkeypatch.setenv("ASAN_OPTIONS", (asan + ":" if asan else "") +
                       "quarantine_size_mb=1:thread_local_quarantine_size_kb=64")
    lacquer = start_lacquer(origin.port, config_text='[limits]\nmax_output_buffer = "1M"\n')
    path = prefix + "/big"
    origin.script(path, ok(max_age=None, body_size=BIG, sndbuf=64 << 10))
    served(lacquer, prefix + "/warm")
    rss_before = vmrss_kib(lacquer.proc.pid)

    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
    s.connect(("127.0.0.1", lacquer.port))
    s.settimeout(30)
    try:
        s.sendall(build_request("GET", path))
        # Poll the origin's progress until it has not moved for a second.
        history = []

        def stalled():
            recs = origin.requests(path)
            history.append(recs[0]["sent"] if recs else 0)
            return len(history) >= 5 and history[-1] > 0 and len(set(history[-5:])) == 1
        wait_until(stalled, deadline=20, interval=0.25, message="the origin's writes to stall")
        sent = history[-1]
        assert sent < BIG // 2, "the origin wrote %d of %d bytes to a client that reads none" % (
            sent, BIG)
        grown = vmrss_kib(lacquer.proc.pid) - rss_before
        assert grown < 12 * 1024, "lacquer's RSS grew by %d KiB for one slow reader" % grown
        # Everyone else is still served.
        for i in range(3):
            served(lacquer, "%s/other%d" % (prefix, i))

        # Now read: the whole body arrives, the origin is resumed to the end.
        read_x_response(s, BIG)
    finally:
        s.close()
    assert origin.requests(path)[0]["sent"] == BIG


# --- a flood of idle connections -----------------------------------------------------------------

FLOOD = 10000
CAP = 2000
IDLE_S = 10


def test_idle_connection_flood(origin, start_lacquer, prefix):
    """10,000 connections that never send a byte, against a cap of 2,000: lacquer never holds
    more than the cap (the surplus is refused or pushes out the longest-idle connections at
    once), a client with a request is still served, and the idle ones are closed at the idle
    timeout, not before."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = FLOOD + 1000
    if hard != resource.RLIM_INFINITY and hard < need:
        pytest.skip("RLIMIT_NOFILE hard limit %d < %d" % (hard, need))
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))
    sel = selectors.DefaultSelector()
    socks = []
    try:
        lacquer = start_lacquer(origin.port, config_text=(
            '[limits]\nmax_connections = %d\nidle_timeout = "%ds"\n' % (CAP, IDLE_S)))
        started = time.monotonic()
        for _ in range(FLOOD):
            s = socket.create_connection(("127.0.0.1", lacquer.port), timeout=5)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
            socks.append(s)
        opened_in = time.monotonic() - started

        open_socks = set(socks)

        def reap(timeout):
            for key, _ in sel.select(timeout):
                try:
                    data = key.fileobj.recv(4096)
                except (ConnectionResetError, BlockingIOError):
                    data = b""
                assert data == b"", "an idle connection received %r" % data
                sel.unregister(key.fileobj)
                open_socks.discard(key.fileobj)

        # Within a few seconds (well inside the idle timeout) at most CAP remain open.
        deadline = time.monotonic() + 5
        while len(open_socks) > CAP and time.monotonic() < deadline:
            reap(0.2)
        assert len(open_socks) <= CAP, "%d connections open, cap %d" % (len(open_socks), CAP)
        assert time.monotonic() - started < IDLE_S - 1, (
            "opening %d connections took %.1fs: too slow to tell refusals from idle timeouts"
            % (FLOOD, opened_in))
        # A client that comes with a request is served despite the crowd.
        for i in range(3):
            served(lacquer, "%s/normal%d" % (prefix, i))
        reap(0)
        # The crowd was not closed wholesale before its time.
        assert len(open_socks) >= CAP // 2, "only %d idle connections left before the idle " \
            "timeout" % len(open_socks)
        rejected_or_evicted = FLOOD - len(open_socks)
        assert rejected_or_evicted >= FLOOD - CAP
        # At the idle timeout, every one of them is closed.
        deadline = started + IDLE_S + opened_in + 5
        while open_socks and time.monotonic() < deadline:
            reap(0.5)
        assert not open_socks, "%d idle connections still open after the idle timeout" % len(
            open_socks)
        lacquer.expect_stat("lacquer_connections_open", 0)
        served(lacquer, prefix + "/after")
    finally:
        sel.close()
        for s in socks:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# --- clients that vanish mid-response --------------------------------------------------------------

@pytest.mark.parametrize("when", ["before-head", "after-head", "mid-body"])
def test_client_disconnecting_mid_response(origin, lacquer, prefix, when):
    """The client resets its connection at some point of a large response. The fetch is not the
    client's (edge/fetch/fetch_job.h): a storable response is still completed and stored for the next
    client; nothing partial is stored, and the next client gets the whole, correct body."""
    path = prefix + "/big"
    size = 4 << 20
    if when == "before-head":
        origin.script(path, ok(body_size=size, hold="go0"), ok(body_size=size))
    else:
        origin.script(path, ok(body_size=size))
    for i in range(1 if when == "before-head" else 3):
        s = socket.create_connection(("127.0.0.1", lacquer.port), timeout=10)
        s.sendall(build_request("GET", path))
        if when == "before-head":
            wait_until(lambda: origin.count(path) == i + 1, message="the request at the origin")
        else:
            got = b""
            want = 1 if when == "after-head" else 256 << 10
            while len(got) < want:
                got += s.recv(65536)
            assert got.startswith(b"HTTP/1.1 200 ")
        rst_close(s)
        if when == "before-head":
            origin.open("go%d" % i)
    lacquer.expect_stat("lacquer_connections_open", 0)
    with lacquer.conn(timeout=20) as c:
        c.send(build_request("GET", path) + build_request("GET", prefix + "/next"))
        r = c.read_response()
        assert r.status == 200 and r.complete and r.body == b"x" * size, \
            (r.status, r.complete, len(r.body))
        r = c.read_response()
        assert r.status == 200 and r.body == ("origin %s/next\n" % prefix).encode()
    assert origin.count(path) == 1  # the abandoned fetch was finished and stored, once
    served(lacquer, prefix + "/after")


def test_client_vanishing_with_pipelined_requests(origin, lacquer, prefix):
    """Three pipelined requests, the first one slow; the client resets before any answer."""
    slow = prefix + "/slow"
    origin.script(slow, ok("slow", hold="go"))
    s = socket.create_connection(("127.0.0.1", lacquer.port), timeout=10)
    s.sendall(build_request("GET", slow) + build_request("GET", prefix + "/b")
              + build_request("GET", prefix + "/c"))
    wait_until(lambda: origin.count(slow) == 1, message="the slow request at the origin")
    rst_close(s)
    origin.open("go")
    lacquer.expect_stat("lacquer_connections_open", 0)
    assert origin.count(prefix + "/b") == 0 and origin.count(prefix + "/c") == 0
    served(lacquer, prefix + "/after")
