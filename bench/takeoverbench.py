#!/usr/bin/python3
"""Driver for bench/takeover.sh: an upgrade (`lacquer --takeover`) in the middle of keep-alive wrk
load. Prints failed requests (wrk's socket errors and non-2xx answers), the hit ratio in the
window before the takeover and in the window after it, their ratio, and how long the handover
took (new process started -> new process ready) and the worst latency wrk saw."""
import argparse
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchtool import fetch_all, free_port, wrk_stats  # noqa: E402

READY = re.compile(r"lacquer: ready listen=\S+:(\d+) admin=\S+:(\d+)")


def metrics(admin_port):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=10)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _, value = line.rpartition(" ")
        base = name.split("{", 1)[0]
        out[base] = out.get(base, 0.0) + float(value)
    return out


def ratio(m0, m1):
    hits = m1.get("lacquer_cache_hits_total", 0) - m0.get("lacquer_cache_hits_total", 0)
    misses = m1.get("lacquer_cache_misses_total", 0) - m0.get("lacquer_cache_misses_total", 0)
    return hits, misses, (hits / (hits + misses) if hits + misses else 0.0)


class Proc:
    """A lacquer process whose stderr is collected; `ready` is set at its ready line."""

    def __init__(self, args, log_path):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.ready = threading.Event()
        self.ports = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            self.log.write(line)
            self.log.flush()
            m = READY.search(line)
            if m and not self.ready.is_set():
                self.ports = int(m.group(1)), int(m.group(2))
                self.ready.set()

    def wait_ready(self, secs):
        if not self.ready.wait(secs):
            sys.exit("lacquer did not get ready (see %s)" % self.log.name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lacquer", required=True)
    ap.add_argument("--origin", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--urls", type=int, default=1000)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--window", type=float, default=10.0)
    a = ap.parse_args()

    port, admin = free_port(), free_port()
    args = [a.lacquer, "--listen", "127.0.0.1:%d" % port, "--admin", "127.0.0.1:%d" % admin,
            "--origin", a.origin, "--state-dir", os.path.join(a.tmp, "state"), "--threads", str(a.threads)]
    old = Proc(args, os.path.join(a.tmp, "old.log"))
    old.wait_ready(20)
    paths = ["/bytes/1024/%d" % i for i in range(a.urls)]
    bad = []
    fetch_all("127.0.0.1:%d" % port, paths, 1024, bad)
    fetch_all("127.0.0.1:%d" % port, paths, 1024, bad)  # every URL stored (and queued for disk)
    if bad:
        sys.exit("warming failed: %s" % bad[:5])

    wrk_out = os.path.join(a.tmp, "wrk.txt")
    duration = int(2 + a.window + 5 + a.window + 3)
    env = dict(os.environ, BENCH_URLS=str(a.urls))
    with open(wrk_out, "w") as f:
        wrk = subprocess.Popen(["wrk", "-t2", "-c%d" % a.connections, "-d%ds" % duration, "--latency",
                                "-s", os.path.join(os.path.dirname(os.path.abspath(__file__)), "urls.lua"),
                                "http://127.0.0.1:%d" % port], stdout=f, env=env)
    time.sleep(2)
    m0 = metrics(admin)
    time.sleep(a.window)
    m1 = metrics(admin)
    started = time.monotonic()
    new = Proc(args + ["--takeover"], os.path.join(a.tmp, "new.log"))
    new.wait_ready(60)
    handover_ms = (time.monotonic() - started) * 1000
    n0 = metrics(admin)  # the new process's counters (the admin port moved too)
    old_rc = old.proc.wait(60)
    time.sleep(max(0.0, a.window - (time.monotonic() - started - handover_ms / 1000)))
    n1 = metrics(admin)
    if wrk.poll() is not None:
        print("warning: wrk ended before the window after the takeover did; raise its duration")
    wrk.wait()
    w = wrk_stats(wrk_out)
    max_lat = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", open(wrk_out).read()).group(1)
    hb, mb, before = ratio(m0, m1)
    ha, ma, after = ratio(n0, n1)
    print("takeover under keep-alive load: %d connections, %d URLs of 1 KiB, windows of %.0f s" %
          (a.connections, a.urls, a.window))
    print("requests %d (%.0f/s), failed %d (socket errors + non-2xx), old process exit %d" %
          (w["requests"], w["rps"], w["errors"], old_rc))
    print("handover %.0f ms (new process started -> ready); wrk p99 %.2f ms, max %s" %
          (handover_ms, w["p99"], max_lat))
    print("hit ratio before %.4f (%d hits, %d misses), after %.4f (%d hits, %d misses)" %
          (before, hb, mb, after, ha, ma))
    print("after/before %.4f  (target >= 0.99, failed requests 0)" % (after / before if before else 0.0))
    new.proc.terminate()
    new.proc.wait(40)
    return 0 if w["errors"] == 0 and before and after / before >= 0.99 else 1


if __name__ == "__main__":
    sys.exit(main())
