"""Day-two operations: a busy port is refused, every signal does its job and logs one line, the
access log (combined and JSON, logrotate's rename + SIGUSR1), and SIGHUP reloads."""
import json
import os
import re
import signal
import socket

from lacq import admin_get, ok, run_lacquer, wait_until


def test_second_lacquer_on_a_held_port_is_refused(origin, start_lacquer, tmp_path):
    first = start_lacquer(origin.port)
    for flag, port in (("--listen", first.port), ("--admin", first.admin_port)):
        args = ["--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--origin", "127.0.0.1:%d" % origin.port,
                "--state-dir", str(tmp_path / ("second" + flag)), flag, "127.0.0.1:%d" % port]
        res = run_lacquer(args)
        assert res.returncode == 1, res.stderr
        assert "lacquer: ready" not in res.stderr
        assert "127.0.0.1:%d" % port in res.stderr and "already in use" in res.stderr, res.stderr
    # The first one still serves alone.
    origin.script("/busy", ok("x"))
    assert first.get("/busy").status == 200


def test_sigquit_stops_at_once_and_says_so(origin, start_lacquer):
    l = start_lacquer(origin.port)
    origin.script("/slow", {"hang": True})
    conn = l.conn()
    conn.send(b"GET /slow HTTP/1.1\r\nHost: example.com\r\n\r\n")
    wait_until(lambda: origin.count("/slow") == 1, message="request reached the origin")
    l.proc.send_signal(signal.SIGQUIT)
    # Graceful stop would wait for the origin (up to 30 s); QUIT does not.
    assert l.proc.wait(5) == 0
    conn.wait_closed(1)
    # The line was written before the exit, but the reader thread may not have taken it yet.
    wait_until(lambda: any("SIGQUIT received" in line for line in l.lines), message="SIGQUIT line")


def test_sighup_with_bad_file_changes_nothing_and_counts(origin, start_lacquer, tmp_path):
    cfg = tmp_path / "live.toml"
    cfg.write_text('[cache]\nmax_ttl = "1h"\n')
    l = start_lacquer(origin.port, extra_args=["--config", str(cfg)])
    cfg.write_text('[cache]\nmax_ttl = "1h"\nmemory = "lots"\n')
    l.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: any("reload failed, still running" in x for x in l.lines), message="reload failure logged")
    assert any("SIGHUP received" in x for x in l.lines)
    assert any("live.toml:3" in x and "cache.memory" in x for x in l.lines), l.text()
    l.expect_stat("lacquer_config_reload_failures_total", 1)
    # Still serving, and a good file afterwards reloads; keys that need a restart are named.
    origin.script("/after", ok("x"))
    assert l.get("/after").status == 200
    cfg.write_text('[cache]\nmax_ttl = "1h"\nmemory = "64M"\n')
    l.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: any("need a restart" in x and "cache.memory" in x for x in l.lines),
               message="restart-needed key named")
    l.expect_stat("lacquer_config_reloads_total", 1)
    assert l.proc.poll() is None


def _lines(path):
    try:
        with open(path) as f:
            return [x for x in f.read().splitlines() if x]
    except FileNotFoundError:
        return []


def test_access_log_combined_and_logrotate_reopen(origin, start_lacquer, tmp_path):
    log = tmp_path / "access.log"
    cfg = tmp_path / "log.toml"
    cfg.write_text('[log]\naccess = "%s"\n' % log)
    l = start_lacquer(origin.port, extra_args=["--config", str(cfg)])
    origin.script("/a", ok("hello", max_age=100))
    assert l.get("/a", headers={"User-Agent": "probe/1"}).status == 200
    assert l.get("/a").status == 200
    with l.conn() as c:  # a request the parser refuses is logged too
        c.send(b"NOT A REQUEST\r\n\r\n")
        assert c.read_response().status == 400
    wait_until(lambda: len(_lines(log)) >= 3, message="three access log lines")
    # Workers buffer their own lines: the file is in order per worker, not across them.
    lines = _lines(log)
    miss = next(x for x in lines if "fwd=miss" in x)
    hit = next(x for x in lines if "; hit" in x)
    bad = next(x for x in lines if " 400 " in x)
    assert '"-" 400 ' in bad and "detail=rejected" in bad, bad
    assert miss.startswith("127.0.0.1 - - [") and '"GET /a HTTP/1.1" 200 5 "-" "probe/1" ' in miss, miss
    assert "fwd=miss" in miss and " http/1.1" in miss, miss
    # duration and origin first byte (seconds) follow the user agent; a hit has no origin time
    assert re.search(r'"probe/1" \d+\.\d{6} \d+\.\d{6} "lacquer; ', miss), miss
    assert re.search(r'" \d+\.\d{6} - "lacquer; hit', hit), hit
    # logrotate: rename, then USR1; the new lines go to a new file at the configured path
    os.rename(log, tmp_path / "access.log.1")
    l.proc.send_signal(signal.SIGUSR1)
    wait_until(lambda: any("SIGUSR1 received" in x for x in l.lines), message="USR1 logged")

    def new_file_has_line():
        l.get("/a")
        return len(_lines(log)) >= 1
    wait_until(new_file_has_line, message="a line in the reopened log")
    assert len(_lines(tmp_path / "access.log.1")) == 3
    assert l.metric("lacquer_access_log_dropped_total") == 0


