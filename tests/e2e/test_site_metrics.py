"""Per-site metrics and per-origin-server latency histograms (issue 14, item 7), read from a real
lacquer's /metrics after real traffic to two sites on two pools: requests, hits, misses, body bytes
and purges labelled by site, and lacquer_origin_server_first_byte_seconds per server with
Prometheus _bucket/_sum/_count that place a slow origin's answer in the right bucket."""
import lacq
from lacq import metrics, ok, request
from test_sites import origins, pool, site  # noqa: F401 (origins is a fixture)


def test_requests_hits_misses_bytes_and_purges_by_site(origins, start_lacquer):
    a, b = origins(2)
    a.script("/p", ok("a" * 100))
    b.script("/p", ok("b" * 7))
    config = (pool("pa", [a.port]) + pool("pb", [b.port]) + site("a", ["a.test"], "pa") + site("b", ["b.test"], "pb"))
    l = start_lacquer(a.port, config_text=config)
    for _ in range(3):
        assert l.get("/p", host="a.test").status == 200  # a miss, then two hits
    assert l.get("/p", host="b.test").status == 200
    assert request(l.port, "PURGE", "/", headers=[("Purge-All", "1")], host="a.test").status == 200
    want = {
        'lacquer_site_requests_total{site="a"}': 3, 'lacquer_site_requests_total{site="b"}': 1,
        'lacquer_site_hits_total{site="a"}': 2, 'lacquer_site_hits_total{site="b"}': 0,
        'lacquer_site_misses_total{site="a"}': 1, 'lacquer_site_misses_total{site="b"}': 1,
        'lacquer_site_response_body_bytes_total{site="a"}': 300,
        'lacquer_site_response_body_bytes_total{site="b"}': 7,
        'lacquer_site_purges_total{site="a"}': 1, 'lacquer_site_purges_total{site="b"}': 0,
    }
    # Counters are summed from the workers when scraped; the bytes of the last response are
    # counted when it completes, so poll briefly.
    got = {}

    def all_there():
        m = metrics(l.admin_port)
        got.update({k: m.get(k) for k in want})
        return got == want
    lacq.wait_until(all_there, message="per-site counters")
    # The admin port's site purges count too.
    assert request(l.admin_port, "POST", "/purge/all?site=b").status == 200
    lacq.wait_until(lambda: metrics(l.admin_port).get('lacquer_site_purges_total{site="b"}') == 1,
                    message="admin purge counted for site b")


def test_plain_origin_has_no_site_series(origin, start_lacquer):
    l = start_lacquer(origin.port)
    assert l.get("/x").status == 200
    m = metrics(l.admin_port)
    assert not [k for k in m if k.startswith("lacquer_site_")]


def bucket(m, labels, le):
    return m['lacquer_origin_server_first_byte_seconds_bucket{%s,le="%s"}' % (labels, le)]


def test_origin_first_byte_histogram_per_server(origins, start_lacquer):
    slow, fast = origins(2)
    slow.script("/s", ok("s", delay_ms=300))
    fast.script("/f", ok("f"))
    config = (pool("ps", [slow.port]) + pool("pf", [fast.port]) + site("s", ["slow.test"], "ps") +
              site("f", ["fast.test"], "pf"))
    l = start_lacquer(slow.port, config_text=config)
    assert l.get("/s", host="slow.test").status == 200
    for i in range(3):
        assert l.get("/f?%d" % i, host="fast.test").status == 200
    m = metrics(l.admin_port)
    s = 'pool="ps",server="127.0.0.1:%d"' % slow.port
    f = 'pool="pf",server="127.0.0.1:%d"' % fast.port
    assert m['lacquer_origin_server_first_byte_seconds_count{%s}' % s] == 1
    assert m['lacquer_origin_server_first_byte_seconds_count{%s}' % f] == 3
    # The slow answer took 0.3 s: above the 0.25 s bound, within 2.5 s.
    assert bucket(m, s, "0.25") == 0
    assert bucket(m, s, "2.5") == 1
    assert bucket(m, s, "+Inf") == 1
    assert 0.3 <= m['lacquer_origin_server_first_byte_seconds_sum{%s}' % s] < 2.5
    assert bucket(m, f, "0.25") == 3
    # Buckets are cumulative.
    bounds = ["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
    counts = [bucket(m, f, b) for b in bounds]
    assert counts == sorted(counts)


def test_origin_errors_by_kind_per_server(origins, start_lacquer):
    """A refused connect is counted on the server that refused it, by kind; its pool peer's
    count stays 0 (issue 14, item 7: errors by kind per origin server)."""
    from test_sites import dead_port
    (good,) = origins(1)
    dead = dead_port()
    good.script("/g", ok("g"))
    config = pool("pg", [good.port]) + pool("pd", [dead]) + site("g", ["g.test"], "pg") + site("d", ["d.test"], "pd")
    l = start_lacquer(good.port, config_text=config)
    assert l.get("/g", host="g.test").status == 200
    assert l.get("/x", host="d.test").status == 502
    m = metrics(l.admin_port)
    assert m['lacquer_origin_server_errors_total{pool="pd",server="127.0.0.1:%d",kind="refused"}' % dead] == 1
    assert m['lacquer_origin_server_errors_total{pool="pg",server="127.0.0.1:%d",kind="refused"}' % good.port] == 0
    assert m['lacquer_origin_server_errors_total{pool="pg",server="127.0.0.1:%d",kind="timeout"}' % good.port] == 0
