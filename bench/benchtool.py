#!/usr/bin/python3
"""Number helpers for bench/run.sh and bench/purge.sh (standard library only).

Usable as a command (below) and as a module: bench/purgebench.py imports free_port, cpu_seconds,
thread_cpu, affinity_line, wrk_stats and origin_count.

  benchtool.py freeport                      print a free TCP port on 127.0.0.1
  benchtool.py cpu PID...                    CPU seconds (utime+stime) of PIDs and all their descendants
  benchtool.py affinity PID...              CPUs allowed for PIDs, their descendants and threads
  benchtool.py warm HOST:PORT PREFIX N [ORIGIN_HOST:PORT]
                                             GET PREFIX0 .. PREFIX{N-1} twice over keep-alive
                                             connections; fails unless every answer is 200 with the
                                             right length and (given the origin) the second pass
                                             reached the origin for < 1% of the URLs
  benchtool.py wrk FILE                      parse `wrk --latency` output -> tab-separated
                                             rps p50_ms p99_ms requests errors
  benchtool.py report RUNS.tsv DURATION ROUNDS
                                             medians per proxy and scenario, and lacquer's ratios
"""
import http.client
import os
import re
import socket
import statistics
import sys
import threading

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def freeport():
    print(free_port())


def _stat(pid):
    """(ppid, utime+stime ticks) from /proc/<pid>/stat; comm may contain spaces or parens."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is state (field 3); ppid is field 4, utime 14, stime 15.
    return int(fields[1]), int(fields[11]) + int(fields[12])


def cpu_seconds(roots):
    """utime+stime of the roots and every descendant (all threads are included per process)."""
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                procs[int(name)] = _stat(name)
            except (OSError, ValueError):
                pass  # exited meanwhile
    wanted = set(int(r) for r in roots)
    changed = True
    while changed:
        changed = False
        for pid, (ppid, _) in procs.items():
            if ppid in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    ticks = sum(procs[p][1] for p in wanted if p in procs)
    return ticks / CLK_TCK


def thread_cpu(pid):
    """{tid: (comm, utime+stime seconds)} for every thread of one process."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                data = f.read()
        except OSError:
            continue  # exited meanwhile
        comm = data[data.index("(") + 1:data.rindex(")")]
        fields = data[data.rindex(")") + 2:].split()
        out[int(tid)] = (comm, (int(fields[11]) + int(fields[12])) / CLK_TCK)
    return out


def cpu(roots):
    print(f"{cpu_seconds(roots):.2f}")


def affinity_line(roots):
    """One line: every process under the roots (and its threads) with the CPUs it may run on."""
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                procs[int(name)] = _stat(name)[0]
            except (OSError, ValueError):
                pass
    wanted = set(int(r) for r in roots)
    changed = True
    while changed:
        changed = False
        for pid, ppid in procs.items():
            if ppid in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    cpus = {}
    for pid in sorted(wanted):
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                for line in open(f"/proc/{pid}/task/{tid}/status"):
                    if line.startswith("Cpus_allowed_list:"):
                        cpus.setdefault(line.split()[1], set()).add(pid)
        except OSError:
            pass
    return f"{len(wanted)} processes; " + "; ".join(
        f"CPUs {c}: pids {' '.join(map(str, sorted(p)))}" for c, p in cpus.items())


def affinity(roots):
    print(affinity_line(roots))


def _get(hostport):
    host, port = hostport.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=10)


def origin_count(hostport):
    c = _get(hostport)
    c.request("GET", "/__count")
    n = int(c.getresponse().read())
    c.close()
    return n


