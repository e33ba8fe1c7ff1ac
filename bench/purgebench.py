#!/usr/bin/python3
"""Measurement driver for bench/purge.sh (standard library only; see bench/README.md).

purge.sh starts the origin and lacquer, then runs this (pinned to the client CPU) with their
addresses. It fills the cache, measures purge latency per scope, hit throughput during purge
storms and the cost of many tags per object, and prints one report on stdout. Progress goes to
stderr. Exit status 1 when a check fails (a fill that did not store everything, a purge that was
not answered 200, misses where only hits were expected).

  purgebench.py --listen H:P --admin H:P --origin H:P --pid PID --tmp DIR
                [--duration S] [--reps N] [--rounds N] [--conns N] [--wrk-cpu N] [--lacquer-cpu N]
"""
import argparse
import http.client
import itertools
import os
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
import benchtool  # noqa: E402  (cpu_seconds, thread_cpu, affinity_line, wrk_stats, origin_count)

OBJECTS = 100_000      # step 3: /tagged/3/0 .. 99999
HOT = 10_000           # step 5: the hot set, /tagged/3/0 .. 9999 (groups 0..9)
STORM_GROUPS = range(10, 100)  # step 5: groups purged during the storm (never the hot set)
TAGS_N = 10_000        # step 6: objects per tag-count set
TAGS_START = {3: 200_000, 100: 300_000}  # step 6: i ranges of the two sets (no clash with step 3)
STORM_INTERVAL = 0.1   # seconds between purges in a storm


def log(msg):
    print(f"[purge] {msg}", file=sys.stderr, flush=True)


class Failure(Exception):
    pass


LIVE = []  # wrk processes running now; killed if the driver is interrupted


def spawn(cmd, out, env):
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    LIVE.append(p)
    return p


def conn(hostport, timeout=30):
    host, port = hostport.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=timeout)


def parse_metrics(text):
    """Prometheus text -> {name or name{labels}: float}."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            try:
                out[name] = float(value)
            except ValueError:
                pass
    return out


class Admin:
    """One keep-alive connection to lacquer's admin port (reconnects when it is closed)."""

    def __init__(self, hostport):
        self.hostport = hostport
        self.c = None

    def request(self, method, path):
        for attempt in range(2):
            if self.c is None:
                self.c = conn(self.hostport)
            try:
                t0 = time.perf_counter()
                self.c.request(method, path)
                r = self.c.getresponse()
                body = r.read()
                rtt = time.perf_counter() - t0
                if (r.getheader("connection") or "").lower() == "close":
                    self.c.close()
                    self.c = None
                return r.status, body, rtt
            except (OSError, http.client.HTTPException):
                self.c.close()
                self.c = None
                if attempt == 1:
                    raise

    def metrics(self):
        status, body, _ = self.request("GET", "/metrics")
        if status != 200:
            raise Failure(f"GET /metrics answered {status}")
        return parse_metrics(body.decode())

    def purge_tag(self, tag, soft):
        return self.request("POST", f"/purge/tag/{tag}" + ("?soft=1" if soft else ""))


class Storm(threading.Thread):
    """POSTs /purge/tag/<next tag> every `interval` seconds (on a fixed schedule) until stopped."""

    def __init__(self, admin_hostport, tags, interval):
        super().__init__(daemon=True)
        self.admin = Admin(admin_hostport)
        self.tags = tags
        self.interval = interval
        self.stop_event = threading.Event()
        self.statuses = Counter()
        self.rtts = []
        self.sent_tags = []

    def run(self):
        t0 = time.monotonic()
        for k in itertools.count():
            delay = t0 + k * self.interval - time.monotonic()
            if delay > 0 and self.stop_event.wait(delay):
                return
            if self.stop_event.is_set():
                return
            tag = next(self.tags)
            try:
                status, _, rtt = self.admin.purge_tag(tag, soft=False)
            except (OSError, http.client.HTTPException) as e:
                status, rtt = f"error {e!r}", 0.0
            self.statuses[status] += 1
            self.rtts.append(rtt)
            self.sent_tags.append(tag)

    def stop(self):
        self.stop_event.set()
        self.join(timeout=30)


