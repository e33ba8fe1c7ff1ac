"""TLS listeners ([[listen]] with tls = true): certificates made here with openssl, picked by SNI
(exact, wildcard, default); ALPN h2 and http/1.1 behind curl and nghttp; TLS 1.0/1.1 refused;
session resumption; X-Forwarded-Proto from the listener; hostile handshakes; and start-up errors
for certificates that cannot be used."""
import re
import signal
import socket
import ssl
import subprocess
import time

import pytest

import lacq
from lacq import ok, read_x_response, request_header, wait_until

LISTENING_RE = re.compile(r"lacquer: listening https=127\.0\.0\.1:(\d+)")


def make_cert(directory, name, cn, sans):
    """A self-signed P-256 certificate with these DNS names; returns (cert path, key path)."""
    cert, key = directory / (name + ".pem"), directory / (name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=" + cn,
                    "-addext", "subjectAltName=" + ",".join("DNS:" + s for s in sans)],
                   check=True, capture_output=True, timeout=20)
    return cert, key


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("certs")
    return {
        "default": make_cert(d, "default", "default.test", ["default.test"]),
        "wild": make_cert(d, "wild", "wild", ["*.example.com", "www.other.test"]),
        "exact": make_cert(d, "exact", "exact", ["www.example.com"]),
    }


def tls_config(certs, names=("default", "wild", "exact"), extra=""):
    entries = ", ".join('{ cert = "%s", key = "%s" }' % certs[n] for n in names)
    return '[[listen]]\naddress = "127.0.0.1:0"\ntls = true\ncertificates = [ %s ]\n%s' % (entries, extra)


def start_tls(start_lacquer, origin, certs, extra=""):
    l = start_lacquer(origin.port, config_text=tls_config(certs, extra=extra))
    m = next(LISTENING_RE.search(x) for x in l.lines if LISTENING_RE.search(x))
    l.tls_port = int(m.group(1))
    return l


def curl(port, name, path, *args, output="/dev/null"):
    """curl over TLS to `name` (resolved to loopback, sent as SNI): (status, http version,
    certificate subject, the verbose text)."""
    url = "https://%s:%d%s" % (name, port, path)
    out = subprocess.run(["curl", "-sS", "-k", "-v", "--max-time", "10", "--resolve", "%s:%d:127.0.0.1" % (name, port),
                          "-o", str(output), "-w", "%{http_code} %{http_version}", *args, url],
                         capture_output=True, text=True, timeout=15)
    assert out.returncode == 0, out.stderr
    status, version = out.stdout.split()
    subject = re.search(r"subject: CN\s*=\s*(\S+)", out.stderr)
    return int(status), version, subject.group(1) if subject else None, out.stderr


def s_client(port, *args, stdin=b""):
    out = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, *args],
                         input=stdin, capture_output=True, timeout=15)
    return out.returncode, out.stdout.decode("latin-1") + out.stderr.decode("latin-1")


# ---- certificates by SNI ----------------------------------------------------------------------

def test_sni_picks_exact_then_wildcard_then_default(origin, start_lacquer, certs, prefix):
    l = start_tls(start_lacquer, origin, certs)
    cases = [("www.example.com", "exact"), ("img.example.com", "wild"), ("www.other.test", "wild"),
             ("default.test", "default.test"), ("unknown.test", "default.test"),
             ("a.b.example.com", "default.test")]  # a wildcard covers one label only
    for name, subject in cases:
        status, _, got, _ = curl(l.tls_port, name, prefix + "/a")
        assert (status, got) == (200, subject), name
    # The certificate verifies for its name (not just -k): curl checks the chain and the name.
    out = subprocess.run(["curl", "-sS", "--cacert", str(certs["wild"][0]), "--max-time", "10",
                          "--resolve", "img.example.com:%d:127.0.0.1" % l.tls_port,
                          "https://img.example.com:%d%s/a" % (l.tls_port, prefix)], capture_output=True, timeout=15)
    assert out.returncode == 0 and out.stdout == ("origin %s/a\n" % prefix).encode(), out.stderr
    # No SNI at all (an IP address): the default certificate.
    rc, text = s_client(l.tls_port, "-noservername")
    assert "subject=CN = default.test" in text, text


# ---- ALPN ---------------------------------------------------------------------------------------