def fetch_all(hostport, paths, expect_len, bad, nconn=8):
    """GET every path over nconn keep-alive connections; problems are appended to bad."""
    def worker(part):
        conn = _get(hostport)
        for p in part:
            for attempt in range(2):
                try:
                    conn.request("GET", p)
                    r = conn.getresponse()
                    body = r.read()
                    if r.status != 200 or (expect_len is not None and len(body) != expect_len):
                        bad.append(f"{p}: {r.status} {len(body)} bytes")
                    if r.getheader("connection", "").lower() == "close":
                        conn.close()
                        conn = _get(hostport)
                    break
                except (OSError, http.client.HTTPException) as e:
                    conn.close()
                    conn = _get(hostport)
                    if attempt == 1:
                        bad.append(f"{p}: {e!r}")
        conn.close()

    threads = [threading.Thread(target=worker, args=(paths[i::nconn],)) for i in range(nconn)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def warm(hostport, prefix, n, origin=None):
    n = int(n)
    m = re.match(r"/bytes/(\d+)/", prefix)
    expect_len = int(m.group(1)) if m else None
    paths = [f"{prefix}{i}" for i in range(n)]
    bad = []
    fetch_all(hostport, paths, expect_len, bad)
    before = origin_count(origin) if origin else None
    fetch_all(hostport, paths, expect_len, bad)
    second = (origin_count(origin) - before) if origin else None
    for b in bad[:5]:
        print("  bad:", b, file=sys.stderr)
    msg = f"warmed {n} URLs, {len(bad)} bad answers"
    if origin:
        msg += f", second pass reached the origin {second} times"
    print(msg)
    if bad or (second is not None and second > max(1, n // 100)):
        sys.exit(1)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def wrk_stats(path):
    """`wrk --latency` output -> dict rps, p50 (ms), p99 (ms), requests, errors."""
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    reqs = int(re.search(r"(\d+) requests in", text).group(1))
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        errors += int(m.group(1))
    return {"rps": rps, "p50": p50, "p99": p99, "requests": reqs, "errors": errors}


def parse_wrk(path):
    w = wrk_stats(path)
    print(f"{w['rps']:.1f}\t{w['p50']:.3f}\t{w['p99']:.3f}\t{w['requests']}\t{w['errors']}")


def report(runs_path, duration, rounds):
    # RUNS.tsv columns: scenario proxy round rps p50_ms p99_ms requests errors cpu_s origin_reqs
    # wrk_cpu_s
    rows = [line.rstrip("\n").split("\t") for line in open(runs_path) if line.strip()]
    scenarios, proxies, data = [], [], {}
    for sc, px, _rnd, rps, p50, p99, reqs, errs, cpu_s, orig, wrk_cpu in rows:
        if sc not in scenarios:
            scenarios.append(sc)
        if px not in proxies:
            proxies.append(px)
        cpu_s = float(cpu_s)
        data.setdefault((sc, px), []).append({
            "rps": float(rps), "p50": float(p50), "p99": float(p99),
            "cpu": cpu_s, "util": 100.0 * cpu_s / float(duration),
            "rpc": int(reqs) / cpu_s if cpu_s > 0 else float("nan"),
            "errors": int(errs), "origin": int(orig),
            "wrk": 100.0 * float(wrk_cpu) / float(duration),
        })
    med = {k: {f: statistics.median(r[f] for r in v) for f in v[0]} for k, v in data.items()}

    out = []
    out.append(f"median of {rounds} round(s) x {duration} s, wrk -t1 -c50 on one CPU, each proxy on another")
    hdr = f"{'scenario':<10} {'proxy':<8} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU s':>7} {'CPU %':>6} {'req/CPU-s':>10} {'origin':>7} {'errors':>7} {'wrk CPU %':>9}"
    out.append(hdr)
    out.append("-" * len(hdr))
    for sc in scenarios:
        for px in proxies:
            m = med.get((sc, px))
            if not m:
                continue
            out.append(f"{sc:<10} {px:<8} {m['rps']:>10.0f} {m['p50']:>8.3f} {m['p99']:>8.3f} "
                       f"{m['cpu']:>7.2f} {m['util']:>6.0f} {m['rpc']:>10.0f} {m['origin']:>7.0f} {m['errors']:>7.0f} {m['wrk']:>9.0f}")
    out.append("")
    if "lacquer" in proxies:
        out.append("requests per proxy CPU-second, ratios (targets: 1 KiB hits >= 1.5 Varnish and >= 1.2 nginx;")
        out.append("64k >= 1.2 nginx; all-miss >= 2 Varnish):")
        for sc in scenarios:
            parts = []
            for other in ("varnish", "nginx", "before"):
                if (sc, other) in med and (sc, "lacquer") in med:
                    parts.append(f"lacquer/{other} = {med[(sc, 'lacquer')]['rpc'] / med[(sc, other)]['rpc']:.2f}")
            out.append(f"  {sc:<10} " + "   ".join(parts))
    else:
        out.append("lacquer was not measured (binary missing or did not start); no lacquer ratios.")
        if "varnish" in proxies and "nginx" in proxies:
            for sc in scenarios:
                r = med[(sc, "varnish")]["rpc"] / med[(sc, "nginx")]["rpc"]
                out.append(f"  {sc:<10} varnish/nginx = {r:.2f}  (for reference)")
    out.append("")
    out.append("every run (req/s, req/CPU-s, proxy CPU %, wrk CPU %):")
    for sc in scenarios:
        for px in proxies:
            runs = data.get((sc, px), [])
            out.append(f"  {sc:<10} {px:<8} " + "   ".join(
                f"{r['rps']:.0f} {r['rpc']:.0f} {r['util']:.0f}% {r['wrk']:.0f}%" for r in runs))
    print("\n".join(out))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "freeport":
        freeport()
    elif cmd == "cpu":
        cpu(args)
    elif cmd == "affinity":
        affinity(args)
    elif cmd == "warm":
        warm(*args)
    elif cmd == "wrk":
        parse_wrk(*args)
    elif cmd == "report":
        report(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
