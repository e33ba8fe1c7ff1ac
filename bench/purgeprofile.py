#!/usr/bin/env python3
"""Instructions per hit with and without a purge storm, under callgrind (stable on a loaded
machine, unlike wall-clock figures). One lacquer (--threads 1) under valgrind; OBJECTS tagged
objects are stored (groups of 1000, bench/origin.cc), then HITS hits uniform over the first HOT
objects go over one keep-alive connection, with a hard purge of the next storm group (never the
hot ones) after every PURGE_EVERY hits (0: none). Counting covers only the hit phase; each
thread's instructions are reported separately (worker, admin, sweeper, storage threads).

  python3 bench/purgeprofile.py --lacquer BIN [--purge-every N] [--hits N] [--out DIR]
"""
import argparse
import glob
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))


def freeport():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, path, deadline):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"nothing answered on {port}{path}")


def thread_name(path):
    """Which thread a callgrind per-thread dump is, from the functions it ran."""
    text = open(path, errors="replace").read()
    for needle, name in (("Sweeper::", "sweeper"), ("PurgeExchange", "admin"), ("PurgeStore", "admin"),
                         ("ProxyExchange", "worker"), ("rocksdb::", "storage")):
        if needle in text:
            return name
    return "other"


def totals(path):
    for line in open(path, errors="replace"):
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lacquer", required=True)
    ap.add_argument("--objects", type=int, default=20000)
    ap.add_argument("--hot", type=int, default=2000)
    ap.add_argument("--hits", type=int, default=20000)
    ap.add_argument("--purge-every", type=int, default=1000)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="lacquer-purgeprof.")
    out = a.out or tmp
    os.makedirs(out, exist_ok=True)
    procs = []
    try:
        subprocess.run(["g++", "-O2", "-std=c++20", "-o", f"{tmp}/origin", f"{BENCH}/origin.cc", "-levent"], check=True)
        oport, port, admin = freeport(), freeport(), freeport()
        procs.append(subprocess.Popen([f"{tmp}/origin", str(oport)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_http(oport, "/__count", 10)
        cmd = ["valgrind", "--tool=callgrind", "--separate-threads=yes", "--instr-atstart=no",
               f"--callgrind-out-file={out}/callgrind.out.%p", a.lacquer, "--listen", f"127.0.0.1:{port}",
               "--admin", f"127.0.0.1:{admin}", "--origin", f"127.0.0.1:{oport}", "--threads", "1",
               "--memory", "1G", "--state-dir", f"{tmp}/state"]
        os.makedirs(f"{tmp}/state")
        lq = subprocess.Popen(cmd, stdout=open(f"{tmp}/lacquer.log", "w"), stderr=subprocess.STDOUT)
        procs.append(lq)
        wait_http(admin, "/healthz", 120)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(a.objects):
            c.request("GET", f"/tagged/3/{i}", headers={"Host": "bench"})
            r = c.getresponse()
            r.read()
            assert r.status == 200, r.status
        for i in range(a.hot):  # every hot object checked once before counting starts
            c.request("GET", f"/tagged/3/{i}", headers={"Host": "bench"})
            c.getresponse().read()
        ac = http.client.HTTPConnection("127.0.0.1", admin, timeout=60)
        subprocess.run(["callgrind_control", "-i", "on", str(lq.pid)], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "-z", str(lq.pid)], check=True, capture_output=True)
        rng = random.Random(1)
        groups = list(range(a.hot // 1000, a.objects // 1000))
        purges = hits = 0
        t0 = time.monotonic()
        for n in range(a.hits):
            i = rng.randrange(a.hot)
            c.request("GET", f"/tagged/3/{i}", headers={"Host": "bench"})
            r = c.getresponse()
            r.read()
            hits += "hit" in r.getheader("Cache-Status", "")
            if a.purge_every and (n + 1) % a.purge_every == 0:
                ac.request("POST", f"/purge/tag/group-{groups[purges % len(groups)]}")
                pr = ac.getresponse()
                pr.read()
                assert pr.status == 200, pr.status
                purges += 1
        wall = time.monotonic() - t0
        subprocess.run(["callgrind_control", "-d", str(lq.pid)], check=True, capture_output=True)
        lq.send_signal(signal.SIGTERM)
        lq.wait(timeout=120)
        by = {}
        for f in glob.glob(f"{out}/callgrind.out.{lq.pid}*"):
            if not re.search(r"\.1-\d+$", f):  # part 1: the hit phase (the exit dump is part 2)
                continue
            name = thread_name(f)
            by[name] = by.get(name, 0) + totals(f)
        # the first dump (callgrind_control -d) is part 1; the exit dump only adds shutdown
        print(f"requests {a.hits} (hits {hits}), purges {purges}, wall {wall:.1f} s under callgrind")
        grand = 0
        for name in sorted(by):
            print(f"  {name:8s} {by[name]:>14,d} Ir  {by[name] / a.hits:>10,.0f} Ir/request")
            grand += by[name]
        print(f"  {'all':8s} {grand:>14,d} Ir  {grand / a.hits:>10,.0f} Ir/request")
        print(f"dumps in {out}")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
