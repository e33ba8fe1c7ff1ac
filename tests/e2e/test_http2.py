"""HTTP/2 with prior knowledge on the cleartext port (RFC 9113 §3.3): the same request engine
as HTTP/1.1 behind curl and nghttp, and hostile frames crafted with python3-h2 (Debian's
package; run with /usr/bin/python3 as scripts/test.sh does)."""
import re
import socket
import ssl
import subprocess
import time

import pytest

import lacq
from lacq import wait_until

h2 = pytest.importorskip("h2.connection", reason="python3-h2 (Debian) is needed: run with /usr/bin/python3")
import h2.config  # noqa: E402
import h2.events  # noqa: E402
import h2.errors  # noqa: E402
import h2.settings  # noqa: E402
import hpack  # noqa: E402
import hyperframe.frame  # noqa: E402

from test_tls import make_cert  # noqa: E402


def curl(port, path, *args):
    """curl over h2c prior knowledge: (status, headers dict lower-cased, body bytes)."""
    out = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-H", "Host: example.com", "-D", "-", "--max-time", "10", *args,
                          "http://127.0.0.1:%d%s" % (port, path)], capture_output=True, timeout=15, check=True)
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/2 "), lines[0]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


class H2Client:
    """A raw HTTP/2 client on one socket: h2 for the protocol state, the socket for sending any
    bytes we like (frames h2 would never make)."""

    def __init__(self, port, settings=None, tls=False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if tls:  # h2 by ALPN, any certificate
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.set_alpn_protocols(["h2"])
            self.sock = ctx.wrap_socket(self.sock, server_hostname="example.com")
            assert self.sock.selected_alpn_protocol() == "h2"
        cfg = h2.config.H2Configuration(client_side=True, validate_outbound_headers=False,
                                        normalize_outbound_headers=False, validate_inbound_headers=False)
        self.conn = h2.connection.H2Connection(config=cfg)
        self.conn.initiate_connection()
        if settings:
            self.conn.update_settings(settings)
        self.events = []
        self.closed = False  # the server closed (EOF or reset on read)
        self.send_failed = False
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data and not self.send_failed:
            try:
                self.sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                self.send_failed = True  # the server gave up on us; what it sent may still be read

    def send_raw(self, data):
        self.sock.sendall(data)

    def pump(self, until, deadline=5.0):
        """Reads and handles events until until(self) is true or the connection closes."""
        end = time.monotonic() + deadline
        while not until(self):
            if self.closed:
                return False
            left = end - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, ConnectionResetError):
                data = b""
                if time.monotonic() >= end:
                    return False
            if not data:
                self.closed = True
                continue
            try:
                self.events += self.conn.receive_data(data)
            except h2.exceptions.ProtocolError:
                self.closed = True
            self.flush()
        return True

    def request(self, path, extra=(), end_stream=True, method="GET", authority="example.com"):
        sid = self.conn.get_next_available_stream_id()
        headers = [(":method", method), (":scheme", "http"), (":authority", authority), (":path", path)]
        self.conn.send_headers(sid, headers + list(extra), end_stream=end_stream)
        self.flush()
        return sid

    def of(self, sid, kind):
        return [e for e in self.events if isinstance(e, kind) and getattr(e, "stream_id", None) == sid]

    def response(self, sid, deadline=5.0):
        """(status, headers dict, body) once the stream ended; acknowledges DATA as it arrives."""
        def ended(c):
            for e in c.events:
                if isinstance(e, h2.events.DataReceived) and e.stream_id == sid and e.flow_controlled_length:
                    c.conn.acknowledge_received_data(e.flow_controlled_length, sid)
                    e.flow_controlled_length = 0
            c.flush()
            return bool(c.of(sid, h2.events.StreamEnded) or c.of(sid, h2.events.StreamReset))
        assert self.pump(ended, deadline), "no end of stream %d" % sid
        assert not self.of(sid, h2.events.StreamReset), "stream %d was reset" % sid
        head = self.of(sid, h2.events.ResponseReceived)[0].headers
        headers = {k.decode(): v.decode() for k, v in head}
        body = b"".join(e.data for e in self.of(sid, h2.events.DataReceived))
        return int(headers[":status"]), headers, body

    def reset_code(self, sid, deadline=5.0):
        assert self.pump(lambda c: c.of(sid, h2.events.StreamReset) or c.of(sid, h2.events.StreamEnded), deadline)
        resets = self.of(sid, h2.events.StreamReset)
        return resets[0].error_code if resets else None

    def goaway(self):
        g = [e for e in self.events if isinstance(e, h2.events.ConnectionTerminated)]
        return g[0] if g else None

    def close(self):
        self.sock.close()