def test_alpn_h2_and_http11_share_the_cache(origin, start_lacquer, certs, prefix):
    l = start_tls(start_lacquer, origin, certs)
    status, version, _, text = curl(l.tls_port, "www.example.com", prefix + "/a", "--http2")
    assert (status, version) == (200, "2"), text
    assert "ALPN: server accepted h2" in text
    status, version, _, text = curl(l.tls_port, "www.example.com", prefix + "/a", "--http1.1", "-D", "/dev/stderr")
    assert (status, version) == (200, "1.1"), text
    assert re.search(r"(?i)cache-status: lacquer; hit", text), text
    assert origin.count(prefix + "/a") == 1
    # nghttp speaks h2 over TLS too.
    # (curl's Host carried the port: the same authority is the same key)
    out = subprocess.run(["nghttp", "-v", "-H", ":authority: www.example.com:%d" % l.tls_port,
                          "https://127.0.0.1:%d%s/a" % (l.tls_port, prefix)], capture_output=True, text=True, timeout=15)
    assert "The negotiated protocol: h2" in out.stdout, out.stdout
    assert re.search(r":status: 200", out.stdout), out.stdout
    assert origin.count(prefix + "/a") == 1
    # The cleartext port still takes HTTP/1.1.
    assert l.get(prefix + "/a").status == 200
    # Requests by protocol: curl and nghttp over h2, curl over HTTP/1.1 with TLS, one in the clear.
    by = lambda p: l.metric('lacquer_requests_by_protocol_total{protocol="%s"}' % p)
    assert (by("h2"), by("http1_tls"), by("http1"), by("h2c")) == (2, 1, 1, 0)


# ---- protocol versions and resumption -----------------------------------------------------------

@pytest.mark.parametrize("flag", ["-tls1", "-tls1_1"])
def test_tls_1_0_and_1_1_are_refused(origin, start_lacquer, certs, flag):
    l = start_tls(start_lacquer, origin, certs)
    # SECLEVEL=0 lets the client offer the old version; the server must refuse it.
    rc, text = s_client(l.tls_port, flag, "-cipher", "DEFAULT@SECLEVEL=0", "-servername", "default.test")
    assert rc != 0 and "alert protocol version" in text, text
    rc, text = s_client(l.tls_port, "-tls1_2", "-servername", "default.test")
    assert rc == 0 and "Protocol  : TLSv1.2" in text, text


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
def test_session_resumption(origin, start_lacquer, certs, tmp_path, version):
    l = start_tls(start_lacquer, origin, certs)
    sess = tmp_path / "session.pem"
    # TLS 1.3 tickets come after the handshake: send a request and read to the end (-ign_eof)
    # so the client has read them.
    req = b"GET / HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n"
    rc, text = s_client(l.tls_port, version, "-servername", "www.example.com", "-ign_eof", "-sess_out", str(sess), stdin=req)
    assert rc == 0 and "New, TLSv1." in text, text
    rc, text = s_client(l.tls_port, version, "-servername", "www.example.com", "-ign_eof", "-sess_in", str(sess), stdin=req)
    assert rc == 0 and "Reused, TLSv1." in text, text
    assert l.metric("lacquer_tls_resumptions_total") >= 1


# ---- what the origin is told --------------------------------------------------------------------

def test_x_forwarded_proto_comes_from_the_listener(origin, start_lacquer, certs, prefix):
    l = start_tls(start_lacquer, origin, certs)
    lie = ["-H", "X-Forwarded-Proto: http", "-H", "Forwarded: proto=http"]
    curl(l.tls_port, "www.example.com", prefix + "/tls", "--http1.1", *lie)
    curl(l.tls_port, "www.example.com", prefix + "/h2", "--http2", *lie)
    for path in ("/tls", "/h2"):
        [rec] = origin.requests(prefix + path)
        assert request_header(rec, "X-Forwarded-Proto") == "https", rec["headers"]
        assert request_header(rec, "Forwarded") == "for=127.0.0.1;proto=https", rec["headers"]
        assert [v for n, v in rec["headers"] if n.lower() == "x-forwarded-proto"] == ["https"]
    l.get(prefix + "/plain", headers={"X-Forwarded-Proto": "https"})
    [rec] = origin.requests(prefix + "/plain")
    assert request_header(rec, "X-Forwarded-Proto") == "http", rec["headers"]


# ---- hostile handshakes -------------------------------------------------------------------------

