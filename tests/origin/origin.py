#!/usr/bin/python3
"""Scriptable test origin for lacquer's end-to-end tests.

    python3 tests/origin/origin.py --port 0 --control-port 0
prints `origin ready port=N control=M` once both sockets are bound.

The origin port speaks HTTP/1.1 over raw sockets (keep-alive, Content-Length and chunked request
bodies), so that it can also misbehave on purpose. Every answer carries `X-Origin-Seq: <n>`, the
number of requests received so far. Every request is recorded (seq, conn id, client port, method,
target, headers in order, body).

Unscripted targets get 200, `Cache-Control: public, max-age=3600`, `Content-Type: text/plain` and
the body `origin <target>\n` (`/bytes/N...` gets N bytes of 'x').

The control port (JSON over HTTP) scripts it per test:
  POST /script   {"path": "/a", "method": "GET"?, "responses": [step, ...]}
                 requests for exactly that target (path + query) get the next step; the last repeats.
  POST /barrier/<name>/open
  GET  /requests[?path=/a]   recorded requests (JSON list)
  GET  /count[?path=/a]      {"count": n}
  POST /reset                forget scripts, records and barriers (held answers are released)

A step: status, headers ([[name, value], ...]), body (str) or body_size (int), chunked (bool),
chunks ([str, ...]), delay_ms, body_delay_ms, truncate_after (int), raw (str sent verbatim, then
close), close (send Connection: close and close), hold (barrier to wait for before the head),
reset ("before_head" | "mid_head" | "mid_body": then RST), no_response (close without answering),
hang (true: never answer; a string: the barrier after which the socket is closed unanswered),
interim ([[status, [[name, value], ...]], ...]: 1xx responses sent before the final one),
body_hold (barrier to wait for after the first chunk of a chunked body),
pattern (with body_size: bytes 0..250 repeating instead of "x"),
reflect ([name, ...]: append "name: value\n" to the body for each of those request fields that
reached the origin, so a test sees whether a field could have changed a stored answer),
sndbuf (int: SO_SNDBUF for this answer, so backpressure from lacquer shows sooner),
keep_open (with raw: keep the connection and read the next request from it, so a test sees what
lacquer makes of bytes an origin sent past the end of its response).
A record's "sent" is the number of body bytes of its answer written to the socket so far (a
whole Content-Length body is written in 64 KiB pieces), so a test can watch backpressure.
"""
import argparse
import http.server
import json
import re
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
from http import HTTPStatus


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.seq = 0
        self.conn_ids = 0
        self.scripts = {}  # (target, method or None) -> {"steps": [...], "next": int}
        self.records = []
        self.barriers = {}  # name -> threading.Event
        self.shutdown = threading.Event()

    def barrier(self, name):
        with self.lock:
            return self.barriers.setdefault(name, threading.Event())

    def open_barrier(self, name):
        self.barrier(name).set()

    def reset(self):
        with self.lock:
            for event in self.barriers.values():
                event.set()  # release anything still held by the previous test
            self.barriers = {}
            self.scripts = {}
            self.records = []

    def next_step(self, target, method):
        with self.lock:
            script = self.scripts.get((target, method)) or self.scripts.get((target, None))
            if script is None:
                return None
            steps = script["steps"]
            step = steps[min(script["next"], len(steps) - 1)]
            script["next"] += 1
            return step

    def record(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.records.append(entry)
            return self.seq


STATE = State()


class BadRequest(Exception):
    pass


def read_line(rfile, limit=65536):
    line = rfile.readline(limit + 1)
    if len(line) > limit:
        raise BadRequest("line too long")
    return line


def read_request(rfile, sock):
    """Reads one request; returns None on a clean EOF before any byte. Like a real server it
    answers `Expect: 100-continue` with an interim 100 before reading the body."""
    line = read_line(rfile)
    while line in (b"\r\n", b"\n"):  # tolerate empty lines between requests (RFC 9112 §2.2)
        line = read_line(rfile)
    if not line:
        return None
    parts = line.rstrip(b"\r\n").decode("latin-1").split(" ")
    if len(parts) != 3:
        raise BadRequest("bad request line %r" % line)
    method, target, version = parts
    headers = []
    while True:
        line = read_line(rfile)
        if not line:
            raise BadRequest("eof in head")
        if line in (b"\r\n", b"\n"):
            break
        name, sep, value = line.rstrip(b"\r\n").decode("latin-1").partition(":")
        if not sep:
            raise BadRequest("bad header line %r" % line)
        headers.append([name, value.strip(" \t")])
    lower = {}
    for name, value in headers:
        lower.setdefault(name.lower(), []).append(value)
    body = b""
    te = ",".join(lower.get("transfer-encoding", [])).lower()
    has_body = "chunked" in te or lower.get("content-length", ["0"])[0] not in ("", "0")
    if has_body and "100-continue" in ",".join(lower.get("expect", [])).lower():
        sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    if "chunked" in te:
        chunks = []
        while True:
            size_line = read_line(rfile).rstrip(b"\r\n").split(b";")[0]
            size = int(size_line, 16)
            if size == 0:
                while read_line(rfile) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            chunks.append(rfile.read(size))
            read_line(rfile)
        body = b"".join(chunks)
    elif "content-length" in lower:
        length = int(lower["content-length"][0])
        body = rfile.read(length)
        if len(body) != length:
            raise BadRequest("eof in body")
    return {"method": method, "target": target, "version": version, "headers": headers,
            "lower": lower, "body": body}


def rst_close(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def default_step(target):
    path = target.split("?", 1)[0]
    m = re.match(r"^/bytes/(\d+)", path)
    step = {"status": 200, "headers": [["Cache-Control", "public, max-age=3600"],
                                       ["Content-Type", "text/plain"]]}
    if m:
        step["body_size"] = int(m.group(1))
    else:
        step["body"] = "origin %s\n" % target
    return step


def pattern_body(n):
    """n bytes of 0, 1, ..., 250, 0, 1, ...: any window of it shows where it came from."""
    base = bytes(range(251))
    return (base * (n // 251 + 1))[:n]


def chunk_encode(pieces):
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces if p)


class OriginHandler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with STATE.lock:
            STATE.conn_ids += 1
            conn = STATE.conn_ids
        rfile = sock.makefile("rb")
        try:
            while not STATE.shutdown.is_set():
                try:
                    req = read_request(rfile, sock)
                except (BadRequest, ValueError) as e:
                    sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
                    sys.stderr.write("origin: bad request: %s\n" % e)
                    return
                if req is None:
                    return
                self.record = {
                    "conn": conn, "client_port": self.client_address[1],
                    "method": req["method"], "target": req["target"],
                    "version": req["version"], "headers": req["headers"],
                    "body": req["body"].decode("latin-1"), "sent": 0}
                seq = STATE.record(self.record)
                step = STATE.next_step(req["target"], req["method"]) or default_step(req["target"])
                keep = self.answer(sock, req, step, seq)
                conn_hdr = ",".join(req["lower"].get("connection", [])).lower()
                if not keep or "close" in conn_hdr or req["version"] == "HTTP/1.0":
                    return
        except (ConnectionError, OSError):
            return
        finally:
            try:
                rfile.close()
                sock.close()
            except OSError:
                pass

    def answer(self, sock, req, step, seq):
        """Sends the answer for one step; returns False when the connection must not be reused."""
        if step.get("sndbuf"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, int(step["sndbuf"]))
        if step.get("delay_ms"):
            time.sleep(step["delay_ms"] / 1000.0)
        if step.get("hang"):
            hang = step["hang"]
            if isinstance(hang, str):
                STATE.barrier(hang).wait()
            else:
                STATE.shutdown.wait()
            return False
        if step.get("no_response"):
            return False
        if step.get("hold"):
            STATE.barrier(step["hold"]).wait()
        if step.get("reset") == "before_head":
            rst_close(sock)
            return False
        if "raw" in step:
            sock.sendall(step["raw"].encode("latin-1"))
            return bool(step.get("keep_open"))

        for interim_status, interim_headers in step.get("interim", []):
            sock.sendall(("HTTP/1.1 %d %s\r\n" % (interim_status, HTTPStatus(interim_status).phrase)
                          + "".join("%s: %s\r\n" % (n, v) for n, v in interim_headers)
                          + "\r\n").encode("latin-1"))
        status = int(step.get("status", 200))
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Whatever"
        headers = [list(h) for h in step.get("headers", [])]
        names = {h[0].lower() for h in headers}
        if "body" in step:
            body = step["body"].encode("latin-1")
        elif "chunks" in step:
            body = "".join(step["chunks"]).encode("latin-1")
        else:
            body = pattern_body(int(step.get("body_size", 0))) if step.get("pattern") \
                else b"x" * int(step.get("body_size", 0))
        for name in step.get("reflect", []):
            for value in req["lower"].get(name.lower(), []):
                body += ("%s: %s\n" % (name, value)).encode("latin-1")
        chunked = bool(step.get("chunked"))
        no_body = req["method"] == "HEAD" or status in (204, 304) or 100 <= status < 200
        if chunked:
            if "transfer-encoding" not in names:
                headers.append(["Transfer-Encoding", "chunked"])
        elif "content-length" not in names and status not in (204, 304) and status >= 200:
            headers.append(["Content-Length", str(len(body))])
        if step.get("close"):
            headers.append(["Connection", "close"])
        headers.append(["X-Origin-Seq", str(seq)])
        head = ("HTTP/1.1 %d %s\r\n" % (status, reason)
                + "".join("%s: %s\r\n" % (n, v) for n, v in headers) + "\r\n").encode("latin-1")

        if step.get("reset") == "mid_head":
            sock.sendall(head[: len(head) // 2])
            rst_close(sock)
            return False
        sock.sendall(head)
        if no_body:
            return not step.get("close")
        if step.get("body_delay_ms"):
            time.sleep(step["body_delay_ms"] / 1000.0)

        if chunked:
            pieces = [c.encode("latin-1") for c in step["chunks"]] if "chunks" in step else [body]
        else:
            pieces = [body]
        if step.get("reset") == "mid_body":
            data = chunk_encode(pieces) if chunked else body
            sock.sendall(data[: len(data) // 2])
            rst_close(sock)
            return False
        if "truncate_after" in step:
            left = int(step["truncate_after"])
            cut = []
            for p in pieces:
                cut.append(p[:left])
                left -= len(cut[-1])
                if left <= 0:
                    break
            sock.sendall(chunk_encode(cut) if chunked else b"".join(cut)[: int(step["truncate_after"])])
            sock.shutdown(socket.SHUT_WR)
            return False
        if chunked:
            for i, p in enumerate(pieces):
                if p:
                    sock.sendall(chunk_encode([p]))
                if i == 0 and step.get("body_hold"):
                    STATE.barrier(step["body_hold"]).wait()
            sock.sendall(b"0\r\n\r\n")
        else:
            view = memoryview(body)
            for at in range(0, len(body), 65536):
                sock.sendall(view[at:at + 65536])
                with STATE.lock:
                    self.record["sent"] = min(at + 65536, len(body))
        return not step.get("close")


class ControlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        path = query.get("path", [None])[0]
        with STATE.lock:
            records = [r for r in STATE.records if path is None or r["target"] == path]
        if url.path == "/requests":
            self.reply(200, records)
        elif url.path == "/count":
            self.reply(200, {"count": len(records)})
        else:
            self.reply(404, {"error": "no such endpoint"})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        m = re.match(r"^/barrier/([^/]+)/open$", url.path)
        if url.path == "/script":
            spec = self.read_json()
            steps = spec.get("responses") or []
            if not steps or "path" not in spec:
                return self.reply(400, {"error": "need path and responses"})
            with STATE.lock:
                STATE.scripts[(spec["path"], spec.get("method"))] = {"steps": steps, "next": 0}
            self.reply(200, {"ok": True})
        elif m:
            STATE.open_barrier(urllib.parse.unquote(m.group(1)))
            self.reply(200, {"ok": True})
        elif url.path == "/reset":
            STATE.reset()
            self.reply(200, {"ok": True})
        else:
            self.reply(404, {"error": "no such endpoint"})


class OriginServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class ControlServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate chain (PEM)")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    args = parser.parse_args()
    origin = OriginServer((args.host, args.port), OriginHandler)
    if args.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        # The handshake runs in accept(); a failed one (a client refusing our certificate) is an
        # OSError that socketserver drops.
        origin.socket = ctx.wrap_socket(origin.socket, server_side=True)
    control = ControlServer((args.host, args.control_port), ControlHandler)
    threading.Thread(target=control.serve_forever, daemon=True).start()
    print("origin ready port=%d control=%d" % (origin.server_address[1],
                                                control.server_address[1]), flush=True)
    try:
        origin.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        STATE.shutdown.set()


if __name__ == "__main__":
    main()