# A client connection preface (RFC 9113 §3.4) with empty SETTINGS, for raw-frame tests.
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + hyperframe.frame.SettingsFrame(0).serialize()


class RawFrames:
    """Reads the server's frames off a socket without any HTTP/2 state of our own, so the test can
    send frames no client library would."""

    def __init__(self, sock):
        self.sock, self.buf, self.frames, self.closed = sock, b"", [], False

    def read(self, until, deadline=5.0):
        end = time.monotonic() + deadline
        while not until(self) and not self.closed and time.monotonic() < end:
            self.sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                data = b""
            if not data:
                self.closed = True
            self.buf += data
            while len(self.buf) >= 9:
                length = int.from_bytes(self.buf[:3], "big")
                if len(self.buf) < 9 + length:
                    break
                frame, _ = hyperframe.frame.Frame.parse_frame_header(memoryview(self.buf[:9]))
                frame.parse_body(memoryview(self.buf[9:9 + length]))
                self.buf = self.buf[9 + length:]
                self.frames.append(frame)
        return until(self)

    def goaway(self):
        g = [f for f in self.frames if isinstance(f, hyperframe.frame.GoAwayFrame)]
        return g[0] if g else None


def still_serves(port, path):
    status, _, _ = curl(port, path)
    assert status == 200


# ---- the engine over HTTP/2 -----------------------------------------------------------------

def test_miss_then_hit_over_h2c_and_http1_still_works(origin, lacquer, prefix):
    s1, h1, b1 = curl(lacquer.port, prefix + "/a")
    s2, h2_, b2 = curl(lacquer.port, prefix + "/a")
    assert (s1, s2) == (200, 200)
    assert b1 == b2 == ("origin %s/a\n" % prefix).encode()
    assert "fwd=miss" in h1["cache-status"] and "hit" in h2_["cache-status"]
    assert "age" in h2_ and "via" in h2_
    assert "connection" not in h2_ and "transfer-encoding" not in h2_
    assert origin.count(prefix + "/a") == 1
    # The same port still speaks HTTP/1.1, and shares the cache.
    r = lacquer.get(prefix + "/a")
    assert r.status == 200 and "hit" in r.headers["Cache-Status"]
    assert lacquer.metric('lacquer_requests_by_protocol_total{protocol="h2c"}') >= 2
    assert lacquer.metric('lacquer_requests_by_protocol_total{protocol="http1"}') >= 1


def test_authority_is_the_host_for_key_and_forwarding(origin, lacquer, prefix):
    c = H2Client(lacquer.port)
    a = c.request(prefix + "/h", authority="one.example")
    b = c.request(prefix + "/h", authority="two.example")
    assert c.response(a)[0] == 200 and c.response(b)[0] == 200
    hosts = sorted(v for r in origin.requests(prefix + "/h") for n, v in r["headers"] if n.lower() == "host")
    assert hosts == ["one.example", "two.example"]
    c.close()