def test_cleartext_garbage_and_stalled_handshakes_are_closed(origin, start_lacquer, certs, prefix):
    l = start_tls(start_lacquer, origin, certs, extra='[limits]\nheader_timeout = "1s"\n')
    # Cleartext HTTP on the TLS port: the handshake fails and the connection closes.
    with socket.create_connection(("127.0.0.1", l.tls_port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
        data = b""
        while True:
            try:
                chunk = s.recv(4096)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
        assert b"HTTP/1.1" not in data
    # A handshake that never starts (and one that stops half way) is cut at the header timeout.
    began = time.monotonic()
    silent = socket.create_connection(("127.0.0.1", l.tls_port), timeout=5)
    half = socket.create_connection(("127.0.0.1", l.tls_port), timeout=5)
    half.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # the start of a ClientHello
    for s in (silent, half):
        try:
            assert s.recv(4096) == b""
        except ConnectionResetError:
            pass
        s.close()
    assert time.monotonic() - began < 4
    assert l.metric("lacquer_tls_handshake_failures_total") >= 3
    status, _, _, _ = curl(l.tls_port, "www.example.com", prefix + "/after")
    assert status == 200


# ---- start-up errors ------------------------------------------------------------------------------

def run_with(tmp_path, text, *extra):
    cfg = tmp_path / "tls.toml"
    cfg.write_text(text)
    return lacq.run_lacquer(["--config", str(cfg), "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0",
                             "--state-dir", str(tmp_path / "state"), *extra])


@pytest.mark.parametrize("check", [False, True], ids=["start", "check-config"])
def test_unusable_certificates_stop_the_start_with_file_and_line(certs, tmp_path, check):
    extra = ("--check-config",) if check else ()
    missing = str(tmp_path / "missing.pem")
    text = '[[listen]]\naddress = "127.0.0.1:0"\ntls = true\ncertificates = [ { cert = "%s", key = "%s" } ]\n' % (
        missing, certs["default"][1])
    r = run_with(tmp_path, text, *extra)
    assert r.returncode == 2, r.stderr
    assert "tls.toml:4:18: listen[0].certificates[0]: cannot read certificate \"%s\": No such file" % missing \
        in r.stderr, r.stderr
    # A key that belongs to another certificate.
    text = '[[listen]]\naddress = "127.0.0.1:0"\ntls = true\ncertificates = [\n  { cert = "%s", key = "%s" },\n' \
           '  { cert = "%s", key = "%s" } ]\n' % (certs["default"] + (certs["wild"][0], certs["exact"][1]))
    r = run_with(tmp_path, text, *extra)
    assert r.returncode == 2, r.stderr
    assert "tls.toml:6:3: listen[0].certificates[1]: key \"%s\" does not match certificate \"%s\"" % (
        certs["exact"][1], certs["wild"][0]) in r.stderr, r.stderr
    # A bad line of the table itself.
    r = run_with(tmp_path, '[[listen]]\naddress = "127.0.0.1:0"\ntls = true\n', *extra)
    assert r.returncode == 2 and "tls.toml:1:1: listen[0]: expected certificates" in r.stderr, r.stderr


# ---- the access log -------------------------------------------------------------------------------

def test_http2_streams_are_in_the_access_log(origin, start_lacquer, certs, prefix, tmp_path):
    log = tmp_path / "access.log"
    l = start_tls(start_lacquer, origin, certs, extra='[log]\naccess = "%s"\n' % log)
    curl(l.tls_port, "www.example.com", prefix + "/h2", "--http2", "-A", "probe/2")
    subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null",
                    "http://127.0.0.1:%d%s/h2c" % (l.port, prefix)], check=True, timeout=15)

    def lines():
        try:
            return [x for x in log.read_text().splitlines() if prefix in x]
        except FileNotFoundError:
            return []
    got = wait_until(lambda: len(lines()) >= 2 and lines(), message="two access log lines")
    tls_line = next(x for x in got if prefix + "/h2 " in x)
    h2c_line = next(x for x in got if prefix + "/h2c " in x)
    assert '"GET %s/h2 HTTP/2.0" 200 ' % prefix in tls_line and '"probe/2"' in tls_line, tls_line
    assert tls_line.endswith(" h2"), tls_line
    assert '"GET %s/h2c HTTP/2.0" 200 ' % prefix in h2c_line and h2c_line.endswith(" h2c"), h2c_line


# ---- large bodies and a slow reader over TLS -----------------------------------------------------

BIG = 16 << 20


