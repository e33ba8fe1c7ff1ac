"""The admin port: health, version, Prometheus metrics, and eviction seen through the metrics."""
import re

from lacq import admin_get, build_request, hit_ttl, metrics, ok

METRICS = ["lacquer_requests_total", "lacquer_cache_hits_total", "lacquer_cache_misses_total",
           "lacquer_cache_objects", "lacquer_cache_bytes", "lacquer_cache_evictions_total",
           "lacquer_origin_fetches_total", "lacquer_origin_errors_total"]


def test_healthz(lacquer):
    status, _, _ = admin_get(lacquer.admin_port, "/healthz")
    assert status == 200


def test_version_matches_via(origin, lacquer):
    status, _, body = admin_get(lacquer.admin_port, "/version")
    assert status == 200
    m = re.search(r"\d+\.\d+\.\d+", body.decode())
    assert m, body
    via = lacquer.get("/t/version/a").headers["Via"]
    assert via == "1.1 lacquer/" + m.group(0)


def test_unknown_admin_path_is_404(lacquer):
    assert admin_get(lacquer.admin_port, "/no/such/thing")[0] == 404


def test_metrics_format_and_names(lacquer):
    status, headers, body = admin_get(lacquer.admin_port, "/metrics")
    assert status == 200
    assert headers.get("Content-Type", "").startswith("text/plain")
    text = body.decode()
    for name in METRICS:
        assert re.search(r"^%s(\{[^}]*\})? \S+$" % name, text, re.M), "%s missing" % name
        assert re.search(r"^# TYPE %s (counter|gauge)$" % name, text, re.M), "no TYPE for " + name


def test_metrics_count_traffic(origin, lacquer):
    base = metrics(lacquer.admin_port)
    p = "/t/metrics/a"
    origin.script(p, ok("12345", max_age=60))
    for _ in range(3):
        assert lacquer.get(p).status == 200
    lacquer.expect_stat("lacquer_requests_total", base["lacquer_requests_total"] + 3)
    lacquer.expect_stat("lacquer_cache_misses_total", base["lacquer_cache_misses_total"] + 1)
    lacquer.expect_stat("lacquer_cache_hits_total", base["lacquer_cache_hits_total"] + 2)
    lacquer.expect_stat("lacquer_origin_fetches_total", base["lacquer_origin_fetches_total"] + 1)
    lacquer.expect_stat("lacquer_cache_objects", 1)
    lacquer.expect_stat("lacquer_cache_bytes", lambda v: v >= 5)
    lacquer.expect_stat("lacquer_origin_errors_total", 0)


def test_eviction_keeps_memory_within_budget(origin, start_lacquer):
    # Plain SIEVE: with memory admission, objects requested once would be refused, not evicting.
    lacquer = start_lacquer(origin.port, extra_args=["--memory", "1M"],
                            config_text="[cache]\nmemory_admission = false\n")
    size, n = 64 * 1024, 48  # 3 MiB of bodies
    with lacquer.conn(timeout=10) as c:
        for i in range(n):
            c.send(build_request("GET", "/bytes/%d/evict/%d" % (size, i)))
            r = c.read_response()
            assert r.status == 200 and len(r.body) == size
    lacquer.expect_stat("lacquer_cache_evictions_total", lambda v: v > 0)
    m = metrics(lacquer.admin_port)
    assert 0 < m["lacquer_cache_bytes"] <= 1024 * 1024, m
    assert 0 < m["lacquer_cache_objects"] < n, m
    # The newest object is still there.
    hit_ttl(lacquer.get("/bytes/%d/evict/%d" % (size, n - 1)))


def test_object_well_under_the_budget_is_stored(origin, start_lacquer):
    """A 64 KiB object fits a 1 MiB memory budget: it must be stored and hit."""
    lacquer = start_lacquer(origin.port, extra_args=["--memory", "1M"])
    path = "/bytes/65536/fits"
    lacquer.get(path)
    r = lacquer.get(path)
    assert len(r.body) == 65536
    hit_ttl(r)
    lacquer.expect_stat("lacquer_cache_objects", 1)
