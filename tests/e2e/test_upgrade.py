"""Issue 18 item 5: requests carrying Upgrade are never answered from the cache nor stored; a
101 from the origin becomes a tunnel in both directions (byte counts, idle timeout)."""
import socket
import threading

import pytest

from lacq import Conn, build_request, cache_status, ok, wait_until

WS_HEADERS = [("Connection", "Upgrade"), ("Upgrade", "websocket"),
              ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")]


class EchoUpgradeOrigin:
    """A real socket server: answers an upgrade request with 101 and then echoes every byte
    upper-cased; records the request heads and whether each connection saw the client's close."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.heads, self.eofs = [], 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                s, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(s,), daemon=True).start()

    def _one(self, s):
        with s:
            buf = b""
            while b"\r\n\r\n" not in buf:
                data = s.recv(4096)
                if not data:
                    return
                buf += data
            head, _, rest = buf.partition(b"\r\n\r\n")
            with self.lock:
                self.heads.append(head.decode("latin-1"))
            s.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
            if rest:
                s.sendall(rest.upper())
            while True:
                data = s.recv(4096)
                if not data:
                    with self.lock:
                        self.eofs += 1
                    return
                s.sendall(data.upper())

    def stop(self):
        self.sock.close()


@pytest.fixture
def echo_origin():
    o = EchoUpgradeOrigin()
    yield o
    o.stop()


def open_tunnel(port, path, host="example.com"):
    c = Conn(port)
    c.send(build_request("GET", path, WS_HEADERS, host=host))
    version, status, reason, headers = c.read_head()
    assert status == 101, (status, headers)
    assert headers.get("Upgrade") == "websocket"
    return c


def read_exact(c, n):
    out = b""
    while len(out) < n:
        data = c.sock.recv(n - len(out))
        assert data, "tunnel closed after %r" % out
        out += data
    return out


def test_upgrade_request_is_never_answered_from_the_cache_nor_stored(origin, lacquer, prefix):
    path = prefix + "/ws"
    origin.script(path, ok("v1"), ok("v2"), ok("v3"))
    assert "stored" in cache_status(lacquer.get(path))  # a plain GET stores v1
    # Upgrade without "Connection: upgrade" is no valid upgrade: forwarded without it, uncached.
    r = lacquer.get(path, headers=[("Upgrade", "websocket")])
    assert r.body == b"v2" and "hit" not in cache_status(r) and "stored" not in cache_status(r)
    # A valid upgrade that the origin declines (it answers 200): relayed, then the connection closes.
    with Conn(lacquer.port) as c:
        c.send(build_request("GET", path, WS_HEADERS))
        r = c.read_response()
        assert r.status == 200 and r.body == b"v3"
        c.wait_closed()
    assert origin.count(path) == 3
    forwarded = origin.requests(path)[2]
    names = {n.lower(): v for n, v in forwarded["headers"]}
    assert names.get("upgrade") == "websocket" and "upgrade" in names.get("connection", "").lower()
    hit = lacquer.get(path)
    assert hit.body == b"v1" and cache_status(hit).get("hit") is True  # nothing replaced it


def test_101_becomes_a_tunnel_in_both_directions(echo_origin, start_lacquer, prefix):
    l = start_lacquer(echo_origin.port)
    c = open_tunnel(l.port, prefix + "/chat")
    try:
        for msg in (b"hello", b"x" * 100000, b"bye"):
            c.send(msg)
            assert read_exact(c, len(msg)) == msg.upper()
    finally:
        c.close()
    wait_until(lambda: echo_origin.eofs == 1, message="the origin to see the client's close")
    head = echo_origin.heads[0]
    assert head.startswith("GET %s/chat HTTP/1.1" % prefix)
    assert "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" in head and "Upgrade: websocket" in head
    l.expect_stat("lacquer_tunnels_total", 1)
    l.expect_stat("lacquer_tunnel_bytes_to_origin_total", 100008)
    l.expect_stat("lacquer_tunnel_bytes_to_client_total", 100008)
    wait_until(lambda: l.metric("lacquer_connections_open") == 0, message="the tunnel's connection to close")


def test_idle_tunnel_is_closed(echo_origin, start_lacquer, prefix):
    l = start_lacquer(echo_origin.port, config_text='[limits]\ntunnel_idle_timeout = "300ms"\n')
    c = open_tunnel(l.port, prefix + "/idle")
    try:
        c.send(b"ping")
        assert read_exact(c, 4) == b"PING"
        c.wait_closed(timeout=5)
    finally:
        c.close()
    l.expect_stat("lacquer_tunnel_idle_timeouts_total", 1)
    wait_until(lambda: echo_origin.eofs == 1, message="the origin side closed too")


def test_tunnels_count_against_the_connection_cap(echo_origin, start_lacquer, prefix):
    l = start_lacquer(echo_origin.port, config_text="[limits]\nmax_connections = 3\n", threads=1)
    tunnels = [open_tunnel(l.port, prefix + "/t%d" % i) for i in range(3)]
    try:
        with Conn(l.port) as extra:
            extra.send(build_request("GET", prefix + "/more"))
            extra.wait_closed()  # refused at the cap (the admin port counts too, so no /metrics
            # here): tunnels are busy connections, never evicted as idle ones are
        tunnels[0].send(b"still")
        assert read_exact(tunnels[0], 5) == b"STILL"
    finally:
        for t in tunnels:
            t.close()


def test_graceful_stop_closes_open_tunnels(echo_origin, start_lacquer, prefix):
    l = start_lacquer(echo_origin.port)
    c = open_tunnel(l.port, prefix + "/stop")
    try:
        assert l.terminate(timeout=5) == 0  # a tunnel does not hold the shutdown up
        c.wait_closed()
    finally:
        c.close()
