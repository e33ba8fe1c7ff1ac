"""Helpers for lacquer's end-to-end tests: process control for the test origin and lacquer, a raw
HTTP/1.1 client that sends exact bytes, and polling of admin metrics against a deadline."""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ORIGIN_PY = os.path.join(REPO, "tests", "origin", "origin.py")
LACQUER_BIN = os.environ.get("LACQUER_BIN", os.path.join(REPO, "build", "edge", "lacquer"))
PYTHON = sys.executable or "/usr/bin/python3"

READY_RE = re.compile(r"lacquer: ready listen=(\S+):(\d+) admin=(\S+):(\d+)")
VIA_RE = re.compile(r"^1\.1 lacquer/\d+\.\d+\.\d+\S*$")


def read_x_response(sock, size):
    """Reads a 200 with a body of `size` bytes of b"x" from a raw socket, asserting all of it."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += sock.recv(65536)
    head, _, body = buf.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and b"Content-Length: %d" % size in head, head
    received = len(body)
    while received < size:
        data = sock.recv(1 << 20)
        assert data, "connection closed after %d of %d body bytes" % (received, size)
        assert data.count(b"x") == len(data)
        received += len(data)
    assert received == size


def wait_until(predicate, deadline=5.0, interval=0.02, message="condition"):
    """Polls predicate() until it returns a truthy value; returns it, or fails at the deadline."""
    end = time.monotonic() + deadline
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= end:
            raise AssertionError("timed out after %.1fs waiting for %s (last: %r)"
                                 % (deadline, message, last))
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# Messages and the raw client

class Headers:
    """Ordered header fields with case-insensitive lookup and multiple values."""

    def __init__(self, pairs=()):
        self.pairs = [(n, v) for n, v in pairs]

    def get(self, name, default=None):
        for n, v in self.pairs:
            if n.lower() == name.lower():
                return v
        return default

    def get_all(self, name):
        return [v for n, v in self.pairs if n.lower() == name.lower()]

    def __contains__(self, name):
        return any(n.lower() == name.lower() for n, _ in self.pairs)

    def __getitem__(self, name):
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __repr__(self):
        return "Headers(%r)" % self.pairs


class Response:
    def __init__(self, version, status, reason, headers, body=b"", complete=True, interim=()):
        self.version, self.status, self.reason = version, status, reason
        self.headers, self.body, self.complete = headers, body, complete
        self.interim = list(interim)  # 1xx responses seen before this one

    @property
    def text(self):
        return self.body.decode("latin-1")

    def __repr__(self):
        return "<Response %d %r complete=%s headers=%r body=%r>" % (
            self.status, self.reason, self.complete, self.headers.pairs, self.body[:200])


class ConnectionClosed(Exception):
    """The peer closed the connection before a complete response head arrived."""


class Conn:
    """A raw HTTP/1.1 client connection: send exact bytes, read responses one by one."""

    def __init__(self, port, host="127.0.0.1", timeout=5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False
        self.timeout = timeout

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def _fill(self, deadline):
        """Reads more bytes into buf; returns False on EOF/reset."""
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no data from server before the deadline")
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(1 << 20)
        except socket.timeout:
            raise TimeoutError("no data from server before the deadline")
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _read_until(self, marker, deadline):
        while marker not in self.buf:
            if not self._fill(deadline):
                return None
        idx = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:idx], self.buf[idx:]
        return out

    def _read_exact(self, n, deadline):
        # Pieces joined once at the end: appending to one bytes object is quadratic in the body.
        parts, have = [self.buf], len(self.buf)
        self.buf = b""
        while have < n:
            if not self._fill(deadline):
                break
            parts.append(self.buf)
            have += len(self.buf)
            self.buf = b""
        data = b"".join(parts)
        out, self.buf = data[:n], data[n:]
        return out

    def read_head(self, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        head = self._read_until(b"\r\n\r\n", deadline)
        if head is None:
            raise ConnectionClosed("connection closed before a response head (got %r)" % self.buf)
        lines = head.decode("latin-1").split("\r\n")
        version, _, rest = lines[0].partition(" ")
        status, _, reason = rest.partition(" ")
        pairs = []
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                pairs.append((name, value.strip(" \t")))
        return version, int(status), reason, Headers(pairs)

    def read_response(self, method="GET", timeout=None, interim=False):
        """Reads one full response (skipping 1xx unless interim=True). The body is read per
        Content-Length, chunked framing or until close; `complete` says whether it ended properly."""
        deadline = time.monotonic() + (timeout or self.timeout)
        seen = []
        while True:
            version, status, reason, headers = self.read_head(deadline - time.monotonic())
            if 100 <= status < 200 and status != 101:
                seen.append(Response(version, status, reason, headers, b""))
                if interim:
                    return seen[-1]
                continue
            break
        if method == "HEAD" or status in (204, 304):
            return Response(version, status, reason, headers, b"", True, seen)
        te = ",".join(headers.get_all("Transfer-Encoding")).lower()
        if "chunked" in te:
            body, complete = self._read_chunked(deadline)
        elif "Content-Length" in headers:
            length = int(headers["Content-Length"])
            body = self._read_exact(length, deadline)
            complete = len(body) == length
        else:
            while self._fill(deadline):
                pass
            body, self.buf, complete = self.buf, b"", True
        return Response(version, status, reason, headers, body, complete, seen)

    def _read_chunked(self, deadline):
        body = b""
        while True:
            line = self._read_until(b"\r\n", deadline)
            if line is None:
                return body, False
            size = int(line.split(b";")[0].strip(), 16)
            if size == 0:
                while True:  # trailers up to the empty line
                    line = self._read_until(b"\r\n", deadline)
                    if line is None:
                        return body, False
                    if line == b"\r\n":
                        return body, True
            data = self._read_exact(size + 2, deadline)
            body += data[:size]
            if len(data) < size + 2:
                return body, False

    def read_responses(self, n, method="GET", timeout=None):
        return [self.read_response(method, timeout) for _ in range(n)]

    def wait_closed(self, timeout=3.0):
        """Waits for the server to close; returns the bytes that arrived meanwhile. Fails if the
        connection is still open at the deadline."""
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
        except TimeoutError:
            raise AssertionError("server did not close the connection within %.1fs (got %r)"
                                 % (timeout, self.buf))
        out, self.buf = self.buf, b""
        return out

    def is_open(self, timeout=0.3):
        """True when nothing (neither data nor EOF) arrives within the timeout."""
        try:
            return self._fill(time.monotonic() + timeout) or not self.eof
        except TimeoutError:
            return True


def build_request(method, path, headers=None, body=None, host="example.com", version="HTTP/1.1"):
    """Builds request bytes; headers is a list of pairs or a dict. Host goes first unless None.
    A body gets a Content-Length unless the headers already frame it."""
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    lines = ["%s %s %s" % (method, path, version)]
    if host is not None:
        lines.append("Host: %s" % host)
    lines += ["%s: %s" % (n, v) for n, v in pairs]
    names = {n.lower() for n, _ in pairs}
    if isinstance(body, str):
        body = body.encode("latin-1")
    if body is not None and "content-length" not in names and "transfer-encoding" not in names:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def request(port, method, path, headers=None, body=None, host="example.com", timeout=5.0):
    with Conn(port, timeout=timeout) as c:
        c.send(build_request(method, path, headers, body, host))
        return c.read_response(method)


def get(port, path, headers=None, host="example.com", timeout=5.0):
    return request(port, "GET", path, headers, None, host, timeout)


# ---------------------------------------------------------------------------------------------
# Admin API

def admin_get(admin_port, path, timeout=5.0):
    """GET on the admin port; returns (status, headers as Headers, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, Headers(r.getheaders()), r.read()
    finally:
        conn.close()


def metrics(admin_port):
    """Parses /metrics (Prometheus text) into {name: value}, summing labelled series; a labelled
    series is also available under its full `name{labels}` text."""
    status, _, body = admin_get(admin_port, "/metrics")
    assert status == 200, "GET /metrics answered %d" % status
    out = {}
    for line in body.decode().splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if not m:
            continue
        value = float(m.group(3))
        out[m.group(1)] = out.get(m.group(1), 0.0) + value
        if m.group(2):
            out[m.group(1) + m.group(2)] = value
    return out


def expect_stat(admin_port, name, value, deadline=5.0):
    """Polls /metrics until metric `name` equals `value` (or value(metric) is true, when callable)."""
    last = {}

    def check():
        last["m"] = metrics(admin_port).get(name)
        got = last["m"]
        if got is None:
            return False
        return value(got) if callable(value) else got == value
    try:
        wait_until(check, deadline, message="metric %s == %r" % (name, value))
    except AssertionError:
        raise AssertionError("metric %s: expected %r, last value %r" % (name, value, last.get("m")))
    return last["m"]


# ---------------------------------------------------------------------------------------------
# Processes

class _LineReader:
    """Collects the lines of a child's pipe in a background thread."""

    def __init__(self, pipe):
        self.lines = []
        self.cond = threading.Condition()
        self.done = False
        self.thread = threading.Thread(target=self._run, args=(pipe,), daemon=True)
        self.thread.start()

    def _run(self, pipe):
        for raw in iter(pipe.readline, b""):
            with self.cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def wait_for(self, regex, proc, deadline, what):
        pattern = re.compile(regex)
        end = time.monotonic() + deadline
        seen = 0
        with self.cond:
            while True:
                for line in self.lines[seen:]:
                    m = pattern.search(line)
                    if m:
                        return m
                seen = len(self.lines)
                if self.done or proc.poll() is not None:
                    self.cond.wait(0.2)  # let the reader drain the last lines
                    if any(pattern.search(l) for l in self.lines[seen:]):
                        continue
                    raise AssertionError("%s exited (code %r) before %r; output:\n%s" % (
                        what, proc.poll(), regex, "\n".join(self.lines)))
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError("%s: no %r within %.0fs; output:\n%s" % (
                        what, regex, deadline, "\n".join(self.lines)))
                self.cond.wait(min(left, 0.2))

    def text(self):
        with self.cond:
            return "\n".join(self.lines)


def _stop(proc, timeout=5.0):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


class Origin:
    """The scripted test origin (tests/origin/origin.py) as a separate process."""

    def __init__(self, port=0, tls=None):
        """tls: (certificate chain file, key file) to serve HTTPS."""
        args = [PYTHON, ORIGIN_PY, "--port", str(port), "--control-port", "0"]
        if tls:
            args += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output = _LineReader(self.proc.stdout)
        try:
            m = self.output.wait_for(r"origin ready port=(\d+) control=(\d+)", self.proc, 10, "origin")
        except BaseException:
            _stop(self.proc, 1)
            raise
        self.port, self.control_port = int(m.group(1)), int(m.group(2))

    def _call(self, method, path, obj=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=10)
        try:
            body = json.dumps(obj).encode() if obj is not None else None
            conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            assert r.status == 200, "origin control %s %s: %d %r" % (method, path, r.status, data)
            return json.loads(data)
        finally:
            conn.close()

    def script(self, path, *steps, method=None):
        spec = {"path": path, "responses": list(steps)}
        if method:
            spec["method"] = method
        self._call("POST", "/script", spec)

    def open(self, barrier):
        self._call("POST", "/barrier/%s/open" % urllib.parse.quote(barrier, safe=""))

    def requests(self, path=None):
        q = "?path=" + urllib.parse.quote(path, safe="") if path is not None else ""
        return self._call("GET", "/requests" + q)

    def count(self, path=None):
        q = "?path=" + urllib.parse.quote(path, safe="") if path is not None else ""
        return self._call("GET", "/count" + q)["count"]

    def reset(self):
        self._call("POST", "/reset")

    def stop(self):
        return _stop(self.proc, 2)


class Lacquer:
    """One lacquer process; stdout and stderr are collected in `lines`."""

    def __init__(self, origin_port, state_dir, extra_args=(), config_path=None, threads=2, listen=True):
        """listen=False: no --listen, so a config with [[listen]] tables has only those (`port`
        is then the first table's)."""
        self.args = [LACQUER_BIN] + (["--listen", "127.0.0.1:0"] if listen else []) + [
            "--admin", "127.0.0.1:0", "--origin", "127.0.0.1:%d" % origin_port, "--state-dir", str(state_dir),
            "--threads", str(threads)]
        if config_path:
            self.args += ["--config", str(config_path)]
        self.args += list(extra_args)
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output = _LineReader(self.proc.stdout)
        try:
            m = self.output.wait_for(READY_RE.pattern, self.proc, 10, "lacquer")
        except BaseException:
            _stop(self.proc, 1)
            raise
        self.port, self.admin_port = int(m.group(2)), int(m.group(4))

    @property
    def lines(self):
        with self.output.cond:
            return list(self.output.lines)

    def text(self):
        return self.output.text()

    def terminate(self, timeout=5.0):
        """SIGTERM, then wait; returns the exit code (None if it had to be killed)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def stop(self):
        return _stop(self.proc, 5)

    def get(self, path, headers=None, host="example.com"):
        return get(self.port, path, headers, host)

    def request(self, method, path, headers=None, body=None, host="example.com"):
        return request(self.port, method, path, headers, body, host)

    def conn(self, timeout=5.0):
        return Conn(self.port, timeout=timeout)

    def metric(self, name):
        return metrics(self.admin_port).get(name)

    def expect_stat(self, name, value, deadline=5.0):
        return expect_stat(self.admin_port, name, value, deadline)


def run_lacquer(args, timeout=10, cwd=None):
    """Runs lacquer to completion (for --check-config and friends)."""
    return subprocess.run([LACQUER_BIN] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, text=True, cwd=cwd)


# Step builders for the origin's scripts.

def ok(body=None, max_age=3600, headers=(), **kw):
    """A 200 step, cacheable for max_age seconds (no Cache-Control when max_age is None)."""
    hdrs = [["Cache-Control", "public, max-age=%d" % max_age]] if max_age is not None else []
    step = dict(status=200, headers=hdrs + [list(h) for h in headers], **kw)
    if body is not None or not ("body_size" in kw or "chunks" in kw):
        step["body"] = body or ""
    return step


# Cache-Status (RFC 9211): `lacquer; fwd=miss; fwd-status=200; stored`. Tests check members, not
# the exact string, so optional parameters (fwd-status, detail) may come and go.

def cache_status(response):
    """Returns lacquer's Cache-Status parameters as a dict ({"hit": True, "ttl": "12"}); fails if
    the header is missing or names another cache."""
    value = response.headers.get("Cache-Status")
    assert value, "no Cache-Status in %r" % response
    items = [p.strip() for p in value.split(";")]
    assert items[0] == "lacquer", "Cache-Status %r does not start with lacquer" % value
    params = {}
    for item in items[1:]:
        name, eq, v = item.partition("=")
        params[name.strip()] = v.strip().strip('"') if eq else True
    # fwd-status is what the origin answered: the client's status differs when the cache made
    # the answer from a stored response (304 revalidation, stale-if-error).
    if "fwd-status" in params and params.get("fwd") != "stale":
        assert params["fwd-status"] == str(response.status), value
    return params


def assert_stored_miss(response):
    p = cache_status(response)
    assert p.get("fwd") == "miss" and p.get("stored") is True and "hit" not in p, \
        "expected a stored miss, got %r" % response.headers.get("Cache-Status")


def assert_unstored_miss(response):
    p = cache_status(response)
    assert p.get("fwd") == "miss" and "stored" not in p and "hit" not in p, \
        "expected a miss that was not stored, got %r" % response.headers.get("Cache-Status")


def assert_fwd(response, fwd):
    p = cache_status(response)
    assert p.get("fwd") == fwd and "stored" not in p and "hit" not in p, \
        "expected fwd=%s, got %r" % (fwd, response.headers.get("Cache-Status"))


def hit_ttl(response):
    """Asserts a hit and returns its ttl."""
    p = cache_status(response)
    assert p.get("hit") is True and "fwd" not in p and "ttl" in p, \
        "expected a hit, got %r" % response.headers.get("Cache-Status")
    return int(p["ttl"])


def assert_not_served_complete(lacquer, path):
    """The client must not mistake a broken origin body for a whole one: it gets a 502, or a body
    cut short by a close (possibly before any byte, when lacquer aborts before flushing the head)."""
    with lacquer.conn() as c:
        c.send(build_request("GET", path))
        try:
            r = c.read_response()
        except ConnectionClosed:
            return
        if r.status == 200:
            assert not r.complete, "a broken origin body was served as complete: %r" % r
            c.wait_closed()
        else:
            assert r.status == 502, r


def request_header(record, name):
    """The first value of field `name` in a request the origin recorded, or None."""
    for n, v in record["headers"]:
        if n.lower() == name.lower():
            return v
    return None
