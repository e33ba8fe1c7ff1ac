#!/usr/bin/python3
"""Measurement driver for bench/disk.sh (standard library only; see bench/README.md).

disk.sh builds and starts the origin, then runs this pinned to the client CPU. It starts lacquer
itself (pinned to the proxy CPU), because it has to restart it:

  (a) disk-tier hits against memory-tier hits: 1 KiB bodies over URLS URLs, requested uniformly
      at random by wrk over 50 connections; once with --memory 512M (every hit from memory) and
      once with --memory 1M (almost every hit from disk, page cache warm). Requests per lacquer
      CPU-second for both, and their ratio (target >= 0.5).
  (b) time to the first hit after a restart with URLS objects on disk: SIGTERM then start, and
      kill -9 then start; from starting the process to the first answer whose Cache-Status says
      hit, for a stored URL (target < 1 s).

Every fill is checked with the origin's /__count: each URL fetched exactly once, and no origin
request during any measured run. Report on stdout, progress on stderr; exit 1 when a check failed.

  diskbench.py --bin LACQUER --origin H:P --tmp DIR [--duration S] [--urls N] [--conns N]
               [--lacquer-cpu N] [--wrk-cpu N]
"""
import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
import benchtool  # noqa: E402  (free_port, cpu_seconds, wrk_stats, origin_count)

PREFIX = "/bytes/1024/"


def log(msg):
    print(f"[disk] {msg}", file=sys.stderr, flush=True)


class Failure(Exception):
    pass


def metrics(admin):
    c = http.client.HTTPConnection("127.0.0.1", admin, timeout=10)
    c.request("GET", "/metrics")
    out = {}
    for line in c.getresponse().read().decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            name = name.split("{")[0]
            out[name] = out.get(name, 0.0) + float(value)
    c.close()
    return out


class Lacquer:
    def __init__(self, a, state, memory, label, ports=None):
        # A restart keeps the ports: the Host field (host:port, as wrk sends it) is part of the key.
        self.port, self.admin = ports or (benchtool.free_port(), benchtool.free_port())
        self.log_path = os.path.join(a.tmp, f"lacquer-{label}.log")
        self.args = ["taskset", "-c", str(a.lacquer_cpu), a.bin, "--listen", f"127.0.0.1:{self.port}",
                     "--admin", f"127.0.0.1:{self.admin}", "--origin", a.origin, "--threads", "1",
                     "--state-dir", state, "--memory", memory, "--disk", "1G"]
        self.proc = None

    def start(self):
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.args, stdout=open(self.log_path, "a"), stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise Failure(f"lacquer exited ({self.proc.returncode}); see {self.log_path}")
            try:
                metrics(self.admin)
                return self
            except OSError:
                time.sleep(0.02)
        raise Failure(f"lacquer did not come up; see {self.log_path}")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None


def first_hit(port, path, started, timeout=10.0):
    """Polls GET path until an answer arrives; returns (seconds since started, Cache-Status)."""
    req = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(req)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                at = time.monotonic() - started
            for line in data.decode("latin-1").split("\r\n"):
                if line.lower().startswith("cache-status:"):
                    return at, line.split(":", 1)[1].strip()
            return at, "(none)"
        except OSError:
            time.sleep(0.002)  # not listening yet
    raise Failure(f"no answer for {path} within {timeout} s of the start")


