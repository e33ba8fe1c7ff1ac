#!/usr/bin/python3
"""Where the event loop waits during a purge storm: lock waits seen by the scheduler.

Wall-clock p99 on a shared machine mostly measures the other tenants. This counts something the
load does not create: how often lacquer's event loop blocked on a lock (a futex wait inside
pthread_mutex_lock or the allocator's lock) during a group purge storm, and for how long, from
`perf record` of sched_switch events with user stacks (root or perf_event_paranoid <= 1).

For each binary: one lacquer (--threads 1, pinned to CPU 0 as in bench/purge.sh), 100,000 tagged
objects, then one wrk run of DURATION s over the 10,000 hot URLs while a group purge arrives every
100 ms (bench/purgebench.py's step 5). Prints the waits by the loop's function.

  python3 bench/purgewaits.py [--duration S] BIN [BIN...]     (e.g. a before and an after build)
"""
import argparse
import collections
import itertools
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import types

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
import benchtool  # noqa: E402
import purgebench  # noqa: E402

WHERE = ("MemoryTier::lookup", "MemoryTier::insert", "MemoryTier::erase", "malloc", "free", "VersionTable")


def lock_waits(perf_data, tid):
    """{where: [seconds]} for every switch-out of thread `tid` inside a lock wait."""
    text = subprocess.run(["perf", "script", "-i", perf_data, "-F", "tid,time,event,trace,ip,sym"],
                          capture_output=True, text=True).stdout
    waits, pending = collections.defaultdict(list), None
    for rec in text.split("\n\n"):
        m = re.match(r"\s*(\d+)\s+(\d+\.\d+): ", rec)
        if not m:
            continue
        t = float(m.group(2))
        if pending and m.group(1) == tid:  # the loop runs again
            waits[pending[1]].append(t - pending[0])
            pending = None
        s = re.search(r"sched_switch: prev_comm=\S+ prev_pid=(\d+)", rec)
        if s and s.group(1) == tid and "lll_lock_wait" in rec:
            pending = (t, next((w for w in WHERE if w in rec), "other"))
    return waits


def measure(binary, duration, tmp):
    procs = []
    try:
        subprocess.run(["g++", "-O2", "-std=c++20", "-o", f"{tmp}/origin", f"{BENCH}/origin.cc", "-levent"], check=True)
        oport, port, admin = benchtool.free_port(), benchtool.free_port(), benchtool.free_port()
        procs.append(subprocess.Popen([f"{tmp}/origin", str(oport)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        os.makedirs(f"{tmp}/state")
        lq = subprocess.Popen(["taskset", "-c", "0", binary, "--listen", f"127.0.0.1:{port}", "--admin",
                               f"127.0.0.1:{admin}", "--origin", f"127.0.0.1:{oport}", "--threads", "1",
                               "--memory", "1G", "--state-dir", f"{tmp}/state"],
                              stdout=open(f"{tmp}/lacquer.log", "w"), stderr=subprocess.STDOUT)
        procs.append(lq)
        a = types.SimpleNamespace(listen=f"127.0.0.1:{port}", admin=f"127.0.0.1:{admin}", origin=f"127.0.0.1:{oport}",
                                  pid=lq.pid, tmp=tmp, duration=duration, reps=1, rounds=1, conns=50, wrk_cpu=1,
                                  lacquer_cpu=0)
        deadline = time.monotonic() + 30
        while True:
            try:
                benchtool.origin_count(a.origin)
                purgebench.Admin(a.admin).metrics()
                break
            except OSError:
                if time.monotonic() > deadline or lq.poll() is not None:
                    raise SystemExit(f"the origin or {binary} did not start; see {tmp}/lacquer.log")
                time.sleep(0.2)
        b = purgebench.Bench(a)
        b.runs = []
        b.step_fill()
        b.settle()
        perf_data = f"{tmp}/perf.data"
        perf = subprocess.Popen(["perf", "record", "-q", "-e", "sched:sched_switch", "--call-graph", "dwarf,16384",
                                 "-p", str(lq.pid), "-o", perf_data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        run = b.wrk("group storm", 3, 0, purgebench.HOT,
                    storm_tags=itertools.cycle([f"group-{g}" for g in purgebench.STORM_GROUPS]))
        perf.send_signal(signal.SIGINT)
        perf.wait()
        loop_tid = str(run["threads"][0][0])  # the busiest thread of a hit run is the event loop
        return run, lock_waits(perf_data, loop_tid)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("binaries", nargs="+")
    a = ap.parse_args()
    for binary in a.binaries:
        with tempfile.TemporaryDirectory(prefix="lacquer-purgewaits.") as tmp:
            load = open("/proc/loadavg").read().split()[0]
            run, waits = measure(binary, a.duration, tmp)
            n = sum(len(v) for v in waits.values())
            total = sum(sum(v) for v in waits.values())
            print(f"{binary} (load {load}): {run['rps']:.0f} req/s, p99 {run['p99']:.2f} ms; "
                  f"the event loop waited on a lock {n} times, {1e3 * total:.1f} ms in all")
            for where, v in sorted(waits.items(), key=lambda kv: -sum(kv[1])):
                print(f"  in {where}: {len(v)} waits, {1e3 * sum(v):.1f} ms, longest {1e3 * max(v):.2f} ms")


if __name__ == "__main__":
    main()