class Bench:
    def __init__(self, a):
        self.a = a
        self.admin = Admin(a.admin)
        self.url = f"http://{a.listen}/"
        self.on_wrk_cpu = ["taskset", "-c", str(a.wrk_cpu)]
        self.notes = []       # lines for the report header
        self.fills = []       # fill summaries
        self.problems = []    # failed checks (the run still reports, then exits 1)

    # ------------------------------------------------------------------ helpers
    def metric(self, m, name):
        return m.get(name, 0.0)

    def settle(self, timeout=60):
        """Waits until the background sweep is idle and the disk write queue is empty, so the
        next measurement does not pay for the previous step's background work."""
        deadline = time.monotonic() + timeout
        time.sleep(0.3)  # the sweep looks for new purges every 200 ms
        prev = None
        while time.monotonic() < deadline:
            m = self.admin.metrics()
            cur = (m.get("lacquer_sweep_passes_total"), m.get("lacquer_cache_objects"))
            idle = m.get("lacquer_sweep_running", 0) == 0 and m.get("lacquer_disk_write_queue_depth", 0) == 0
            if idle and cur == prev:
                return m
            prev = cur if idle else None
            time.sleep(0.3)
        log("warning: lacquer did not settle (sweep or disk writes still busy)")
        return self.admin.metrics()

    def walk(self, tags, start, n, label, done_at):
        """One fill.lua run over /tagged/<tags>/<start..start+n-1>; returns its counts, the seconds
        it took and the origin requests it caused."""
        done_file = os.path.join(self.a.tmp, f"fill-{label}.done")
        out_file = os.path.join(self.a.tmp, f"fill-{label}.wrk.txt")
        o0 = benchtool.origin_count(self.a.origin)
        env = dict(os.environ, BENCH_PREFIX=f"/tagged/{tags}/", BENCH_START=str(start), BENCH_URLS=str(n),
                   BENCH_LEN="1024", BENCH_DONE_AT=str(done_at), BENCH_DONE_FILE=done_file)
        bound = 60 + n // 500  # generous: a fill runs at >10,000 requests/s
        t0 = time.monotonic()
        with open(out_file, "w") as out:
            p = spawn(self.on_wrk_cpu + ["wrk", "-t1", f"-c{self.a.conns}", f"-d{bound}s", "--timeout", "10s",
                                         "-s", os.path.join(BENCH, "fill.lua"), self.url], out, env)
            while not os.path.exists(done_file) and p.poll() is None and time.monotonic() - t0 < bound + 10:
                time.sleep(0.05)
            secs = time.monotonic() - t0
            if p.poll() is None:
                p.send_signal(signal.SIGINT)  # wrk prints its summary and exits
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if not os.path.exists(done_file):
            raise Failure(f"{label}: wrk ended before {done_at} answers; see {out_file}")
        res = {k: int(v) for k, v in (kv.split("=") for kv in open(done_file).read().split())}
        res.update(secs=secs, origin=benchtool.origin_count(self.a.origin) - o0)
        return res

    def fill(self, tags, start, n, label):
        """Stores /tagged/<tags>/<start..start+n-1> (each URL requested once, then a few repeats),
        then checks with a second walk that every one of them is a hit."""
        m0 = self.settle()
        w = self.walk(tags, start, n, f"{label}-fill", n + 4 * self.a.conns)
        m1 = self.settle()
        c = self.walk(tags, start, n, f"{label}-check", n)
        f = {"label": label, "n": n, "secs": w["secs"], "origin": w["origin"], "bad": w["bad"] + c["bad"],
             "checked": c["answered"], "not_hit": c["not_hit"], "check_origin": c["origin"],
             "objects_before": int(m0.get("lacquer_cache_objects", 0)), "objects": int(m1.get("lacquer_cache_objects", 0))}
        self.fills.append(f)
        log(f"fill {label}: {n} URLs in {f['secs']:.1f} s, origin requests {f['origin']}, objects {f['objects_before']} -> "
            f"{f['objects']}; check pass: {c['answered'] - c['not_hit']}/{c['answered']} hits, origin requests {c['origin']}; "
            f"bad answers {f['bad']}")
        if f["bad"] or f["not_hit"] or f["check_origin"]:
            raise Failure(f"fill {label}: {f['bad']} bad answers; check pass: {f['not_hit']} of {f['checked']} not hits, "
                          f"{f['check_origin']} origin requests")
        return f

    def wrk(self, label, tags, start, n, storm_tags=None):
        """One wrk run over n URLs /tagged/<tags>/<start+i>, uniform random; with storm_tags, a
        hard purge of the next tag every STORM_INTERVAL during the run."""
        d = self.a.duration
        out_file = os.path.join(self.a.tmp, f"wrk-{label}-{len(self.runs)}.txt")
        env = dict(os.environ, BENCH_PREFIX=f"/tagged/{tags}/", BENCH_START=str(start), BENCH_URLS=str(n))
        m0 = self.admin.metrics()
        o0 = benchtool.origin_count(self.a.origin)
        c0 = benchtool.cpu_seconds([self.a.pid])
        t0 = benchtool.thread_cpu(self.a.pid)
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(out_file, "w") as out:
            p = spawn(self.on_wrk_cpu + ["wrk", "-t1", f"-c{self.a.conns}", f"-d{d}s", "--timeout", "5s", "--latency",
                                         "-s", os.path.join(BENCH, "urls.lua"), self.url], out, env)
            storm = None
            if storm_tags is not None:
                time.sleep(0.2)  # let wrk connect first
                storm = Storm(self.a.admin, storm_tags, STORM_INTERVAL)
                storm.start()
            try:
                p.wait(timeout=d + 30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            if storm:
                storm.stop()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        c1 = benchtool.cpu_seconds([self.a.pid])
        t1 = benchtool.thread_cpu(self.a.pid)
        o1 = benchtool.origin_count(self.a.origin)
        m1 = self.admin.metrics()
        w = benchtool.wrk_stats(out_file)
        cpu = c1 - c0
        threads = sorted(((t1[t][1] - t0.get(t, ("", 0.0))[1], t, t1[t][0]) for t in t1), reverse=True)
        run = {
            "threads": [(t, comm, c) for c, t, comm in threads if c >= 0.01],
            # lacquer's threads are unnamed; the busiest one during a hit run is the event loop.
            "busiest": threads[0][0] if threads else 0.0, "others": cpu - (threads[0][0] if threads else 0.0),
            "label": label, **w, "cpu": cpu, "util": 100.0 * cpu / d,
            "rpc": w["requests"] / cpu if cpu > 0 else float("nan"),
            "hits": int(m1.get("lacquer_cache_hits_total", 0) - m0.get("lacquer_cache_hits_total", 0)),
            "misses": int(m1.get("lacquer_cache_misses_total", 0) - m0.get("lacquer_cache_misses_total", 0)),
            "origin": o1 - o0,
            "wrk": 100.0 * ((r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)) / d,
            "objects": int(m0.get("lacquer_cache_objects", 0)),
            "sweeps": int(m1.get("lacquer_sweep_passes_total", 0) - m0.get("lacquer_sweep_passes_total", 0)),
            "purges": 0, "purges_200": 0, "purge_rtt_p50": float("nan"), "purge_rtt_max": float("nan"), "first_tag": "", "last_tag": "",
        }
        if storm:
            run.update(purges=sum(storm.statuses.values()), purges_200=storm.statuses.get(200, 0),
                       purge_rtt_p50=1e3 * statistics.median(storm.rtts) if storm.rtts else float("nan"),
                       purge_rtt_max=1e3 * max(storm.rtts) if storm.rtts else float("nan"),
                       first_tag=storm.sent_tags[0] if storm.sent_tags else "", last_tag=storm.sent_tags[-1] if storm.sent_tags else "")
            if run["purges_200"] != run["purges"]:
                self.problems.append(f"{label}: purges answered {dict(storm.statuses)}")
        self.runs.append(run)
        log(f"  {label}: {w['rps']:.0f} req/s, p99 {w['p99']:.3f} ms, lacquer CPU {cpu:.2f} s, {run['rpc']:.0f} req/CPU-s, "
            f"misses {run['misses']}, origin {run['origin']}, errors {w['errors']}"
            + (f", purges {run['purges']} ({run['purges_200']} x 200)" if storm else ""))
        if run["misses"] or run["origin"] or w["errors"]:
            self.problems.append(f"{label}: {run['misses']} misses, {run['origin']} origin requests, {w['errors']} errors (expected all hits)")
        return run

    # ------------------------------------------------------------------ steps
    def step_fill(self):
        log(f"step 3: filling {OBJECTS} objects /tagged/3/<i>")
        f = self.fill(3, 0, OBJECTS, "initial")
        if f["objects"] != OBJECTS or f["origin"] != OBJECTS:
            raise Failure(f"initial fill: lacquer_cache_objects {f['objects']}, origin requests {f['origin']}; expected {OBJECTS} each")

    def step_latency(self):
        reps = self.a.reps
        log(f"step 4: purge latency, {reps} purges per case, one at a time")
        # k-N: objects well away from the ones used later; group-N: groups 20..59 (never the hot set).
        cases = [
            ("k-N", 1, "soft", [f"k-{50_000 + 7 * j}" for j in range(reps)]),
            ("k-N", 1, "hard", [f"k-{60_000 + 7 * j}" for j in range(reps)]),
            ("group-N", 1000, "soft", [f"group-{20 + j}" for j in range(reps)]),
            ("group-N", 1000, "hard", [f"group-{40 + j}" for j in range(reps)]),
            ("site-all", OBJECTS, "soft", ["site-all"] * reps),
            ("site-all", OBJECTS, "hard", ["site-all"] * reps),  # last: it invalidates everything
        ]
        self.latency = []
        for name, covers, kind, tags in cases:
            soft = kind == "soft"
            server, client, held, statuses = [], [], [], Counter()
            for tag in tags:
                m0 = self.settle()
                status, body, rtt = self.admin.purge_tag(tag, soft)
                m1 = self.admin.metrics()
                statuses[status] += 1
                dn = m1["lacquer_purge_latency_microseconds_count"] - m0["lacquer_purge_latency_microseconds_count"]
                ds = m1["lacquer_purge_latency_microseconds_sum"] - m0["lacquer_purge_latency_microseconds_sum"]
                if dn != 1:
                    self.problems.append(f"purge {tag}: latency count moved by {dn}, not 1")
                    continue
                server.append(ds)
                client.append(rtt * 1e3)
                held.append(int(m0.get("lacquer_cache_objects", 0)))
            if statuses.get(200, 0) != len(tags):
                self.problems.append(f"{name} {kind}: purges answered {dict(statuses)}")
            # What a request covered by the last purge gets now (one object refetched).
            last = tags[-1].rsplit("-", 1)[-1]
            idx = int(last) if name == "k-N" else 1000 * int(last) + 1 if name == "group-N" else 5
            check = self.cache_status(f"/tagged/3/{idx}")
            row = {"case": name, "covers": covers, "kind": kind, "n": len(server),
                   "held_min": min(held) if held else 0, "held_max": max(held) if held else 0,
                   "held_first": held[0] if held else 0,
                   "srv_med": statistics.median(server) if server else float("nan"), "srv_max": max(server, default=float("nan")),
                   "srv_first": server[0] if server else float("nan"),
                   "cli_med": statistics.median(client) if client else float("nan"), "cli_max": max(client, default=float("nan")),
                   "ok": statuses.get(200, 0), "sent": len(tags), "check": check, "check_url": f"/tagged/3/{idx}",
                   "all": server}
            self.latency.append(row)
            log(f"  {name} {kind}: server median {row['srv_med']:.0f} us, max {row['srv_max']:.0f} us; "
                f"client median {row['cli_med']:.2f} ms; held {row['held_min']}..{row['held_max']} objects; afterwards {check}")

    def cache_status(self, path):
        c = conn(self.a.listen, timeout=10)
        try:
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            cs = r.getheader("cache-status") or "-"
            return f"{r.status} " + cs.replace("lacquer; ", "")
        finally:
            c.close()

    def step_storm(self):
        log(f"step 5: hits on {HOT} hot URLs without and during a group purge storm (groups {STORM_GROUPS.start}..{STORM_GROUPS.stop - 1})")
        groups = itertools.cycle([f"group-{g}" for g in STORM_GROUPS])
        for rnd in range(self.a.rounds):
            # Every round starts with all OBJECTS stored: site-all (step 4) invalidated everything,
            # and a storm of 10 s purges all 90 groups (and wraps around).
            self.fill(3, 0, OBJECTS, f"refill-{rnd + 1}")
            self.wrk("no purges", 3, 0, HOT)
            self.settle()
            self.wrk("group storm", 3, 0, HOT, storm_tags=groups)

    def step_tags(self):
        log(f"step 6: {TAGS_N} objects with 3 tags and {TAGS_N} with 100 tags, without and during a storm of unrelated tag purges")
        for t, start in TAGS_START.items():
            self.fill(t, start, TAGS_N, f"{t}-tags")
        unrelated = (f"k-none-{j}" for j in itertools.count(10_000_000))  # never stored
        for rnd in range(self.a.rounds):
            order = [3, 100] if rnd % 2 == 0 else [100, 3]
            for t in order:
                self.settle()
                self.wrk(f"{t} tags", t, TAGS_START[t], TAGS_N)
            for t in order:
                self.settle()
                self.wrk(f"{t} tags, storm", t, TAGS_START[t], TAGS_N, storm_tags=unrelated)

    # ------------------------------------------------------------------ report
    def report(self):
        a = self.a
        out = []
        med = lambda runs, f: statistics.median(r[f] for r in runs)  # noqa: E731

        def by(label):
            return [r for r in self.runs if r["label"] == label]

        def verdict(ok):
            return "meets target" if ok else "MISSES target"

        out.append(f"lacquer purge bench, {time.strftime('%Y-%m-%dT%H:%M:%S%z')}, {os.cpu_count()} CPUs, "
                   f"lacquer (--threads 1 --memory 1G) on CPU {a.lacquer_cpu}, wrk and every client on CPU {a.wrk_cpu}")
        out.extend("  " + n for n in self.notes)
        for f in self.fills:
            out.append(f"  fill {f['label']:<8}: {f['n']} URLs in {f['secs']:.1f} s; origin requests {f['origin']}; "
                       f"lacquer_cache_objects {f['objects_before']} -> {f['objects']}; check pass {f['checked'] - f['not_hit']}/{f['checked']} hits")
        out.append("")

        # ---- 4
        out.append(f"1) purge latency: one admin POST /purge/tag/<tag>[?soft=1] at a time, {a.reps} per case, lacquer idle and")
        out.append("   settled (sweep done, disk queue empty) before each; server = delta of lacquer_purge_latency_microseconds_sum")
        out.append("   (request to durable answer); client = HTTP round trip on a keep-alive admin connection")
        hdr = (f"{'tag':<9} {'covers':>7} {'kind':<5} {'n':>3} {'cache held':>13} {'server us':>10} {'max':>7} "
               f"{'client ms':>10} {'max':>7} {'200s':>6}  afterwards GET of a covered URL")
        out.append(hdr)
        out.append("-" * len(hdr))
        for r in self.latency:
            held = f"{r['held_min']}" if r["held_min"] == r["held_max"] else f"{r['held_min']}..{r['held_max']}"
            out.append(f"{r['case']:<9} {r['covers']:>7} {r['kind']:<5} {r['n']:>3} {held:>13} {r['srv_med']:>10.0f} {r['srv_max']:>7.0f} "
                       f"{r['cli_med']:>10.2f} {r['cli_max']:>7.2f} {str(r['ok']) + '/' + str(r['sent']):>6}  {r['check']}")
        out.append("   (server us = median, max; 'covers' = objects the tag is on; 'cache held' = lacquer_cache_objects before")
        out.append("    each purge: site-all hard ran last and its first purge emptied the cache, so later ones purged nothing)")
        lat = {(r["case"], r["kind"]): r for r in self.latency}
        for kind in ("hard", "soft"):
            if ("site-all", kind) in lat and ("k-N", kind) in lat:
                ratio = lat[("site-all", kind)]["srv_med"] / lat[("k-N", kind)]["srv_med"]
                out.append(f"   site-all / k-N server median, {kind}: {ratio:.2f}x  (target <= 1.2x: {verdict(ratio <= 1.2)})")
        if ("site-all", "hard") in lat:
            r = lat[("site-all", "hard")]
            out.append(f"   the first site-all hard purge (cache holding {r['held_first']} objects) took {r['srv_first']:.0f} us server side")
        out.append("   every purge, server us: " + "; ".join(
            f"{r['case']} {r['kind']}: " + " ".join(f"{v:.0f}" for v in r["all"]) for r in self.latency))
        out.append("")

        # ---- 5 and 6: wrk tables
        def table(labels):
            h = (f"{'run':<20} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'CPU s':>6} {'CPU %':>6} {'other s':>7} {'req/CPU-s':>10} "
                 f"{'misses':>6} {'origin':>6} {'errors':>6} {'wrk CPU %':>9} {'purges':>7} {'200s':>6} {'purge ms':>8}")
            rows = [h, "-" * len(h)]
            for lb in labels:
                rs = by(lb)
                if not rs:
                    continue
                purges = sum(r["purges"] for r in rs)
                ok = sum(r["purges_200"] for r in rs)
                pms = statistics.median(r["purge_rtt_p50"] for r in rs) if purges else float("nan")
                rows.append(f"{lb:<20} {med(rs, 'rps'):>8.0f} {med(rs, 'p50'):>7.3f} {med(rs, 'p99'):>7.3f} {med(rs, 'cpu'):>6.2f} "
                            f"{med(rs, 'util'):>6.0f} {med(rs, 'others'):>7.2f} {med(rs, 'rpc'):>10.0f} {sum(r['misses'] for r in rs):>6} "
                            f"{sum(r['origin'] for r in rs):>6} {sum(r['errors'] for r in rs):>6} {med(rs, 'wrk'):>9.0f} "
                            + (f"{purges:>7} {ok:>6} {pms:>8.2f}" if purges else f"{'-':>7} {'-':>6} {'-':>8}"))
            return rows

        d, rounds = a.duration, a.rounds
        out.append(f"2) hits during a purge storm: wrk -t1 -c{a.conns} {d} s, uniform over the {HOT} hot URLs /tagged/3/0..{HOT - 1}")
        out.append(f"   (groups 0..{HOT // 1000 - 1}, all cached; all {OBJECTS} objects refilled before each round); 'group storm' = a hard purge of the")
        out.append(f"   next of group-{STORM_GROUPS.start}..group-{STORM_GROUPS.stop - 1} every {STORM_INTERVAL * 1000:.0f} ms during the run. Those groups are outside the hot")
        out.append("   set, so the hot set stays cached and this measures what purges cost hits (re-checks, sweep), not refetches.")
        out.append(f"   median of {rounds} round(s); misses/origin/errors/purges summed over the rounds")
        out.extend(table(["no purges", "group storm"]))
        a0, b0 = by("no purges"), by("group storm")
        if a0 and b0:
            tr = med(b0, "rps") / med(a0, "rps")
            pr = med(b0, "p99") / med(a0, "p99")
            cr = med(b0, "rpc") / med(a0, "rpc")
            out.append(f"   storm / no purges: throughput {tr:.3f}x (target >= 0.95: {verdict(tr >= 0.95)}); "
                       f"p99 {pr:.2f}x (target <= 1.2: {verdict(pr <= 1.2)}); req/CPU-s {cr:.3f}x")
            purges = sum(r["purges"] for r in b0)
            ok = sum(r["purges_200"] for r in b0)
            out.append(f"   purges sent during the storm runs: {purges}, answered 200: {ok}"
                       + (" (all)" if purges == ok else " (NOT ALL)")
                       + "; per run: " + ", ".join(f"{r['purges']} (from {r['first_tag']} to {r['last_tag']}, {len(STORM_GROUPS)} groups cycling)" for r in b0))
            out.append(f"   sweep passes during the runs: no purges {sum(r['sweeps'] for r in a0)}, storm {sum(r['sweeps'] for r in b0)}; "
                       f"objects stored at the start of each storm run: {', '.join(str(r['objects']) for r in b0)}")
        out.append("")

        out.append(f"3) tags per object: {TAGS_N} objects /tagged/3/{TAGS_START[3]}.. (3 tags each) and {TAGS_N} /tagged/100/{TAGS_START[100]}..")
        out.append(f"   (100 tags each), wrk -t1 -c{a.conns} {d} s uniform over one set; 'storm' = a hard purge of a never-stored tag")
        out.append(f"   (k-none-<j>) every {STORM_INTERVAL * 1000:.0f} ms, so every stored entry has to be re-checked against its tags once per purge")
        out.extend(table(["3 tags", "100 tags", "3 tags, storm", "100 tags, storm"]))
        for suffix, name in (("", "no purges"), (", storm", "storm")):
            x, y = by("100 tags" + suffix), by("3 tags" + suffix)
            if x and y:
                r = med(x, "rpc") / med(y, "rpc")
                out.append(f"   100-tag / 3-tag req/CPU-s, {name}: {r:.3f}x (target >= 0.9: {verdict(r >= 0.9)}); "
                           f"req/s {med(x, 'rps') / med(y, 'rps'):.3f}x")
        out.append("")
        out.append("every wrk run (req/s, p99 ms, req/CPU-s, lacquer CPU %, wrk CPU %):")
        for lb in ["no purges", "group storm", "3 tags", "100 tags", "3 tags, storm", "100 tags, storm"]:
            rs = by(lb)
            if rs:
                out.append(f"  {lb:<16} " + "   ".join(f"{r['rps']:.0f} {r['p99']:.3f} {r['rpc']:.0f} {r['util']:.0f}% {r['wrk']:.0f}%" for r in rs))
        out.append("lacquer CPU seconds by thread in each run (tid:s, busiest first; lacquer's threads are unnamed, the busiest is")
        out.append("the event loop; a thread busy only while purges arrive is the background sweep):")
        for lb in ["no purges", "group storm", "3 tags", "100 tags", "3 tags, storm", "100 tags, storm"]:
            for r in by(lb):
                out.append(f"  {lb:<16} " + " ".join(f"{t}{'' if comm == 'lacquer' else '(' + comm + ')'}:{c:.2f}" for t, comm, c in r["threads"]))
        noisy = [r for r in self.runs if r["util"] < 90 and r["wrk"] < 90]
        if noisy:
            out.append("")
            out.append(f"WARNING: in {len(noisy)} of {len(self.runs)} wrk runs neither lacquer nor wrk was near 100 % CPU (both < 90 %): "
                       + ", ".join(sorted(set(r["label"] for r in noisy))) + ".")
            out.append("  Either something else was using the CPUs (see the load average at the top; then those figures are noise,")
            out.append("  repeat the run) or lacquer's event loop was waiting (for a lock, say) with requests queued.")
        if self.problems:
            out.append("")
            out.append("PROBLEMS (the figures above are suspect):")
            out.extend("  " + p for p in self.problems)
        return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", required=True)
    ap.add_argument("--admin", required=True)
    ap.add_argument("--origin", required=True)
    ap.add_argument("--pid", required=True, type=int)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--conns", type=int, default=50)
    ap.add_argument("--wrk-cpu", type=int, default=1)
    ap.add_argument("--lacquer-cpu", type=int, default=0)
    ap.add_argument("--note", action="append", default=[])
    ap.add_argument("--storm-only", action="store_true", help="only the fill and step 5 (hits during a group storm)")
    a = ap.parse_args()
    b = Bench(a)
    b.runs = []
    b.latency = []
    b.notes.extend(a.note)
    b.notes.append(f"lacquer pinning: {benchtool.affinity_line([a.pid])}")
    failed = None
    try:
        b.step_fill()
        if not a.storm_only:
            b.step_latency()
        b.step_storm()
        if not a.storm_only:
            b.step_tags()
    except Failure as e:
        failed = str(e)
        b.problems.append(f"stopped early: {e}")
        log(f"FAILED: {e}")
    except Exception as e:  # a bug or an unexpected answer: still print what was measured
        import traceback
        traceback.print_exc()
        failed = repr(e)
        b.problems.append(f"stopped early: {e!r}")
    except KeyboardInterrupt:  # Ctrl-C, or purge.sh's time limit
        log("interrupted")
        failed = "interrupted"
        b.problems.append("interrupted (Ctrl-C or the time limit)")
    finally:
        for p in LIVE:
            if p.poll() is None:
                p.kill()
                p.wait()
    print(b.report(), flush=True)
    sys.exit(1 if (failed or b.problems) else 0)


if __name__ == "__main__":
    main()