class Bench:
    def __init__(self, a):
        self.a = a
        self.on_wrk_cpu = ["taskset", "-c", str(a.wrk_cpu)]
        self.rows = []
        self.problems = []

    def wrk(self, lq, label, script, seconds, extra_env=None):
        out_file = os.path.join(self.a.tmp, f"wrk-{label}.txt")
        env = dict(os.environ, BENCH_PREFIX=PREFIX, BENCH_URLS=str(self.a.urls), **(extra_env or {}))
        cmd = self.on_wrk_cpu + ["wrk", "-t1", f"-c{self.a.conns}", f"-d{seconds}s", "--timeout", "10s",
                                 "--latency", "-s", os.path.join(BENCH, script), f"http://127.0.0.1:{lq.port}/"]
        with open(out_file, "w") as out:
            subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, timeout=seconds + 60)
        return out_file

    def fill(self, lq, label):
        """Every URL once (fill.lua walks them in order), checked with the origin's count."""
        n = self.a.urls
        done = os.path.join(self.a.tmp, f"fill-{label}.done")
        o0 = benchtool.origin_count(self.a.origin)
        t0 = time.monotonic()
        env = dict(os.environ, BENCH_PREFIX=PREFIX, BENCH_URLS=str(n), BENCH_LEN="1024",
                   BENCH_DONE_AT=str(n), BENCH_DONE_FILE=done)
        bound = 30 + n // 2000
        with open(os.path.join(self.a.tmp, f"fill-{label}.wrk.txt"), "w") as out:
            p = subprocess.Popen(self.on_wrk_cpu + ["wrk", "-t1", f"-c{self.a.conns}", f"-d{bound}s", "--timeout", "10s",
                                                    "-s", os.path.join(BENCH, "fill.lua"), f"http://127.0.0.1:{lq.port}/"],
                                 stdout=out, stderr=subprocess.STDOUT, env=env)
            while not os.path.exists(done) and p.poll() is None and time.monotonic() - t0 < bound + 10:
                time.sleep(0.05)
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
            p.wait(15)
        if not os.path.exists(done):
            raise Failure(f"fill {label}: wrk ended before {n} answers")
        res = dict(kv.split("=") for kv in open(done).read().split())
        fetched = benchtool.origin_count(self.a.origin) - o0
        # The walk wraps around while the last answers arrive: at most one repeat per connection
        # can reach the origin (when the disk write of its first fetch was still queued).
        log(f"fill {label}: {n} URLs in {time.monotonic() - t0:.1f} s, origin requests {fetched}, "
            f"bad answers {res['bad']}")
        if int(res["bad"]) or not n <= fetched <= n + self.a.conns:
            raise Failure(f"fill {label}: {res['bad']} bad answers, {fetched} origin requests for {n} URLs")
        end = time.monotonic() + 120
        while time.monotonic() < end:
            m = metrics(lq.admin)
            if m.get("lacquer_disk_writes_total", 0) >= n and m.get("lacquer_disk_write_queue_depth", 1) == 0:
                return m
            time.sleep(0.2)
        raise Failure(f"fill {label}: the disk tier did not write all {n} objects")

    def measure(self, lq, label):
        d = self.a.duration
        self.wrk(lq, f"{label}-warm", "urls.lua", max(2, d // 3))  # page cache, block cache, connections
        m0, o0, c0 = metrics(lq.admin), benchtool.origin_count(self.a.origin), benchtool.cpu_seconds([lq.proc.pid])
        out = self.wrk(lq, label, "urls.lua", d)
        c1, o1, m1 = benchtool.cpu_seconds([lq.proc.pid]), benchtool.origin_count(self.a.origin), metrics(lq.admin)
        w = benchtool.wrk_stats(out)
        rps, p50, p99, requests, errors = w["rps"], w["p50"], w["p99"], w["requests"], w["errors"]
        cpu = c1 - c0
        hits = m1["lacquer_cache_hits_total"] - m0["lacquer_cache_hits_total"]
        disk_hits = m1["lacquer_cache_disk_hits_total"] - m0["lacquer_cache_disk_hits_total"]
        row = dict(label=label, rps=rps, p50=p50, p99=p99, requests=requests, errors=errors, cpu=cpu,
                   per_cpu=requests / cpu if cpu else 0.0, disk_share=disk_hits / hits if hits else 0.0,
                   origin=o1 - o0)
        self.rows.append(row)
        log(f"{label}: {rps:.0f} req/s, {row['per_cpu']:.0f} req/CPU-s, disk share {row['disk_share']:.1%}, "
            f"origin {row['origin']}, errors {errors}")
        if row["origin"] or errors:
            self.problems.append(f"{label}: {row['origin']} origin requests and {errors} errors during a hit-only run")
        return row

    def restart(self, lq, how):
        lq.stop(signal.SIGTERM if how == "SIGTERM" else signal.SIGKILL)
        again = Lacquer(self.a, lq.args[lq.args.index("--state-dir") + 1], "512M", f"restart-{how}",
                        (lq.port, lq.admin))
        again.start()
        path = f"{PREFIX}{self.a.urls // 2 + 7}"
        try:
            at, status = first_hit(again.port, path, again.started)
        except Failure as e:
            again.stop(signal.SIGKILL)
            raise e
        ok = "hit" in status and "fwd=" not in status
        log(f"restart after {how}: first answer {at * 1000:.0f} ms after the start: {status}")
        if not ok:
            self.problems.append(f"restart after {how}: the first answer was not a hit ({status})")
        self.rows.append(dict(label=f"restart-{how}", first_hit_ms=at * 1000, status=status))
        return again.wait_ready()

    def run(self):
        n = self.a.urls
        state_mem = os.path.join(self.a.tmp, "state-memory")
        state_disk = os.path.join(self.a.tmp, "state-disk")
        lq = Lacquer(self.a, state_disk, "1M", "disk").start().wait_ready()
        try:
            m = self.fill(lq, "disk")
            log(f"disk tier after the fill: ~{m.get('lacquer_disk_objects', 0):.0f} keys, "
                f"{m.get('lacquer_disk_bytes', 0) / 1048576:.0f} MiB; memory tier {m.get('lacquer_cache_objects', 0):.0f} objects")
            self.measure(lq, "disk")
        finally:
            lq.stop()
        lq = Lacquer(self.a, state_mem, "512M", "memory").start().wait_ready()
        try:
            self.fill(lq, "memory")
            self.measure(lq, "memory")
            # kill -9 first: its restart replays the WAL of the whole fill still in the memtables.
            for how in ("kill-9", "SIGTERM"):
                lq = self.restart(lq, how)
        finally:
            lq.stop()

    def report(self):
        by = {r["label"]: r for r in self.rows}
        print(f"(a) 1 KiB hits over {self.a.urls} URLs, uniform random, {self.a.conns} connections, "
              f"{self.a.duration} s per run; lacquer on CPU {self.a.lacquer_cpu} (--threads 1), wrk on CPU {self.a.wrk_cpu}")
        print(f"  {'run':<8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'CPU s':>6} {'req/CPU-s':>10} {'from disk':>9} {'origin':>6} {'errors':>6}")
        for label in ("memory", "disk"):
            r = by.get(label)
            if r:
                print(f"  {label:<8} {r['rps']:>8.0f} {r['p50']:>7.2f} {r['p99']:>7.2f} {r['cpu']:>6.2f} {r['per_cpu']:>10.0f} "
                      f"{r['disk_share']:>9.1%} {r['origin']:>6} {r['errors']:>6}")
        if "memory" in by and "disk" in by and by["memory"]["per_cpu"]:
            ratio = by["disk"]["per_cpu"] / by["memory"]["per_cpu"]
            print(f"  disk/memory req/CPU-s: {ratio:.2f} (target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'})")
        print(f"(b) time from process start to the first hit, {self.a.urls} objects on disk (target < 1000 ms)")
        for how in ("kill-9", "SIGTERM"):
            r = by.get(f"restart-{how}")
            if r:
                print(f"  after {how:<8} {r['first_hit_ms']:7.0f} ms   Cache-Status: {r['status']}")
        if self.problems:
            print("PROBLEMS")
            for p in self.problems:
                print(f"  {p}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--origin", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--urls", type=int, default=100_000)
    ap.add_argument("--conns", type=int, default=50)
    ap.add_argument("--lacquer-cpu", type=int, default=0)
    ap.add_argument("--wrk-cpu", type=int, default=1)
    a = ap.parse_args()
    b = Bench(a)
    try:
        b.run()
    except Failure as e:
        b.problems.append(str(e))
    b.report()
    sys.exit(1 if b.problems else 0)


if __name__ == "__main__":
    main()
