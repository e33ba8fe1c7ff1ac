"""Zero-downtime upgrade: `lacquer --takeover` (and SIGUSR2) takes the listening sockets and then
the state directory over from a running lacquer, under keep-alive load, with no failed request
and a warm cache."""
import http.client
import os
import signal
import socket
import threading
import time

from lacq import get, metrics, ok, run_lacquer, wait_until

KEYS = ["/warm/%d" % i for i in range(40)]


class KeepAliveClients:
    """Clients that send GETs back to back on keep-alive connections, as wrk does, and reconnect
    only when a response says `Connection: close`. Anything else that goes wrong is an error."""

    def __init__(self, port, count=4):
        self.port = port
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.errors = []
        self.answers = 0
        self.not_hits = []
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(count)]
        for t in self.threads:
            t.start()

    def _run(self, n):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        i = n
        while not self.stop.is_set():
            path = KEYS[i % len(KEYS)]
            i += 1
            try:
                conn.request("GET", path, headers={"Host": "example.com"})
                r = conn.getresponse()
                body = r.read()
                status = r.status
                cache_status = r.getheader("Cache-Status", "")
            except Exception as e:  # a reset, or a close without a response: a failed request
                with self.lock:
                    self.errors.append("%s: %r" % (path, e))
                conn.close()
                continue
            with self.lock:
                self.answers += 1
                if status != 200 or body != path.encode():
                    self.errors.append("%s: %d %r" % (path, status, body[:40]))
                if "; hit" not in cache_status:
                    self.not_hits.append((path, cache_status))
        conn.close()

    def count(self):
        with self.lock:
            return self.answers

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(15)
        assert not any(t.is_alive() for t in self.threads), "a client hung"


def warm(origin, l):
    for path in KEYS:
        origin.script(path, ok(path))
    for path in KEYS:
        assert l.get(path).status == 200
    for path in KEYS:  # stored: answered from the cache now
        assert "; hit" in l.get(path).headers.get("Cache-Status")


def test_takeover_under_keep_alive_load_fails_nothing_and_keeps_the_cache(origin, start_lacquer, tmp_path):
    state = tmp_path / "state"
    old = start_lacquer(origin.port, state_dir=state)
    warm(origin, old)
    clients = KeepAliveClients(old.port)
    try:
        wait_until(lambda: clients.count() >= 200, deadline=20, message="load before the takeover")
        new = start_lacquer(origin.port, state_dir=state, extra_args=["--takeover"])
        assert new.port == old.port and new.admin_port == old.admin_port
        assert old.proc.wait(15) == 0, old.text()
        at_handover = clients.count()
        wait_until(lambda: clients.count() >= at_handover + 300, deadline=20, message="load after the takeover")
    finally:
        clients.finish()
    assert clients.errors == [], clients.errors[:10]
    assert any("took over from pid %d" % old.proc.pid in x for x in new.lines), new.text()
    assert any("pid %d took over" % new.proc.pid in x for x in old.lines), old.text()
    # Warm: every answer was a hit, and the origin saw each key once (the warming miss), not
    # again from the new process.
    assert clients.not_hits == [], clients.not_hits[:10]
    for path in KEYS:
        assert origin.count(path) == 1, path
    # The new process answers from its own disk tier (it opened the state dir).
    assert new.metric("lacquer_cache_hits_total") > 0
    # And it can hand over again (the takeover socket is its own now).
    newer = start_lacquer(origin.port, state_dir=state, extra_args=["--takeover"])
    assert new.proc.wait(15) == 0, new.text()
    assert "; hit" in newer.get(KEYS[0]).headers.get("Cache-Status")


def test_sigusr2_starts_the_successor_itself(origin, start_lacquer, tmp_path):
    old = start_lacquer(origin.port, state_dir=tmp_path / "state")
    origin.script("/u", ok("u"))
    assert old.get("/u").status == 200
    old.proc.send_signal(signal.SIGUSR2)
    # The successor inherits stderr: its lines come through the old process's pipe.
    assert old.proc.wait(15) == 0, old.text()
    line = wait_until(lambda: [x for x in old.lines if "holds the listening sockets" in x], message="handover line")[0]
    successor = int(line.split("pid ")[1].split()[0])
    try:
        wait_until(lambda: any("took over from pid %d" % old.proc.pid in x for x in old.lines),
                   deadline=10, message="successor ready")
        assert "; hit" in old.get("/u").headers.get("Cache-Status")  # same port, same cache
        assert origin.count("/u") == 1
    finally:
        os.kill(successor, signal.SIGTERM)
        wait_until(lambda: _gone(successor), deadline=10, message="successor stopped")


