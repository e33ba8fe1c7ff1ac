"""Large objects (issue #5): a response bigger than the memory admission limit streams to the
client while it is written to disk in chunks, is never held whole (RSS), comes back from disk,
and a Range request reads only what it needs."""
import os
import re

import pytest

from lacq import ok

SIZE = 100 << 20


def pattern(first, last):
    base = bytes(range(251))
    return bytes(base[i % 251] for i in range(first, last + 1))


def peak_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))


def get_big(l, path, headers=b""):
    """GET with a plain socket loop: the generic client appends to one buffer (quadratic at 100 MiB)."""
    c = l.conn(timeout=60)
    try:
        c.send(b"GET %s HTTP/1.1\r\nHost: example.com\r\n%s\r\n" % (path.encode(), headers))
        version, status, reason, hdrs = c.read_head()
        want = int(hdrs["Content-Length"])
        parts, got = [c.buf], len(c.buf)
        c.buf = b""
        c.sock.settimeout(30)
        while got < want:
            data = c.sock.recv(1 << 20)
            if not data:
                break
            parts.append(data)
            got += len(data)
        return status, hdrs, b"".join(parts)
    finally:
        c.close()


@pytest.fixture
def big(origin, start_lacquer, prefix, monkeypatch):
    # An ASan build keeps freed memory in quarantine (256 MiB by default), which would count every
    # buffer that passed through; keep it small so RSS shows what is held.
    asan = os.environ.get("ASAN_OPTIONS", "")
    monkeypatch.setenv("ASAN_OPTIONS", (asan + ":" if asan else "") +
                       "quarantine_size_mb=1:thread_local_quarantine_size_kb=64")
    l = start_lacquer(origin.port, extra_args=("--memory", "16M"))
    path = prefix + "/big"
    origin.script(path, ok(max_age=3600, body_size=SIZE, pattern=True, headers=[("ETag", '"big1"')]))
    return l, path


def test_large_object_streams_to_disk_without_being_held(origin, big):
    l, path = big
    before = peak_rss_kib(l.proc.pid)
    status, hdrs, body = get_big(l, path)
    assert status == 200 and len(body) == SIZE
    assert body[:251] == bytes(range(251)) and body[-1] == (SIZE - 1) % 251
    assert "stored" in hdrs["Cache-Status"]
    # Held at most: the entries memtables (2 x 16 MiB), a few 1 MiB chunks in flight, the job's
    # 1 MiB window and the client's 4 MiB output buffer -- far below the object itself.
    grew_mib = (peak_rss_kib(l.proc.pid) - before) / 1024
    assert grew_mib < 64, "peak RSS grew by %.0f MiB for a %d MiB object" % (grew_mib, SIZE >> 20)
    # served from disk afterwards (once the manifest is written): whole, correct, no origin request
    l.expect_stat("lacquer_disk_large_commits_total", 1, deadline=20)
    status, hdrs, body2 = get_big(l, path)
    assert status == 200 and body2 == body
    assert "hit" in hdrs["Cache-Status"]
    assert origin.count(path) == 1
    assert (peak_rss_kib(l.proc.pid) - before) / 1024 < 64


def test_range_on_a_large_object_reads_only_that_range(origin, big):
    l, path = big
    get_big(l, path)
    l.expect_stat("lacquer_disk_large_commits_total", 1, deadline=20)
    reads_before = l.metric("lacquer_disk_large_reads_total")
    first, last = 50_000_000, 50_000_099
    r = l.get(path, headers={"Range": "bytes=%d-%d" % (first, last)})
    assert r.status == 206
    assert r.headers["Content-Range"] == "bytes %d-%d/%d" % (first, last, SIZE)
    assert r.body == pattern(first, last)
    assert l.metric("lacquer_disk_large_reads_total") - reads_before == 1  # one window, not the object
    assert origin.count(path) == 1


def test_large_object_conditional_and_head(origin, big):
    l, path = big
    get_big(l, path)
    l.expect_stat("lacquer_disk_large_commits_total", 1, deadline=20)
    assert l.get(path, headers={"If-None-Match": '"big1"'}).status == 304
    h = l.request("HEAD", path)
    assert h.status == 200 and h.body == b"" and int(h.headers["Content-Length"]) == SIZE
    assert origin.count(path) == 1


def test_truncated_large_object_is_never_stored(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, extra_args=("--memory", "16M"))
    path = prefix + "/cut"
    origin.script(path, ok(max_age=3600, body_size=40 << 20, truncate_after=30 << 20),
                  ok(max_age=3600, body_size=40 << 20))
    status, hdrs, body = get_big(l, path)
    assert len(body) < 40 << 20  # cut short, and the connection closed
    status, hdrs, body = get_big(l, path)
    assert status == 200 and len(body) == 40 << 20 and "hit" not in hdrs["Cache-Status"]
    assert origin.count(path) == 2
