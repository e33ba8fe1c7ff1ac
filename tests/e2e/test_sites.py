"""Sites and origin pools (issue 14): routing by Host to pools of real test origins, per-site
cache policy, weighted round robin, consistent hashing, health probes, passive ejection,
failover with no client error for GETs, no replayed POST, 503 or stale when no server is left,
and --check-config errors for bad [[site]] / [[pool]] tables."""
import socket

import pytest

import lacq
from lacq import cache_status, hit_ttl, wait_until


def dead_port():
    """A loopback port nothing listens on (connects are refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pool(name, ports, extra="", weights=None):
    servers = ", ".join('{ address = "127.0.0.1:%d", weight = %d }' % (p, (weights or {}).get(i, 1))
                        for i, p in enumerate(ports))
    return '[[pool]]\nname = "%s"\nservers = [ %s ]\n%s\n' % (name, servers, extra)


def site(name, hosts, pool_name, extra=""):
    return '[[site]]\nname = "%s"\nhosts = [ %s ]\npool = "%s"\n%s\n' % (
        name, ", ".join('"%s"' % h for h in hosts), pool_name, extra)


@pytest.fixture
def origins():
    started = []

    def make(n, port=0):
        for _ in range(n):
            started.append(lacq.Origin(port))
        return started[-n:]

    yield make
    for o in started:
        o.stop()


def served_by(origin_list, path):
    return [i for i, o in enumerate(origin_list) if o.count(path) > 0]


def test_two_sites_reach_their_own_pools(origins, start_lacquer):
    a, b = origins(2)
    config = (pool("pa", [a.port]) + pool("pb", [b.port]) +
              site("a", ["site-a.test"], "pa") + site("b", ["site-b.test", "*.b.test"], "pb"))
    l = start_lacquer(a.port, config_text=config)
    assert l.get("/x", host="site-a.test").status == 200
    assert l.get("/x", host="site-b.test").status == 200
    assert l.get("/y", host="deep.er.b.test:8080").status == 200
    assert a.count("/x") == 1 and b.count("/x") == 1
    assert a.count("/y") == 0 and b.count("/y") == 1
    # each site's copy is its own cache entry, and a hit
    assert hit_ttl(l.get("/x", host="site-a.test")) > 0
    assert a.count("/x") == 1


def test_unknown_host_421_by_default_404_when_configured(origins, start_lacquer):
    (a,) = origins(1)
    config = pool("p", [a.port]) + site("a", ["site-a.test"], "p")
    l = start_lacquer(a.port, config_text=config)
    r = l.get("/", host="elsewhere.test")
    assert r.status == 421
    assert cache_status(r).get("detail") == "unknown-host"
    assert a.count() == 0
    l404 = start_lacquer(a.port, config_text="[server]\nunknown_host_status = 404\n" + config,
                         state_dir=l.args[l.args.index("--state-dir") + 1] + "-2")
    assert l404.get("/", host="elsewhere.test").status == 404


def test_default_site_takes_unknown_hosts(origins, start_lacquer):
    a, b = origins(2)
    config = (pool("pa", [a.port]) + pool("pb", [b.port]) + site("a", ["site-a.test"], "pa") +
              site("fallback", [], "pb", "default = true"))
    l = start_lacquer(a.port, config_text=config)
    assert l.get("/d", host="who.test").status == 200
    assert b.count("/d") == 1 and a.count("/d") == 0


def test_per_site_cache_overrides(origins, start_lacquer):
    (a,) = origins(1)
    config = ("[cache]\nmax_ttl = \"1h\"\n" + pool("p", [a.port]) +
              site("short", ["short.test"], "p", "[site.cache]\nmax_ttl = \"5s\"\n") +
              site("long", ["long.test"], "p"))
    l = start_lacquer(a.port, config_text=config)
    l.get("/o", host="short.test")
    l.get("/o", host="long.test")
    assert hit_ttl(l.get("/o", host="short.test")) <= 5
    assert hit_ttl(l.get("/o", host="long.test")) > 3000


def test_weighted_round_robin_spreads_by_weight(origins, start_lacquer):
    a, b = origins(2)
    config = pool("p", [a.port, b.port], weights={1: 3}) + site("s", ["rr.test"], "p")
    l = start_lacquer(a.port, config_text=config, threads=1)
    for i in range(40):
        assert l.get("/rr/%d" % i, host="rr.test").status == 200
    assert a.count() == 10
    assert b.count() == 30


def test_consistent_hash_sends_a_key_to_the_same_server_across_restarts(origins, start_lacquer, tmp_path):
    a, b, c = origins(3)
    servers = [a, b, c]
    config = pool("p", [o.port for o in servers], 'balance = "consistent-hash"') + site("s", ["ch.test"], "p")
    paths = ["/ch/%d" % i for i in range(30)]
    first = start_lacquer(a.port, config_text=config, state_dir=tmp_path / "s1")
    for p in paths:
        assert first.get(p, host="ch.test").status == 200
    owner = {p: served_by(servers, p) for p in paths}
    assert all(len(v) == 1 for v in owner.values())
    assert len({v[0] for v in owner.values()}) == 3  # the keys spread over every server
    first.stop()
    for o in servers:
        o.reset()
    second = start_lacquer(a.port, config_text=config, state_dir=tmp_path / "s2", threads=3)
    for p in paths:
        assert second.get(p, host="ch.test").status == 200
    assert {p: served_by(servers, p) for p in paths} == owner


def test_killed_server_is_ejected_and_gets_traffic_again_when_back(origins, start_lacquer):
    a, b, c = origins(3)
    probe = 'probe = { path = "/healthz", interval = "100ms", timeout = "500ms", window = 3, threshold = 2 }'
    config = pool("p", [a.port, b.port, c.port], probe + "\neject_after = 1") + site("s", ["ha.test"], "p")
    l = start_lacquer(a.port, config_text=config)
    wait_until(lambda: b.count("/healthz") > 0, message="probes reach the origins")
    killed_port = b.port
    b.stop()
    # no client error for GETs while it goes: a refused connect is retried on another server
    for i in range(60):
        r = l.get("/ha/%d" % i, host="ha.test")
        assert r.status == 200, r
    up = lambda: lacq.metrics(l.admin_port).get(
        'lacquer_origin_server_up{pool="p",server="127.0.0.1:%d"}' % killed_port)
    wait_until(lambda: up() == 0, message="the killed server is reported down")
    # brought back on the same port: re-admitted by the probes, and used again
    back = origins(1, killed_port)[0]
    wait_until(lambda: up() == 1, deadline=5, message="the server is re-admitted")
    for i in range(30):
        assert l.get("/back/%d" % i, host="ha.test").status == 200
    assert sum(back.count("/back/%d" % i) for i in range(30)) >= 5


def test_get_is_retried_on_another_server_post_never(origins, start_lacquer):
    (a,) = origins(1)
    config = pool("p", [dead_port(), a.port], "eject_after = 0") + site("s", ["r.test"], "p")
    l = start_lacquer(a.port, config_text=config, threads=1)
    for i in range(6):
        assert l.get("/g/%d" % i, host="r.test").status == 200
    statuses = [l.request("POST", "/post", body=b"x", host="r.test").status for _ in range(6)]
    assert statuses.count(502) == 3 and statuses.count(200) == 3
    assert len([r for r in a.requests("/post") if r["method"] == "POST"]) == 3  # none replayed
    assert l.metric("lacquer_origin_retries_total") >= 3


def test_no_healthy_server_503_with_detail_or_stale(origins, start_lacquer):
    (a,) = origins(1)
    config = pool("p", [a.port], "eject_after = 1\neject_backoff = \"1m\"") + site("s", ["n.test"], "p")
    l = start_lacquer(a.port, config_text=config)
    a.script("/stale", lacq.ok("old", max_age=1, headers=[("Cache-Control", "stale-if-error=600")]))
    assert l.get("/stale", host="n.test").status == 200
    a.stop()
    assert l.get("/first", host="n.test").status == 502  # refused: this ejects the only server
    r = l.get("/nothing", host="n.test")
    assert r.status == 503
    assert cache_status(r).get("detail") == "origin-no-healthy-server"
    # an expired entry with stale-if-error is served stale instead
    r = wait_until(lambda: (lambda r: r if cache_status(r).get("fwd") == "stale" else None)(
        l.get("/stale", host="n.test")), deadline=5, interval=0.1, message="stale served")
    assert r.status == 200 and r.body == b"old"


@pytest.mark.parametrize("body,key,says", [
    (pool("p", [1]) + site("s", ["a.test"], "nope"), "site[0].pool", 'unknown pool "nope"'),
    ('[[pool]]\nname = "p"\nservers = []\n' + site("s", ["a.test"], "p"), "pool[0].servers", "at least one server"),
    (pool("p", [1]) + site("s", ["a.test"], "p") + site("t", ["A.test"], "p"), "site[1].hosts[0]", '"a.test" again'),
    (pool("p", [1], 'tls = true\nca_file = "/nonexistent/ca.pem"'), "pool[0].ca_file", "readable file"),
])
def test_check_config_reports_bad_sites_and_pools(tmp_path, body, key, says):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    r = lacq.run_lacquer(["--config", str(path), "--check-config"])
    assert r.returncode == 2, r.stderr
    line = [ln for ln in r.stderr.splitlines() if key in ln]
    assert line and says in line[0], r.stderr
    assert ("%s:" % path) in line[0]