def test_head_range_and_large_body(origin, lacquer, prefix):
    curl(lacquer.port, prefix + "/r")
    c = H2Client(lacquer.port)
    status, headers, body = c.response(c.request(prefix + "/r", method="HEAD"))
    assert status == 200 and body == b"" and headers["content-length"] == str(len("origin %s/r\n" % prefix))
    assert "hit" in headers["cache-status"]
    c.close()
    status, headers, body = curl(lacquer.port, prefix + "/r", "-r", "0-5")
    assert status == 206 and body == b"origin" and headers["content-range"].startswith("bytes 0-5/")
    # Larger than the client's initial windows and the per-stream output cap: flow control works.
    status, _, body = curl(lacquer.port, "/bytes/6000000" + prefix.replace("/", "_"))
    assert status == 200 and len(body) == 6000000


def test_validators_multipart_ranges_coalescing_and_stale_over_h2(origin, lacquer, prefix):
    c = H2Client(lacquer.port)
    # 304 and 412 from a stored response with a validator.
    path = prefix + "/v"
    origin.script(path, {"status": 200, "headers": [["Cache-Control", "public, max-age=3600"], ["ETag", '"a"']],
                         "body": "0123456789"})
    assert c.response(c.request(path))[0] == 200
    status, headers, body = c.response(c.request(path, extra=[("if-none-match", '"a"')]))
    assert (status, body) == (304, b"") and headers["etag"] == '"a"' and "hit" in headers["cache-status"]
    assert c.response(c.request(path, extra=[("if-match", '"other"')]))[0] == 412
    # Two ranges: multipart/byteranges.
    status, headers, body = c.response(c.request(path, extra=[("range", "bytes=0-1,5-6")]))
    assert status == 206 and headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert b"Content-Range: bytes 0-1/10" in body and b"Content-Range: bytes 5-6/10" in body
    assert origin.count(path) == 1
    # Two streams for one held miss: one origin request, both answered.
    slow = prefix + "/held"
    origin.script(slow, {"status": 200, "headers": [["Cache-Control", "public, max-age=60"]], "body": "once",
                         "hold": "h2-held"})
    first, second = c.request(slow), c.request(slow)
    wait_until(lambda: origin.count(slow) == 1, message="the miss at the origin")
    origin.open("h2-held")
    assert c.response(first)[2] == c.response(second)[2] == b"once"
    assert origin.count(slow) == 1
    # Stale from the start (Age past max-age) with stale-while-revalidate: served stale at once.
    stale = prefix + "/stale"
    origin.script(stale, {"status": 200, "headers": [["Cache-Control", "max-age=10, stale-while-revalidate=60"],
                                                       ["Age", "20"]], "body": "old"},
                  {"status": 200, "headers": [["Cache-Control", "max-age=60"]], "body": "new"})
    assert c.response(c.request(stale))[2] == b"old"
    status, headers, body = c.response(c.request(stale))
    assert body == b"old" and "stale-while-revalidate" in headers["cache-status"]
    c.close()


def test_post_body_reaches_origin_and_purge(origin, lacquer, prefix):
    status, headers, body = curl(lacquer.port, prefix + "/p", "--data-binary", "hello h2")
    assert status == 200
    reqs = origin.requests(prefix + "/p")
    assert len(reqs) == 1 and reqs[0]["method"] == "POST" and reqs[0]["body"] == "hello h2"
    curl(lacquer.port, prefix + "/x")
    status, _, body = curl(lacquer.port, prefix + "/x", "-X", "PURGE")
    assert status == 200 and b"purged" in body
    _, headers, _ = curl(lacquer.port, prefix + "/x")
    assert "fwd=miss" in headers["cache-status"]
    assert origin.count(prefix + "/x") == 2


def test_nghttp_many_streams_on_one_connection(origin, lacquer, prefix):
    out = subprocess.run(["nghttp", "-n", "-s", "-m", "30", "http://127.0.0.1:%d%s/m" % (lacquer.port, prefix)],
                         capture_output=True, timeout=15, text=True)
    assert out.returncode == 0, out.stderr
    rows = [l for l in out.stdout.splitlines() if l.strip().endswith(prefix + "/m")]
    assert len(rows) == 30 and all(" 200 " in r for r in rows)
    assert origin.count(prefix + "/m") == 1  # coalesced or hits
    assert lacquer.metric("lacquer_h2_streams_total") >= 30