def test_access_log_json_and_purge_lines(origin, start_lacquer, tmp_path):
    log = tmp_path / "access.json"
    cfg = tmp_path / "log.toml"
    cfg.write_text('[log]\naccess = "%s"\naccess_format = "json"\n' % log)
    l = start_lacquer(origin.port, extra_args=["--config", str(cfg)])
    origin.script("/j", ok("abc", max_age=100))
    assert l.get("/j").status == 200
    assert l.request("PURGE", "/j").status == 200
    wait_until(lambda: len(_lines(log)) >= 2, message="two JSON lines")
    records = [json.loads(x) for x in _lines(log)]
    first = next(r for r in records if r["method"] == "GET")
    purge = next(r for r in records if r["method"] == "PURGE")
    assert first["method"] == "GET" and first["target"] == "/j" and first["status"] == 200
    assert first["bytes"] == 3 and first["protocol"] == "http/1.1"
    assert first["origin_first_byte_s"] is not None and first["duration_s"] >= first["origin_first_byte_s"]
    assert "fwd=miss" in first["cache_status"]
    assert purge["method"] == "PURGE" and purge["status"] == 200 and purge["origin_first_byte_s"] is None


def test_prometheus_conventions_and_date_added(origin, lacquer):
    origin.script("/nodate", ok("x", max_age=60))  # the test origin sends no Date unless told
    r = lacquer.get("/nodate")
    assert r.status == 200 and r.headers.get("Date", "").endswith(" GMT"), r
    assert lacquer.get("/nodate").headers.get("Date") == r.headers["Date"]  # stored with the head
    status, _, body = admin_get(lacquer.admin_port, "/metrics")
    text = body.decode()
    assert re.search(r'^lacquer_build_info\{version="[^"]+",commit="[^"]*"\} 1$', text, re.M)
    for name in ("process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                 "process_start_time_seconds"):
        assert re.search(r"^%s \d" % name, text, re.M), name
    assert re.search(r'^lacquer_responses_total\{class="2xx"\} 2$', text, re.M), text
    assert re.search(r'^lacquer_request_duration_seconds_bucket\{le="\+Inf"\} 2$', text, re.M)
    assert re.search(r'^lacquer_origin_first_byte_seconds_count 1$', text, re.M)
    assert "# TYPE lacquer_request_duration_seconds histogram" in text


def test_admin_errors_are_json_and_405_names_allow(lacquer):
    from lacq import Conn, build_request
    cases = [("GET", "/no/such/thing", 404, None), ("POST", "/metrics", 405, "GET, HEAD"),
             ("GET", "/purge/all", 405, "POST, PURGE"), ("POST", "/version-of/url", 405, "GET, HEAD"),
             ("POST", "/purge/nothing", 404, None)]
    for method, path, status, allow in cases:
        with Conn(lacquer.admin_port) as c:
            c.send(build_request(method, path, body=b"" if method == "POST" else None))
            r = c.read_response(method)
        assert r.status == status, (method, path, r)
        assert r.headers.get("Content-Type") == "application/json", (method, path, r)
        assert "error" in json.loads(r.body), r.body
        assert r.headers.get("Allow") == allow, (method, path, r)
