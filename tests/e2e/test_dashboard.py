"""The live dashboard on the admin port: GET /stats.json (the documented feed) and the page, opened
in headless Chromium while traffic runs; its numbers must follow the traffic. A screenshot is
saved under the test's tmp dir (its path is printed)."""
import json
import re
import shutil
import subprocess
import threading
import time

import pytest

from lacq import admin_get, ok, wait_until

CHROMIUM = shutil.which("chromium")


def stats(lacquer):
    status, headers, body = admin_get(lacquer.admin_port, "/stats.json")
    assert status == 200 and headers.get("Content-Type") == "application/json"
    return json.loads(body)


def test_stats_json_follows_traffic_and_purges(origin, lacquer, prefix):
    before = stats(lacquer)
    for k in ("requests", "hits", "misses", "collapsed", "stale_while_revalidate", "early_refreshes",
              "response_body_bytes", "origin", "purges", "recent_purges", "memory", "disk", "cluster"):
        assert k in before, k
    origin.script(prefix + "/s", ok("x" * 1000, max_age=60))
    for _ in range(5):
        lacquer.get(prefix + "/s")
    lacquer.request("PURGE", prefix + "/s")
    after = stats(lacquer)
    assert after["requests"] - before["requests"] >= 5
    assert after["hits"] - before["hits"] == 4 and after["misses"] - before["misses"] == 1
    assert after["origin"]["fetches"] - before["origin"]["fetches"] == 1
    assert after["response_body_bytes"] - before["response_body_bytes"] >= 5000
    assert after["purges"]["url"] - before["purges"]["url"] == 1
    assert after["recent_purges"][0]["scope"] == "url" and after["recent_purges"][0]["label"].endswith(prefix + "/s")
    assert after["memory"]["budget"] > 0 and after["cluster"] == {"enabled": False}
    assert after["time_ms"] >= before["time_ms"]
    # The one origin server, healthy, with the request it took.
    [server] = after["origin_servers"]
    assert server["server"].endswith(":%d" % origin.port) and server["up"] is True
    assert server["requests"] >= 1


def test_dashboard_page_is_self_contained(lacquer):
    for path in ("/", "/dashboard"):
        status, headers, body = admin_get(lacquer.admin_port, path)
        assert status == 200 and headers.get("Content-Type").startswith("text/html")
        page = body.decode()
        assert "/stats.json" in page and "<canvas" in page
        # no external assets: no src= or href= to anything but the page itself
        assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', page)
        assert "<link" not in page and "<script src" not in page


def dom_number(dom, element_id):
    m = re.search(r'id="%s"[^>]*>([^<]*)<' % re.escape(element_id), dom)
    assert m, "no #%s in the page" % element_id
    return m.group(1)


def run_chromium(args, timeout=60):
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--no-first-run", "--disable-extensions", "--mute-audio"] + args,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh installs it)")
def test_dashboard_in_chromium_follows_traffic(origin, lacquer, prefix, tmp_path):
    origin.script(prefix + "/hot", ok("h" * 2048, max_age=600))
    lacquer.get(prefix + "/hot")
    lacquer.request("PURGE", prefix + "/gone-page")
    start = stats(lacquer)
    stop = threading.Event()
    sent = [0]

    def traffic():  # steady requests while the page polls
        with lacquer.conn() as c:
            while not stop.is_set():
                c.send(b"GET %s/hot HTTP/1.1\r\nHost: example.com\r\n\r\n" % prefix.encode())
                c.read_response()
                sent[0] += 1
                time.sleep(0.002)

    t = threading.Thread(target=traffic)
    t.start()
    try:
        wait_until(lambda: sent[0] >= 20, message="traffic under way")
        url = "http://127.0.0.1:%d/dashboard?interval=300" % lacquer.admin_port
        # Real time passes while the page waits on /stats.json: it polls several times.
        r = run_chromium(["--virtual-time-budget=4000", "--dump-dom", url])
        shot = tmp_path / "dashboard.png"
        r2 = run_chromium(["--virtual-time-budget=4000", "--window-size=1400,1000", "--hide-scrollbars",
                           "--screenshot=%s" % shot, url])
    finally:
        stop.set()
        t.join(10)
    dom = r.stdout
    assert r.returncode == 0 and "<html" in dom, r.stderr[-2000:]
    polls = int(dom_number(dom, "polls"))
    assert polls >= 2, "the page polled %d times" % polls
    assert dom_number(dom, "status") == "live"
    shown = int(dom_number(dom, "requests-total"))
    end = stats(lacquer)
    # The page shows what the server counted while it was open: past the count before the traffic
    # under way, at most what the server counts now.
    assert start["requests"] + 20 <= shown <= end["requests"]
    assert float(dom_number(dom, "rps")) > 0
    assert dom_number(dom, "hit-ratio").endswith("%") and float(dom_number(dom, "hit-ratio")[:-1]) > 50
    assert int(dom_number(dom, "origin-fetches")) == end["origin"]["fetches"]
    assert int(dom_number(dom, "purges-total")) >= 1
    assert (prefix + "/gone-page") in dom  # listed among the recent purges
    assert re.search(r'<td>[^<]*:%d</td><td class="up">up</td>' % origin.port, dom), "origin server health not shown"
    assert r2.returncode == 0 and shot.exists() and shot.stat().st_size > 10000, r2.stderr[-2000:]
    print("dashboard screenshot: %s" % shot)