def _gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1][0] in "ZX"  # a zombie: init has not reaped it yet
    except FileNotFoundError:
        return True


def test_takeover_without_a_running_lacquer_says_so(tmp_path):
    res = run_lacquer(["--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--state-dir", str(tmp_path / "s"),
                       "--takeover"])
    assert res.returncode == 1, res.stderr
    assert "no running lacquer answers on %s" % (tmp_path / "s" / "takeover.sock") in res.stderr, res.stderr
    assert "lacquer: ready" not in res.stderr


def test_a_bad_takeover_request_changes_nothing(origin, start_lacquer, tmp_path):
    l = start_lacquer(origin.port, state_dir=tmp_path / "state")
    origin.script("/still", ok("s"))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(tmp_path / "state" / "takeover.sock"))
    s.sendall(b"GET / HTTP/1.1\r\n\r\n")
    try:
        answer = s.recv(100)
    except ConnectionResetError:  # closed with our bytes unread
        answer = b""
    assert answer == b""  # refused: no sockets sent
    s.close()
    wait_until(lambda: any("takeover refused" in x for x in l.lines), message="refusal logged")
    assert l.get("/still").status == 200
    assert l.proc.poll() is None


def test_takeover_with_another_thread_count_serves_every_socket(origin, start_lacquer, tmp_path):
    # 1 socket to 3 workers (they share it), then those 3 to 1 worker (it accepts on all).
    # The kernel spreads new connections over every socket of the port: each must be served.
    state = tmp_path / "state"
    origin.script("/t", ok("t"))
    old = start_lacquer(origin.port, state_dir=state, threads=1)
    assert old.get("/t").status == 200
    for threads in (3, 1):
        new = start_lacquer(origin.port, state_dir=state, threads=threads, extra_args=["--takeover"])
        assert old.proc.wait(15) == 0, old.text()
        for _ in range(24):  # fresh connections, from fresh source ports
            r = new.get("/t")
            assert r.status == 200 and "; hit" in r.headers.get("Cache-Status")
        old = new
    assert origin.count("/t") == 1


def test_takeover_sends_goaway_to_http2_clients_and_the_new_process_serves_them(origin, start_lacquer, tmp_path):
    import pytest
    pytest.importorskip("h2.connection", reason="python3-h2 (Debian) is needed: run with /usr/bin/python3")
    import h2.errors
    from test_http2 import H2Client

    state = tmp_path / "state"
    origin.script("/h2", ok("h2"))
    old = start_lacquer(origin.port, state_dir=state)
    c = H2Client(old.port)
    status, _, body = c.response(c.request("/h2"))
    assert (status, body) == (200, b"h2")
    new = start_lacquer(origin.port, state_dir=state, extra_args=["--takeover"])
    assert c.pump(lambda cl: cl.goaway() is not None), "no GOAWAY from the old process"
    assert c.goaway().error_code == h2.errors.ErrorCodes.NO_ERROR
    c.close()
    assert old.proc.wait(15) == 0, old.text()
    c2 = H2Client(new.port)  # the client reconnects: the new process, same port, warm cache
    status, headers, body = c2.response(c2.request("/h2"))
    assert (status, body) == (200, b"h2") and "; hit" in headers["cache-status"]
    c2.close()
    assert origin.count("/h2") == 1


def test_takeover_carries_the_listen_tables_sockets(origin, start_lacquer, tmp_path):
    state = tmp_path / "state"
    table = '[[listen]]\naddress = "127.0.0.1:0"\n'
    origin.script("/t", ok("t"))
    old = start_lacquer(origin.port, state_dir=state, config_text=table)
    line = wait_until(lambda: [x for x in old.lines if "listening http=" in x], message="table listening")[0]
    table_port = int(line.rsplit(":", 1)[1])
    assert get(table_port, "/t").status == 200
    new = start_lacquer(origin.port, state_dir=state, config_text=table, extra_args=["--takeover"])
    assert old.proc.wait(15) == 0, old.text()
    assert any("listening http=127.0.0.1:%d" % table_port in x for x in new.lines), new.text()
    for _ in range(12):  # fresh connections to the table's port: the new process answers, warm
        r = get(table_port, "/t")
        assert r.status == 200 and "; hit" in r.headers.get("Cache-Status")
    assert origin.count("/t") == 1
