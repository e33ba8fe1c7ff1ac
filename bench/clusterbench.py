#!/usr/bin/python3
"""Cluster benchmark: a real redis-server and three lacquer nodes on loopback; node a sends tag
purges at RATE/s for DURATION s; for every purge, the time from the 200 on a until nodes b and c
have applied it (polled on their admin API, /version-of/tag/<tag>), p50/p99/max. Then the hit
throughput of node b (wrk, one hot URL) without purges and during the same purge storm.

    /usr/bin/python3 bench/clusterbench.py [--rate 100] [--duration 10] [--wrk-seconds 5] [--keep]

Environment: LACQUER_BIN (default build/edge/lacquer). Needs redis-server, wrk.
Resolution: the pollers issue one admin GET at a time per node (about 0.2-0.5 ms each on
loopback), so a latency is exact to within one poll; a purge seen applied before the sender read
its 200 counts as 0.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import benchtool  # noqa: E402

LACQUER_BIN = os.environ.get("LACQUER_BIN", os.path.join(REPO, "build", "edge", "lacquer"))
ORIGIN_PY = os.path.join(REPO, "tests", "origin", "origin.py")
PROCS = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(args, log):
    p = subprocess.Popen(args, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    PROCS.append(p)
    return p


def wait_line(log, needle, proc, timeout=15):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit("%s exited; see %s" % (proc.args[0], log))
        text = open(log).read()
        for line in text.splitlines():
            if needle in line:
                return line
        time.sleep(0.02)
    raise SystemExit("no %r in %s" % (needle, log))


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


class Node:
    def __init__(self, tmp, name, redis_port, origin_port):
        self.name = name
        conf = os.path.join(tmp, name + ".toml")
        with open(conf, "w") as f:
            f.write('[cluster]\nredis = "127.0.0.1:%d"\nnode = "%s"\nstream = "bench:purges"\n' % (redis_port, name))
        self.log = os.path.join(tmp, name + ".log")
        self.proc = spawn([LACQUER_BIN, "--config", conf, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0",
                           "--origin", "127.0.0.1:%d" % origin_port, "--state-dir", os.path.join(tmp, name),
                           "--threads", "1"], self.log)
        line = wait_line(self.log, "lacquer: ready", self.proc)
        parts = dict(kv.split("=", 1) for kv in line.split()[2:])
        self.port = int(parts["listen"].rsplit(":", 1)[1])
        self.admin = int(parts["admin"].rsplit(":", 1)[1])


class Storm:
    """Tag purges at `rate`/s on one keep-alive connection; records when each 200 arrived."""

    def __init__(self, node, rate, duration, prefix):
        self.node, self.rate, self.duration, self.prefix = node, rate, duration, prefix
        self.n = int(rate * duration)
        self.ok_at = [None] * self.n
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        c = http.client.HTTPConnection("127.0.0.1", self.node.port, timeout=10)
        start = time.monotonic()
        for i in range(self.n):
            due = start + i / self.rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            c.request("PURGE", "/", headers={"Surrogate-Key": "%s-%d" % (self.prefix, i), "Host": "example.com"})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit("PURGE answered %d" % r.status)
            self.ok_at[i] = time.monotonic()


def watch(node, storm, out):
    """For each purge in order: poll until node has applied it; latency from the sender's 200."""
    c = http.client.HTTPConnection("127.0.0.1", node.admin, timeout=10)
    for i in range(storm.n):
        path = "/version-of/tag/%s-%d" % (storm.prefix, i)
        while True:
            c.request("GET", path)
            r = c.getresponse()
            if json.loads(r.read())["hard"] > 0:
                seen = time.monotonic()
                break
        while storm.ok_at[i] is None:  # applied before the sender read its 200
            time.sleep(0.0001)
        out.append(max(0.0, seen - storm.ok_at[i]) * 1000.0)


