"""Driver of bench/hitratio.sh (see there and bench/README.md): the same request streams against
lacquer (memory only, and with a disk tier), Varnish and nginx at one memory budget, each proxy
started fresh for each stream; hit ratio, origin bytes, requests per proxy CPU-second, p99."""
import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchtool  # noqa: E402

BENCH = os.path.dirname(os.path.abspath(__file__))


def wait_http(url, proc, secs=20):
    t0 = time.monotonic()
    while time.monotonic() - t0 < secs:
        if proc.poll() is not None:
            return False
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return True
        except Exception:
            time.sleep(0.1)
    return False


def metrics(admin):
    out = {}
    for line in urllib.request.urlopen(f"http://127.0.0.1:{admin}/metrics", timeout=5).read().decode().splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


class Runner:
    def __init__(self, a):
        self.a = a
        self.on_proxy = ["taskset", "-c", str(a.proxy_cpu)]
        self.on_wrk = ["taskset", "-c", str(a.wrk_cpu)]
        self.origin_port = int(a.origin.rsplit(":", 1)[1])

    def start(self, name, run_dir):
        os.makedirs(run_dir)
        port, admin = benchtool.free_port(), benchtool.free_port()
        mem = self.a.memory
        log = open(os.path.join(run_dir, "proxy.log"), "w")
        if name.startswith("lacquer"):
            disk = "0" if name in ("lacquer", "lacquer-sieve") else self.a.disk
            args = [self.a.lacquer, "--listen", f"127.0.0.1:{port}", "--admin", f"127.0.0.1:{admin}",
                    "--origin", self.a.origin, "--threads", "1", "--state-dir", os.path.join(run_dir, "state"),
                    "--memory", mem, "--disk", disk]
            # lacquer-sieve: memory only without memory admission (plain SIEVE), for comparison.
            conf_text = {"lacquer-disk-all": "[cache]\ndisk_admit_all = true\n",
                         "lacquer-sieve": "[cache]\nmemory_admission = false\n"}.get(name)
            if conf_text:
                conf = os.path.join(run_dir, "lacquer.toml")
                open(conf, "w").write(conf_text)
                args += ["--config", conf]
        elif name == "varnish":
            vcl = os.path.join(run_dir, "varnish.vcl")
            open(vcl, "w").write(open(os.path.join(BENCH, "varnish.vcl")).read().replace("@ORIGIN_PORT@", str(self.origin_port)))
            jail = ["-j", "none"] if os.getuid() == 0 else []
            args = ["varnishd", "-F", *jail, "-n", os.path.join(run_dir, "varnish"), "-a", f"127.0.0.1:{port}",
                    "-T", "127.0.0.1:0", "-f", vcl, "-s", f"malloc,{mem}", "-p", "thread_pools=1",
                    "-p", f"thread_pool_min={self.a.conns + 50}", "-p", "thread_pool_max=1000"]
        else:  # nginx: the cache's bodies in files under the run's directory, capped at the budget
            conf = os.path.join(run_dir, "nginx.conf")
            text = open(os.path.join(BENCH, "nginx.conf")).read()
            text = text.replace("max_size=1g", f"max_size={mem.lower()}").replace("@TMP@", run_dir)
            text = text.replace("@PORT@", str(port)).replace("@ORIGIN_PORT@", str(self.origin_port))
            open(conf, "w").write(text)
            os.makedirs(os.path.join(run_dir, "nginx"))
            g = "daemon off; master_process on;" + (" user root;" if os.getuid() == 0 else "")
            args = ["nginx", "-p", os.path.join(run_dir, "nginx") + "/", "-e", os.path.join(run_dir, "nginx-error.log"),
                    "-c", conf, "-g", g]
        proc = subprocess.Popen(self.on_proxy + args, stdout=log, stderr=subprocess.STDOUT)
        if not wait_http(f"http://127.0.0.1:{port}/bytes/1/__ready", proc):
            proc.kill()
            raise SystemExit(f"{name} did not start; see {run_dir}/proxy.log")
        return proc, port, admin

    def stop(self, proc):
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def wrk(self, port, run_dir, tag, stream, index, requests, seed):
        """One wrk run of `requests` answers of the stream; returns the path of wrk's output."""
        done = os.path.join(run_dir, f"{tag}.done")
        env = dict(os.environ, BENCH_OBJECTS=str(self.a.objects), BENCH_SIZE=str(self.a.size), BENCH_KIND=self.a.kind,
                   BENCH_SCAN="1" if stream == "scan" else "0", BENCH_RUN=f"{index}{tag}", BENCH_SEED=str(seed),
                   BENCH_REQUESTS=str(requests), BENCH_DONE_FILE=done)
        t0 = time.monotonic()
        wrk_out = os.path.join(run_dir, f"{tag}.wrk.txt")
        with open(wrk_out, "w") as out:
            w = subprocess.Popen(self.on_wrk + ["wrk", "-t1", f"-c{self.a.conns}", f"-d{self.a.bound}s", "--latency",
                                                "--timeout", "10s", "-s", os.path.join(BENCH, "hitratio.lua"),
                                                f"http://127.0.0.1:{port}/"], stdout=out, stderr=subprocess.STDOUT, env=env)
            # The script stops sending after its count; wrk itself only ends at -d or on SIGINT.
            while not os.path.exists(done) and w.poll() is None and time.monotonic() - t0 < self.a.bound:
                time.sleep(0.05)
            if w.poll() is None:
                w.send_signal(signal.SIGINT)
            w.wait(30)
        return wrk_out, done

    def run(self, stream, name, index):
        run_dir = os.path.join(self.a.tmp, f"{stream}-{name}")
        proc, port, admin = self.start(name, run_dir)
        if self.a.warmup:  # fills the caches first: the measured run sees steady state, not cold misses
            self.wrk(port, run_dir, "warmup", stream, index, self.a.warmup, 1)
        o0, c0 = benchtool.origin_count(self.a.origin), benchtool.cpu_seconds([proc.pid])
        t0 = time.monotonic()
        wrk_out, done = self.wrk(port, run_dir, "measured", stream, index, self.a.requests, 2)
        secs = time.monotonic() - t0
        cpu = benchtool.cpu_seconds([proc.pid]) - c0
        fetched = benchtool.origin_count(self.a.origin) - o0
        st = benchtool.wrk_stats(wrk_out)
        extra = ""
        if name.startswith("lacquer"):
            m = metrics(admin)
            rejected = m.get('lacquer_disk_admissions_total{decision="rejected"}', 0)
            mem_admitted = m.get('lacquer_memory_admissions_total{decision="admitted"}', 0)
            mem_rejected = m.get('lacquer_memory_admissions_total{decision="rejected"}', 0)
            extra = f"memory admission admitted {mem_admitted:.0f} rejected {mem_rejected:.0f}"
            if "lacquer_disk_device_write_bytes_total" in m:
                extra += (f"; disk writes {m.get('lacquer_disk_write_bytes_total', 0) / 2**20:.0f} MiB "
                         f"(device {m['lacquer_disk_device_write_bytes_total'] / 2**20:.0f} MiB, "
                         f"amplification {m['lacquer_disk_write_amplification']:.2f}), "
                         f"disk hits {m.get('lacquer_cache_disk_hits_total', 0):.0f}, "
                         f"{m['lacquer_disk_write_bytes_per_hit'] / 1024:.0f} KiB written per disk hit, "
                         f"admission rejected {rejected:.0f}")
        if name == "nginx":  # nginx's cache manager trims to max_size after the fact
            cache = os.path.join(run_dir, "nginx-cache")
            held = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(cache) for f in fs)
            extra = f"cache files at the end of the run {held / 2**20:.0f} MiB (max_size {self.a.memory})"
        self.stop(proc)
        answered = bad = 0
        if os.path.exists(done):
            res = dict(kv.split("=") for kv in open(done).read().split())
            answered, bad = int(res["answered"]), int(res["bad"])
        n = st["requests"]
        return {"stream": stream, "proxy": name, "requests": n, "answered": answered, "bad": bad + st["errors"],
                "hit": 100.0 * (1 - fetched / n) if n else 0.0, "origin_mib": fetched * self.a.size / 2**20,
                "cpu": cpu, "rps_cpu": n / cpu if cpu else 0.0, "p99": st["p99"], "secs": secs, "extra": extra}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lacquer", required=True)
    p.add_argument("--origin", required=True)
    p.add_argument("--tmp", required=True)
    p.add_argument("--memory", default="128M")
    p.add_argument("--disk", default="256M")
    p.add_argument("--objects", type=int, default=20000)
    p.add_argument("--kind", default="random", help="random (incompressible bodies) or bytes (all 'x')")
    p.add_argument("--size", type=int, default=65536)
    p.add_argument("--requests", type=int, default=60000)
    p.add_argument("--warmup", type=int, default=40000)
    p.add_argument("--conns", type=int, default=20)
    p.add_argument("--bound", type=int, default=300)
    p.add_argument("--proxy-cpu", type=int, default=0)
    p.add_argument("--wrk-cpu", type=int, default=1)
    p.add_argument("--proxies", default="lacquer,lacquer-sieve,lacquer-disk,lacquer-disk-all,varnish,nginx")
    p.add_argument("--streams", default="zipf,scan")
    a = p.parse_args()
    r = Runner(a)
    rows = []
    os.environ.pop("BENCH_SEED", None)
    print(f"hit ratio: {a.objects} objects of {a.size // 1024} KiB ({a.kind} bodies), Zipf 0.9, {a.requests} requests per run, "
          f"after {a.warmup} warm-up requests, memory budget {a.memory} each, lacquer-disk: --disk {a.disk}; load {os.getloadavg()[0]:.2f}", flush=True)
    for i, stream in enumerate(a.streams.split(",")):
        for name in a.proxies.split(","):
            row = r.run(stream, name, i)
            rows.append(row)
            print(f"  done {stream} {name}: {row['hit']:.1f}% hits in {row['secs']:.0f} s", file=sys.stderr, flush=True)
    print(f"{'stream':<6} {'proxy':<17} {'requests':>9} {'hit %':>6} {'origin MiB':>11} {'CPU s':>6} "
          f"{'req/CPU-s':>10} {'p99 ms':>7} {'errors':>6}")
    for row in rows:
        print(f"{row['stream']:<6} {row['proxy']:<17} {row['requests']:>9} {row['hit']:>6.1f} {row['origin_mib']:>11.0f} "
              f"{row['cpu']:>6.2f} {row['rps_cpu']:>10.0f} {row['p99']:>7.2f} {row['bad']:>6}")
    for row in rows:
        if row["extra"]:
            print(f"  {row['stream']} {row['proxy']}: {row['extra']}")
    by = {(row["stream"], row["proxy"]): row for row in rows}
    for stream in a.streams.split(","):
        base = by.get((stream, "varnish"))
        lq = by.get((stream, "lacquer"))
        if base and lq and base["rps_cpu"]:
            print(f"  {stream}: lacquer (memory only) - varnish hit ratio {lq['hit'] - base['hit']:+.1f} points, "
                  f"req/CPU-s {lq['rps_cpu'] / base['rps_cpu']:.2f}x")
    if any(row["bad"] or row["answered"] != a.requests for row in rows):
        print("PROBLEMS: a run had errors or did not complete its requests")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
