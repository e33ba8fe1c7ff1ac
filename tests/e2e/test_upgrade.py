"""Issue 18 item 5: requests carrying Upgrade are never answered from the cache nor stored; a
101 from the origin becomes a tunnel in both directions owned by the HTTP/1.1 connection (byte
counts, idle timeout, connection cap); HTTP/2 gets a clear refusal instead (no RFC 8441)."""
import socket
import threading
import time

import pytest

from lacq import Conn, build_request, cache_status, ok, wait_until

WS_HEADERS = [("Connection", "Upgrade"), ("Upgrade", "websocket"),
              ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")]


class EchoUpgradeOrigin:
    """A real socket server: answers every request with 101 and then echoes every byte
    upper-cased; records the request heads and how many connections saw the client's close."""

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
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
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
    assert "upgrade" in headers.get("Connection", "").lower()
    assert "fwd-status=101" in headers.get("Cache-Status", ""), headers
    return c


def read_exact(c, n, timeout=5.0):
    out = c._read_exact(n, time.monotonic() + timeout)
    assert len(out) == n, "tunnel closed after %r" % out[:64]
    return out


def test_upgrade_request_is_never_answered_from_the_cache_nor_stored(origin, lacquer, prefix):
    path = prefix + "/ws"
    origin.script(path, ok("v1"), ok("v2"), ok("v3"))
    assert "stored" in cache_status(lacquer.get(path))  # a plain GET stores v1
    # Upgrade without "Connection: upgrade" is no valid upgrade: forwarded without it, uncached.
    r = lacquer.get(path, headers=[("Upgrade", "websocket")])
    assert r.status == 200 and r.body == b"v2" and "hit" not in cache_status(r) and "stored" not in cache_status(r), r
    # A valid upgrade that the origin declines (it answers 200): relayed as it is, not stored.
    with Conn(lacquer.port) as c:
        c.send(build_request("GET", path, WS_HEADERS))
        r = c.read_response()
        assert r.status == 200 and r.body == b"v3" and "stored" not in cache_status(r), r
    assert origin.count(path) == 3
    assert all(n.lower() != "upgrade" for n, _ in origin.requests(path)[1]["headers"])
    forwarded = {n.lower(): v for n, v in origin.requests(path)[2]["headers"]}
    assert forwarded.get("upgrade") == "websocket" and "upgrade" in forwarded.get("connection", "").lower()
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
    # The client's close reaches the origin (its connection was never pooled).
    wait_until(lambda: echo_origin.eofs == 1, message="the origin to see the client's close")
    head = echo_origin.heads[0]
    assert head.startswith("GET %s/chat HTTP/1.1" % prefix)
    assert "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" in head and "Upgrade: websocket" in head
    l.expect_stat("lacquer_tunnels_total", 1)
    l.expect_stat("lacquer_tunnel_bytes_to_origin_total", 100008)
    l.expect_stat("lacquer_tunnel_bytes_to_client_total", 100008)
    wait_until(lambda: l.metric("lacquer_connections_open") == 0, message="the tunnel's connection to close")
    # Never cached: the same URL goes to the origin again.
    c = open_tunnel(l.port, prefix + "/chat")
    c.close()
    wait_until(lambda: len(echo_origin.heads) == 2, message="a second origin request")


def test_idle_tunnel_is_closed_on_both_sides(echo_origin, start_lacquer, prefix):
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
            extra.wait_closed()  # refused at the cap: tunnels are busy, never evicted as idle
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
    wait_until(lambda: echo_origin.eofs == 1, message="the origin side closed too")


def test_http2_gets_a_clear_answer_not_a_tunnel(echo_origin, start_lacquer, prefix):
    """HTTP/2 has no 101 (RFC 9113 §8.6) and lacquer does not offer extended CONNECT (RFC 8441):
    the server's SETTINGS do not enable it, a :protocol request and an Upgrade field are stream
    errors that reach no origin, and a 101 the origin sends unasked is a 502."""
    h2conn = pytest.importorskip("h2.connection", reason="python3-h2 (Debian) is needed")
    import h2.errors
    import h2.events
    import h2.settings
    from test_http2 import H2Client
    l = start_lacquer(echo_origin.port)
    c = H2Client(l.port)
    assert c.pump(lambda c: any(isinstance(e, h2.events.RemoteSettingsChanged) for e in c.events))
    assert c.conn.remote_settings.get(h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL, 0) == 0
    sid = c.conn.get_next_available_stream_id()
    c.conn.send_headers(sid, [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
                              (":authority", "example.com"), (":path", prefix + "/ws")], end_stream=False)
    c.flush()
    assert c.reset_code(sid) == h2.errors.ErrorCodes.PROTOCOL_ERROR
    bad = c.request(prefix + "/ws", extra=[("upgrade", "websocket")])
    assert c.reset_code(bad) == h2.errors.ErrorCodes.PROTOCOL_ERROR
    assert echo_origin.heads == []
    # A plain GET is forwarded without any upgrade; the origin's unasked 101 is no answer for it.
    sid = c.request(prefix + "/ws")
    status, headers, body = c.response(sid)
    assert status == 502 and "origin-malformed" in headers.get("cache-status", ""), (status, headers)
    assert len(echo_origin.heads) == 1 and "upgrade" not in echo_origin.heads[0].lower()
    c.close()
    l.expect_stat("lacquer_tunnels_total", 0)