def test_preface_only_at_connection_start(origin, lacquer, prefix):
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    # At the start: HTTP/2. The server's first frame is its SETTINGS (type 4 on stream 0).
    s = socket.create_connection(("127.0.0.1", lacquer.port), timeout=5)
    s.sendall(preface)
    head = b""
    while len(head) < 9:
        chunk = s.recv(9 - len(head))
        assert chunk, "closed before a frame"
        head += chunk
    assert head[3] == 4 and int.from_bytes(head[5:9], "big") == 0, head
    s.close()
    # After an HTTP/1.1 request on the same connection: not a switch, a 505.
    with lacquer.conn() as c:
        c.send(lacq.build_request("GET", prefix + "/first"))
        assert c.read_response().status == 200
        c.send(preface)
        assert c.read_response().status == 505


# ---- hostile input --------------------------------------------------------------------------

MALFORMED = {
    "uppercase name": [("X-Upper", "1")],
    "connection field": [("connection", "close")],
    "transfer-encoding": [("transfer-encoding", "chunked")],
    "te not trailers": [("te", "gzip")],
    "pseudo after regular": [("accept", "x"), (":method", "GET")],
    "unknown pseudo": [(":status", "200")],
    "duplicate path": [(":path", "/again")],
    "newline in value": [("x-a", "a\nb")],
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_request_is_a_stream_error_and_reaches_no_origin(origin, lacquer, prefix, case):
    c = H2Client(lacquer.port)
    bad = c.request(prefix + "/bad", extra=MALFORMED[case])
    assert c.reset_code(bad) == h2.errors.ErrorCodes.PROTOCOL_ERROR
    # The connection lives on: a good request on it is answered.
    good = c.request(prefix + "/good")
    assert c.response(good)[0] == 200
    assert origin.count(prefix + "/bad") == 0
    c.close()


@pytest.mark.parametrize("declared,sent", [(5, 10), (10, 5)], ids=["more-data", "less-data"])
def test_content_length_that_disagrees_with_data_is_a_stream_error(origin, lacquer, prefix, declared, sent):
    # RFC 9113 §8.1.1: a content-length other than the DATA's total makes the request malformed.
    sock = socket.create_connection(("127.0.0.1", lacquer.port), timeout=5)
    enc = hpack.Encoder()
    block = enc.encode([(":method", "POST"), (":scheme", "http"), (":authority", "e"), (":path", prefix + "/cl"),
                        ("content-length", str(declared))])
    sock.sendall(PREFACE +
                 hyperframe.frame.HeadersFrame(1, data=block, flags=["END_HEADERS"]).serialize() +
                 hyperframe.frame.DataFrame(1, data=b"x" * sent, flags=["END_STREAM"]).serialize())
    reader = RawFrames(sock)
    resets = lambda r: [f for f in r.frames if isinstance(f, hyperframe.frame.RstStreamFrame)]
    assert reader.read(lambda r: resets(r))
    assert resets(reader)[0].stream_id == 1 and resets(reader)[0].error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
    sock.close()
    assert origin.count(prefix + "/cl") == 0
    still_serves(lacquer.port, prefix + "/ok")


def test_missing_pseudo_header_is_a_stream_error(origin, lacquer, prefix):
    c = H2Client(lacquer.port)
    sid = c.conn.get_next_available_stream_id()
    c.conn.send_headers(sid, [(":method", "GET"), (":scheme", "http"), (":authority", "e")], end_stream=True)
    c.flush()
    assert c.reset_code(sid) == h2.errors.ErrorCodes.PROTOCOL_ERROR
    c.close()
    still_serves(lacquer.port, prefix + "/ok")


def test_header_list_over_32k_gets_431_and_reaches_no_origin(origin, lacquer, prefix):
    c = H2Client(lacquer.port)
    big = [("x-h%d" % i, "v" * 1000) for i in range(40)]  # ~40 KiB decoded
    sid = c.request(prefix + "/big", extra=big)
    assert c.response(sid)[0] == 431
    good = c.request(prefix + "/after")
    assert c.response(good)[0] == 200
    assert origin.count(prefix + "/big") == 0
    c.close()


def test_hpack_bomb_ends_the_connection(origin, lacquer, prefix):
    # One 4 KiB field in the dynamic table, then the same field referenced by index many times:
    # a few bytes on the wire, megabytes decoded.
    c = H2Client(lacquer.port)
    enc = hpack.Encoder()
    block = enc.encode([(":method", "GET"), (":scheme", "http"), (":authority", "e"), (":path", prefix),
                        ("x-bomb", "b" * 4000)])
    block += enc.encode([("x-bomb", "b" * 4000)] * 200)
    sid = 1
    frame = hyperframe.frame.HeadersFrame(sid, data=block, flags=["END_HEADERS", "END_STREAM"])
    c.send_raw(frame.serialize())
    assert c.pump(lambda c: c.goaway() is not None or c.closed)
    g = c.goaway()
    assert c.closed or g.error_code == h2.errors.ErrorCodes.ENHANCE_YOUR_CALM
    assert origin.count(prefix) == 0
    c.close()
    still_serves(lacquer.port, prefix + "/ok")


def test_continuation_flood_is_bounded(origin, lacquer, prefix):
    c = H2Client(lacquer.port)
    enc = hpack.Encoder()
    first = enc.encode([(":method", "GET"), (":scheme", "http"), (":authority", "e"), (":path", prefix)])
    c.send_raw(hyperframe.frame.HeadersFrame(1, data=first).serialize())  # no END_HEADERS
    sent = 0
    try:
        for i in range(20000):  # up to ~2 MB of CONTINUATION, never ending the block
            frag = enc.encode([("x-c%d" % i, "c" * 80)])
            c.send_raw(hyperframe.frame.ContinuationFrame(1, data=frag).serialize())
            sent += 1
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert c.pump(lambda c: c.goaway() is not None or c.closed)
    assert sent < 20000 or c.closed or c.goaway() is not None
    c.close()
    still_serves(lacquer.port, prefix + "/ok")


def test_rapid_reset_gets_goaway_enhance_your_calm(origin, lacquer, prefix):
    c = H2Client(lacquer.port)
    for i in range(400):
        sid = c.request("%s/rr%d" % (prefix, i))
        c.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
        c.flush()
        if c.send_failed:
            break
    assert c.pump(lambda c: c.goaway() is not None or c.closed)
    g = c.goaway()
    assert g is not None and g.error_code == h2.errors.ErrorCodes.ENHANCE_YOUR_CALM
    c.close()
    assert lacquer.metric("lacquer_h2_resets_received_total") > 100
    still_serves(lacquer.port, prefix + "/ok")


def send_until_refused(sock, frames, reader, rounds):
    """Sends `frames` (bytes) `rounds` times, reading as it goes (so acknowledgements never pile
    up on the server's side); stops at the server's GOAWAY or close."""
    for _ in range(rounds):
        try:
            sock.sendall(frames)
        except (BrokenPipeError, ConnectionResetError):
            break
        if reader.read(lambda r: r.goaway() is not None, deadline=0.001) or reader.closed:
            break
    reader.read(lambda r: r.goaway() is not None)


def open_stream(prefix):
    """The preface, our SETTINGS, and a request on stream 1 whose body never ends."""
    enc = hpack.Encoder()
    block = enc.encode([(":method", "POST"), (":scheme", "http"), (":authority", "e"), (":path", prefix + "/f")])
    return PREFACE + \
        hyperframe.frame.HeadersFrame(1, data=block, flags=["END_HEADERS"]).serialize()


FLOODS = {
    # cause label: 100 frames of the flood, each cheap for the client and costing the server work
    "priority": b"".join(hyperframe.frame.PriorityFrame(3 + 2 * i, depends_on=1, stream_weight=16).serialize()
                         for i in range(100)),
    "window_update": b"".join(hyperframe.frame.WindowUpdateFrame(0, window_increment=1).serialize() for _ in range(100)),
    "empty_data": b"".join(hyperframe.frame.DataFrame(1, data=b"").serialize() for _ in range(100)),
    "settings": b"".join(hyperframe.frame.SettingsFrame(0, settings={4: 65535}).serialize() for _ in range(100)),
    "ping": b"".join(hyperframe.frame.PingFrame(0, opaque_data=i.to_bytes(8, "big")).serialize() for i in range(100)),
}


@pytest.mark.parametrize("cause", sorted(FLOODS))
def test_a_flood_of_frames_gets_goaway_enhance_your_calm(origin, lacquer, prefix, cause):
    sock = socket.create_connection(("127.0.0.1", lacquer.port), timeout=5)
    sock.sendall(open_stream(prefix))
    reader = RawFrames(sock)
    send_until_refused(sock, FLOODS[cause], reader, rounds=200)  # up to 20,000 frames
    g = reader.goaway()
    assert g is not None, "no GOAWAY after a %s flood" % cause
    assert g.error_code == h2.errors.ErrorCodes.ENHANCE_YOUR_CALM
    sock.close()
    assert lacquer.metric('lacquer_h2_floods_total{cause="%s"}' % cause) >= 1
    still_serves(lacquer.port, prefix + "/ok")


def test_a_ping_flood_from_a_client_that_never_reads_is_cut_off(origin, lacquer, prefix):
    sock = socket.create_connection(("127.0.0.1", lacquer.port), timeout=5)
    sock.sendall(open_stream(prefix))
    try:
        for _ in range(500):  # 50,000 PINGs; their acknowledgements are never read
            sock.sendall(FLOODS["ping"])
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    reader = RawFrames(sock)
    assert reader.read(lambda r: r.goaway() is not None) or reader.closed
    sock.close()
    assert lacquer.metric("lacquer_h2_floods_total") >= 1
    still_serves(lacquer.port, prefix + "/ok")


def test_resets_the_client_provokes_get_goaway_enhance_your_calm(origin, lacquer, prefix):
    # MadeYouReset (CVE-2025-8671): each stream is opened, then a WINDOW_UPDATE that overflows its
    # send window makes the server reset it (RFC 9113 §6.9.1: a stream error FLOW_CONTROL_ERROR),
    # so the client never resets anything itself.
    sock = socket.create_connection(("127.0.0.1", lacquer.port), timeout=5)
    sock.sendall(PREFACE)
    reader = RawFrames(sock)
    enc = hpack.Encoder()
    for i in range(300):
        sid = 1 + 2 * i
        block = enc.encode([(":method", "POST"), (":scheme", "http"), (":authority", "e"), (":path", prefix + "/m")])
        try:
            sock.sendall(hyperframe.frame.HeadersFrame(sid, data=block, flags=["END_HEADERS"]).serialize() +
                         hyperframe.frame.WindowUpdateFrame(sid, window_increment=2 ** 31 - 1).serialize())
        except (BrokenPipeError, ConnectionResetError):
            break
        if reader.read(lambda r: r.goaway() is not None, deadline=0.001) or reader.closed:
            break
    reader.read(lambda r: r.goaway() is not None)
    resets = [f for f in reader.frames if isinstance(f, hyperframe.frame.RstStreamFrame)]
    assert len(resets) > 100 and all(f.error_code == h2.errors.ErrorCodes.FLOW_CONTROL_ERROR for f in resets)
    g = reader.goaway()
    assert g is not None and g.error_code == h2.errors.ErrorCodes.ENHANCE_YOUR_CALM
    sock.close()
    assert lacquer.metric('lacquer_h2_resets_sent_total{reason="flow_control_error"}') > 100
    assert lacquer.metric('lacquer_h2_floods_total{cause="resets"}') >= 1
    assert origin.count(prefix + "/m") == 0
    still_serves(lacquer.port, prefix + "/ok")


def test_more_than_100_concurrent_streams_are_refused(origin, lacquer, prefix):
    origin.script(prefix + "/slow", {"status": 200, "body": "slow\n", "hold": "held"})
    c = H2Client(lacquer.port)
    assert c.pump(lambda c: c.conn.remote_settings.max_concurrent_streams == 100)
    # h2 would refuse to open more than the peer allows: bypass its bookkeeping with raw frames.
    enc = hpack.Encoder()
    sids = list(range(1, 2 * 105, 2))
    for sid in sids:
        block = enc.encode([(":method", "GET"), (":scheme", "http"), (":authority", "e"),
                            (":path", "%s/slow" % prefix)])
        c.send_raw(hyperframe.frame.HeadersFrame(sid, data=block, flags=["END_HEADERS", "END_STREAM"]).serialize())
    def refusals(r):
        out = [(f.stream_id, f.error_code) for f in r.frames if isinstance(f, hyperframe.frame.RstStreamFrame)]
        # nghttp2 treats going past an acknowledged limit as a connection error.
        return out + [(f.last_stream_id + 2, f.error_code) for f in r.frames
                      if isinstance(f, hyperframe.frame.GoAwayFrame)]
    # Read raw frames: h2's state machine does not know these streams.
    reader = RawFrames(c.sock)
    reader.read(refusals)
    refused = refusals(reader)
    assert refused, "no stream was refused"
    assert all(sid > 2 * 100 for sid, _ in refused), refused
    origin.open("held")
    c.close()
    still_serves(lacquer.port, prefix + "/ok")


def test_zero_window_stall_times_out(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text='[limits]\nidle_timeout = "1s"\n')
    c = H2Client(l.port, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
    sid = c.request("/bytes/100000" + prefix.replace("/", "_"))
    started = time.monotonic()
    assert c.pump(lambda c: c.closed or c.goaway() is not None, deadline=8)
    assert time.monotonic() - started < 8
    c.close()
    still_serves(l.port, prefix + "/ok")


BIG = 32 << 20


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "tls"])
def test_slow_reader_of_a_large_object_pauses_the_origin(origin, start_lacquer, prefix, tmp_path, tls):
    """As test_hostile_clients' HTTP/1.1 slow reader: a client whose HTTP/2 windows are wide open
    but which reads nothing gets at most the stream's and the connection's output caps buffered
    in lacquer, so the origin's writes stall; others are served; and the whole body arrives once
    the client reads. Over TLS, frames written straight to SSL_write that the socket refuses are
    queued and retried from the queue, in order."""
    config = '[limits]\nmax_output_buffer = "1M"\n'
    if tls:
        cert, key = make_cert(tmp_path, "slow", "example.com", ["example.com"])
        config += '[[listen]]\naddress = "127.0.0.1:0"\ntls = true\ncertificates = [ { cert = "%s", key = "%s" } ]\n' % (
            cert, key)
    l = start_lacquer(origin.port, config_text=config)
    port = int(re.search(r"listening https=127\.0\.0\.1:(\d+)", "\n".join(l.lines)).group(1)) if tls else l.port
    path = prefix + "/big"
    origin.script(path, lacq.ok(max_age=None, body_size=BIG, sndbuf=64 << 10, pattern=True))
    c = H2Client(port, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 2 ** 31 - 1}, tls=tls)
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
    c.conn.increment_flow_control_window(2 ** 31 - 1 - 65535)  # the connection window too
    c.flush()
    sid = c.request(path)
    history = []

    def stalled():
        recs = origin.requests(path)
        history.append(recs[0]["sent"] if recs else 0)
        return len(history) >= 5 and history[-1] > 0 and len(set(history[-5:])) == 1
    lacq.wait_until(stalled, deadline=20, interval=0.25, message="the origin's writes to stall")
    assert history[-1] < BIG // 2, "the origin wrote %d of %d bytes to a client that reads none" % (
        history[-1], BIG)
    still_serves(l.port, prefix + "/other")
    status, headers, body = c.response(sid, deadline=60)
    assert status == 200 and len(body) == BIG
    assert body == (bytes(range(251)) * (BIG // 251 + 1))[:BIG]  # the origin's pattern, in order
    c.close()
    assert origin.requests(path)[0]["sent"] == BIG


def test_garbage_after_preface_closes_without_harm(origin, lacquer, prefix):
    s = socket.create_connection(("127.0.0.1", lacquer.port), timeout=5)
    s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\xff" * 64)
    s.settimeout(5)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    still_serves(lacquer.port, prefix + "/ok")


def test_sigterm_sends_goaway_and_finishes_open_streams(origin, start_lacquer, prefix):
    # nghttp rather than h2: h2's state machine stops at a GOAWAY and would drop the response.
    origin.script(prefix + "/held", {"status": 200, "body": "done\n", "hold": "b1"})
    l = start_lacquer(origin.port)
    client = subprocess.Popen(["nghttp", "-v", "http://127.0.0.1:%d%s/held" % (l.port, prefix)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lacq.wait_until(lambda: origin.count(prefix + "/held") == 1, message="request at origin")
        l.proc.send_signal(15)
        lacq.wait_until(lambda: any("SIGTERM" in x for x in l.lines), message="SIGTERM seen")
        origin.open("b1")
        out, _ = client.communicate(timeout=10)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    assert client.returncode == 0, out
    assert "recv GOAWAY" in out and "NO_ERROR" in out
    assert "done" in out and ":status: 200" in out
    assert l.proc.wait(10) == 0


def test_a_record_the_socket_refuses_mid_pass_is_retried_in_order_over_tls(origin, start_lacquer, prefix, tmp_path):
    """Over TLS a send pass of under 64 KiB goes straight to SSL_write from the pass's buffer. A
    client that reads nothing lets the socket fill; the record it refuses is queued with the rest
    of the pass and retried from the queue. Every response then arrives whole and in order."""
    cert, key = make_cert(tmp_path, "retry", "example.com", ["example.com"])
    l = start_lacquer(origin.port, config_text='[[listen]]\naddress = "127.0.0.1:0"\ntls = true\n'
                      'certificates = [ { cert = "%s", key = "%s" } ]\n' % (cert, key))
    port = int(re.search(r"listening https=127\.0\.0\.1:(\d+)", "\n".join(l.lines)).group(1))
    path = prefix + "/48k"
    size = 48 << 10
    origin.script(path, lacq.ok(max_age=3600, body_size=size, pattern=True))
    assert curl(l.port, path)[0] == 200  # cached: each request below is a hit, one pass each
    c = H2Client(port, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 2 ** 31 - 1}, tls=True)
    c.conn.increment_flow_control_window(2 ** 31 - 1 - 65535)
    c.flush()
    sids = []
    for _ in range(160):  # 7.5 MiB: more than loopback's socket buffers hold
        before = l.metric("lacquer_requests_total")
        sids.append(c.request(path))
        lacq.wait_until(lambda: l.metric("lacquer_requests_total") > before, deadline=5,
                        message="lacquer to take the request")
    expected = (bytes(range(251)) * (size // 251 + 1))[:size]
    for sid in sids:
        status, _, body = c.response(sid, deadline=30)
        assert status == 200 and body == expected, "stream %d: %d bytes" % (sid, len(body))
    c.close()