def latency_phase(a, others, rate, duration, prefix):
    storm = Storm(a, rate, duration, prefix)
    results = {n.name: [] for n in others}
    watchers = [threading.Thread(target=watch, args=(n, storm, results[n.name]), daemon=True) for n in others]
    for w in watchers:
        w.start()
    storm.thread.start()
    storm.thread.join()
    for w in watchers:
        w.join(30)
    return results


def wrk_run(node, seconds, tmp, label):
    out = os.path.join(tmp, "wrk-%s.txt" % label)
    with open(out, "w") as f:
        subprocess.run(["wrk", "-t1", "-c20", "-d%ds" % seconds, "--latency", "-H", "Host: example.com",
                        "http://127.0.0.1:%d/hot" % node.port], stdout=f, stderr=subprocess.STDOUT, check=True)
    return benchtool.wrk_stats(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=100)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--wrk-seconds", type=int, default=5)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="lacquer-clusterbench-")
    try:
        rport = free_port()
        redis = spawn(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                       "--dir", tmp], os.path.join(tmp, "redis.log"))
        wait_line(os.path.join(tmp, "redis.log"), "Ready to accept connections", redis)
        origin = spawn(["/usr/bin/python3", ORIGIN_PY, "--port", "0"], os.path.join(tmp, "origin.log"))
        line = wait_line(os.path.join(tmp, "origin.log"), "origin ready", origin)
        parts = dict(kv.split("=", 1) for kv in line.split()[2:])
        oport, control = int(parts["port"]), int(parts["control"])
        c = http.client.HTTPConnection("127.0.0.1", control)
        c.request("POST", "/script", json.dumps({"path": "/hot", "responses": [
            {"status": 200, "headers": [["Cache-Control", "public, max-age=3600"], ["Surrogate-Key", "hot"]],
             "body": "x" * 1024}]}))
        assert c.getresponse().status == 200
        nodes = [Node(tmp, n, rport, oport) for n in ("a", "b", "c")]
        a_node, b_node, c_node = nodes
        print("cluster benchmark: redis-server + 3 lacquer nodes (1 worker thread each) on loopback; "
              "tag purges from a at %g/s for %g s" % (a.rate, a.duration))
        results = latency_phase(a_node, [b_node, c_node], a.rate, a.duration, "lat")
        print("\n%-6s %7s %9s %9s %9s" % ("node", "purges", "p50 ms", "p99 ms", "max ms"))
        allv = []
        for name, values in results.items():
            v = sorted(values)
            allv += v
            print("%-6s %7d %9.2f %9.2f %9.2f" % (name, len(v), percentile(v, 50), percentile(v, 99), v[-1]))
        allv.sort()
        print("%-6s %7d %9.2f %9.2f %9.2f" % ("both", len(allv), percentile(allv, 50), percentile(allv, 99), allv[-1]))
        # Hit throughput of b: baseline, then during a storm from a.
        subprocess.run(["curl", "-s", "-o", "/dev/null", "-H", "Host: example.com", "http://127.0.0.1:%d/hot" % b_node.port])
        base = wrk_run(b_node, a.wrk_seconds, tmp, "baseline")
        storm = Storm(a_node, a.rate, a.wrk_seconds + 1, "storm")
        storm.thread.start()
        during = wrk_run(b_node, a.wrk_seconds, tmp, "storm")
        storm.thread.join()
        print("\nhit throughput of node b (wrk -t1 -c20, one 1 KiB hot URL, %d s):" % a.wrk_seconds)
        print("  without purges: %9.0f req/s (p99 %.2f ms)" % (base["rps"], base["p99"]))
        print("  during storm:   %9.0f req/s (p99 %.2f ms)   ratio %.2f" % (during["rps"], during["p99"], during["rps"] / base["rps"]))
        print("\n(all processes share this machine's %d CPUs; wrk and the nodes are not pinned)" % os.cpu_count())
    finally:
        for p in reversed(PROCS):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
        if a.keep:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