@pytest.mark.parametrize("proto", ["--http1.1", "--http2"])
def test_large_body_arrives_whole_over_tls(origin, start_lacquer, certs, prefix, tmp_path, proto):
    l = start_tls(start_lacquer, origin, certs)
    path = prefix + "/big"
    origin.script(path, ok(max_age=None, body_size=BIG, pattern=True))
    got = tmp_path / "body"
    status, _, _, text = curl(l.tls_port, "www.example.com", path, proto, output=got)
    assert status == 200, text
    body = got.read_bytes()
    assert len(body) == BIG
    assert body == (bytes(range(251)) * (BIG // 251 + 1))[:BIG]  # the origin's pattern, in order


def test_slow_reader_over_tls_pauses_the_origin_then_gets_everything(origin, start_lacquer, certs, prefix):
    """The TLS writes queue in the bufferevent when the socket is full (SSL_write retried with the
    same bytes): a client that stops reading stalls the origin, and once it reads, every byte
    arrives in order."""
    l = start_tls(start_lacquer, origin, certs, extra='[limits]\nmax_output_buffer = "1M"\n')
    path = prefix + "/big"
    size = 32 << 20
    origin.script(path, ok(max_age=None, body_size=size, sndbuf=64 << 10))
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
    raw.connect(("127.0.0.1", l.tls_port))
    s = ctx.wrap_socket(raw, server_hostname="www.example.com")
    s.settimeout(30)
    try:
        s.sendall(("GET %s HTTP/1.1\r\nHost: www.example.com\r\n\r\n" % path).encode())
        history = []

        def stalled():
            recs = origin.requests(path)
            history.append(recs[0]["sent"] if recs else 0)
            return len(history) >= 5 and history[-1] > 0 and len(set(history[-5:])) == 1
        wait_until(stalled, deadline=20, interval=0.25, message="the origin's writes to stall")
        assert history[-1] < size // 2, "the origin wrote %d of %d bytes" % (history[-1], size)
        read_x_response(s, size)
    finally:
        s.close()
    assert origin.requests(path)[0]["sent"] == size


# ---- records that arrive together (read-ahead) ---------------------------------------------------

class RecordClient:
    """A TLS client on ssl.SSLObject over a plain socket, so the test decides which TLS records
    leave in one send(). lacquer reads ahead (one read() takes whatever the socket holds), so
    records behind the first wait in OpenSSL's buffer, where no socket readiness announces them."""

    def __init__(self, port):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["http/1.1"])
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = ctx.wrap_bio(self.incoming, self.outgoing, server_hostname="www.example.com")
        self.plain = b""
        while True:
            try:
                self.tls.do_handshake()
                break  # our Finished waits in `outgoing`: it leaves with the first records
            except ssl.SSLWantReadError:
                self.sock.sendall(self.outgoing.read())
                self.receive()

    def send_records(self, *pieces):
        """Each piece in a record of its own, all of them (and anything pending) in one send()."""
        for piece in pieces:
            self.tls.write(piece)
        self.sock.sendall(self.outgoing.read())

    def receive(self):
        data = self.sock.recv(65536)
        assert data, "lacquer closed the connection"
        self.incoming.write(data)
        try:
            while True:
                self.plain += self.tls.read(65536)
        except ssl.SSLWantReadError:
            pass

    def responses(self, count):
        """The first `count` complete responses (status lines), reading until they are all in."""
        while True:
            statuses, rest = [], self.plain
            while len(statuses) < count and b"\r\n\r\n" in rest:
                head, _, rest = rest.partition(b"\r\n\r\n")
                size = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
                if len(rest) < size:
                    break
                statuses.append(head.split(b"\r\n")[0].decode())
                rest = rest[size:]
            if len(statuses) == count:
                return statuses
            self.receive()  # a socket timeout (10 s) fails the test: records were left unread

    def close(self):
        self.sock.close()


def test_records_that_arrive_together_are_all_read(origin, start_lacquer, certs, prefix):
    """The handshake's last message, a request cut across two records and a pipelined second
    request in a third, all in one TCP send: both requests are answered. Fails (times out) when
    records read ahead are left in OpenSSL's buffer."""
    l = start_tls(start_lacquer, origin, certs)
    first = ("GET %s/together-1 HTTP/1.1\r\nHost: www.example.com\r\n\r\n" % prefix).encode()
    second = ("GET %s/together-2 HTTP/1.1\r\nHost: www.example.com\r\n\r\n" % prefix).encode()
    c = RecordClient(l.tls_port)
    try:
        c.send_records(first[:12], first[12:], second)
        assert c.responses(2) == ["HTTP/1.1 200 OK"] * 2
        # Later on the same connection: two whole requests in two records of one send.
        c.plain = b""
        c.send_records(first, second)
        assert c.responses(2) == ["HTTP/1.1 200 OK"] * 2
    finally:
        c.close()
    assert len(origin.requests(prefix + "/together-1")) == 1


# ---- reload -----------------------------------------------------------------------------------------

def test_sighup_reads_renewed_certificates_and_keeps_them_when_broken(origin, start_lacquer, tmp_path, prefix):
    cert, key = make_cert(tmp_path, "site", "first", ["www.example.com"])
    l = start_lacquer(origin.port, config_text='[[listen]]\naddress = "127.0.0.1:0"\ntls = true\n'
                      'certificates = [ { cert = "%s", key = "%s" } ]\n' % (cert, key))
    port = int(next(LISTENING_RE.search(x) for x in l.lines if LISTENING_RE.search(x)).group(1))
    assert curl(port, "www.example.com", prefix + "/a")[2] == "first"
    make_cert(tmp_path, "site", "second", ["www.example.com"])  # renewed at the same paths
    l.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: any("configuration reloaded" in x for x in l.lines), message="the reload")
    assert curl(port, "www.example.com", prefix + "/a")[2] == "second"
    key.write_text("not a key\n")
    l.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: any("keeping the certificates in use" in x for x in l.lines), message="the failed reload")
    assert curl(port, "www.example.com", prefix + "/a")[2] == "second"
