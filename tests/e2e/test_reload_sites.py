"""SIGHUP applies [[site]], [[pool]] and [origin] changes live (issue 16): a new routing snapshot
per worker, while keep-alive connections and the cache stay; servers that stay in a pool keep
their health (an ejected server stays out), removed ones are no longer used or probed; a bad
[[site]] changes nothing and is reported with file:line."""
import json
import signal

import lacq
from lacq import hit_ttl, wait_until
from test_sites import origins, pool, site  # noqa: F401 (origins is a fixture)


def config_path(l):
    return l.args[l.args.index("--config") + 1]


def reload(l, text, count=1):
    """Writes the new file, sends SIGHUP and waits for the reload to be logged."""
    with open(config_path(l), "w") as f:
        f.write(text)
    l.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: len([x for x in l.lines if "configuration reloaded" in x or "reload failed," in x]) >= count,
               message="reload %d logged" % count)


def server_metric(l, name, pool_name, port):
    return lacq.metrics(l.admin_port).get('%s{pool="%s",server="127.0.0.1:%d"}' % (name, pool_name, port))


def test_sighup_adds_a_site_and_moves_one_to_another_pool_with_cache_and_connections_kept(origins, start_lacquer):
    a, b = origins(2)
    l = start_lacquer(a.port, config_text=pool("pa", [a.port]) + pool("pb", [b.port]) +
                      site("one", ["one.test"], "pa"), threads=2)
    assert l.get("/x", host="two.test").status == 421
    assert l.get("/x", host="one.test").status == 200
    assert hit_ttl(l.get("/x", host="one.test")) > 0
    # A keep-alive connection opened before the reload, with a request answered on it.
    conn = l.conn()
    conn.send(lacq.build_request("GET", "/k", host="one.test"))
    assert conn.read_response().status == 200

    reload(l, pool("pa", [a.port]) + pool("pb", [b.port]) +
           site("one", ["one.test"], "pb") + site("two", ["two.test"], "pa"))
    applied = [x for x in l.lines if "configuration reloaded" in x][0]
    assert "site" in applied, applied
    # Each worker applies the snapshot from its inbox: poll on fresh connections.
    wait_until(lambda: l.get("/new", host="two.test").status == 200, message="the added site routes")
    n = [0]

    def next_path_goes_to_b():
        n[0] += 1
        path = "/moved/%d" % n[0]
        assert l.get(path, host="one.test").status == 200
        return b.count(path) == 1
    wait_until(next_path_goes_to_b, message="the moved site reaches its new pool")
    for i in range(6):  # and stays there, on every worker
        path = "/after/%d" % i
        assert l.get(path, host="one.test").status == 200
        assert b.count(path) == 1 and a.count(path) == 0
    # The cache stayed warm: what one.test stored before is still a hit, not fetched again.
    for _ in range(4):
        assert hit_ttl(l.get("/x", host="one.test")) > 0
    assert a.count("/x") == 1 and b.count("/x") == 0
    # The keep-alive connection from before the reload still works, and uses the new routing.
    conn.send(lacq.build_request("GET", "/on-old-conn", host="two.test"))
    assert conn.read_response().status == 200
    assert a.count("/on-old-conn") == 1
    conn.close()
    l.expect_stat("lacquer_config_reloads_total", 1)
    l.expect_stat("lacquer_config_reload_failures_total", 0)


def test_sighup_removes_a_server_from_a_pool_and_stops_probing_it(origins, start_lacquer):
    a, b = origins(2)
    probe = 'probe = { path = "/healthz", interval = "50ms", timeout = "500ms", window = 3, threshold = 2 }'
    l = start_lacquer(a.port, config_text=pool("p", [a.port, b.port], probe) + site("s", ["s.test"], "p"))
    wait_until(lambda: a.count("/healthz") > 0 and b.count("/healthz") > 0, message="both probed")
    for i in range(6):
        assert l.get("/rr/%d" % i, host="s.test").status == 200
    assert b.count() - b.count("/healthz") > 0  # round robin used b

    reload(l, pool("p", [a.port], probe) + site("s", ["s.test"], "p"))
    wait_until(lambda: server_metric(l, "lacquer_origin_server_up", "p", b.port) is None,
               message="b gone from the metrics")
    n = [0]

    def next_path_goes_to_a():
        n[0] += 1
        path = "/only-a/%d" % n[0]
        assert l.get(path, host="s.test").status == 200
        return a.count(path) == 1
    wait_until(next_path_goes_to_a, message="requests go to a only")
    for i in range(8):
        path = "/stays-a/%d" % i
        assert l.get(path, host="s.test").status == 200
        assert a.count(path) == 1 and b.count(path) == 0
    # Probes: a is still probed, b no more (at most one probe was under way at the reload).
    b_probes, a_probes = b.count("/healthz"), a.count("/healthz")
    wait_until(lambda: a.count("/healthz") >= a_probes + 5, message="a probed on")
    assert b.count("/healthz") <= b_probes + 1


def test_bad_site_on_reload_changes_nothing_and_names_file_line(origins, start_lacquer):
    (a,) = origins(1)
    good = pool("p", [a.port]) + site("s", ["s.test"], "p")
    l = start_lacquer(a.port, config_text=good)
    assert l.get("/g", host="s.test").status == 200
    reload(l, good + site("t", ["t.test"], "nope"))
    wait_until(lambda: any("reload failed, still running" in x for x in l.lines), message="failure logged")
    bad = [x for x in l.lines if "site[1].pool" in x]
    assert bad and ("%s:" % config_path(l)) in bad[0] and 'unknown pool "nope"' in bad[0], l.text()
    l.expect_stat("lacquer_config_reload_failures_total", 1)
    l.expect_stat("lacquer_config_reloads_total", 0)
    for _ in range(4):
        assert l.get("/g", host="s.test").status == 200
        assert l.get("/g", host="t.test").status == 421


def test_an_ejected_server_stays_ejected_across_a_reload_that_changes_its_pool(origins, start_lacquer):
    a, b, c = origins(3)
    eject = 'eject_after = 1\neject_backoff = "1m"'
    l = start_lacquer(a.port, config_text=pool("p", [a.port, b.port], eject) + site("s", ["s.test"], "p"))
    b_port = b.port
    b.stop()
    # A refused connect ejects b; the GET is retried on a, so the client sees no error.
    for i in range(4):
        assert l.get("/e/%d" % i, host="s.test").status == 200
    wait_until(lambda: server_metric(l, "lacquer_origin_server_up", "p", b_port) == 0, message="b ejected")
    failures = server_metric(l, "lacquer_origin_server_failures_total", "p", b_port)
    assert failures >= 1

    # The pool changes (c joins): b is the same server in the same pool, so it stays out.
    reload(l, pool("p", [a.port, b_port, c.port], eject) + site("s", ["s.test"], "p"))
    wait_until(lambda: server_metric(l, "lacquer_origin_server_up", "p", c.port) == 1, message="c joined")
    assert server_metric(l, "lacquer_origin_server_up", "p", b_port) == 0
    assert server_metric(l, "lacquer_origin_server_failures_total", "p", b_port) == failures
    for i in range(9):  # every request lands on a or c: none tries b again
        assert l.get("/after/%d" % i, host="s.test").status == 200
    assert server_metric(l, "lacquer_origin_server_failures_total", "p", b_port) == failures
    assert c.count() > 0


def test_a_cache_change_reaches_an_explicit_site(origins, start_lacquer):
    (a,) = origins(1)
    sites = pool("p", [a.port]) + site("s", ["s.test"], "p")
    l = start_lacquer(a.port, config_text='[cache]\nmax_ttl = "1h"\n' + sites)
    assert l.get("/long", host="s.test").status == 200
    assert hit_ttl(l.get("/long", host="s.test")) > 600
    reload(l, '[cache]\nmax_ttl = "10s"\n' + sites)
    n = [0]

    def capped():
        n[0] += 1
        path = "/short/%d" % n[0]
        assert l.get(path, host="s.test").status == 200
        return hit_ttl(l.get(path, host="s.test")) <= 10
    wait_until(capped, message="the new max_ttl caps the site's entries")
    for i in range(4):
        path = "/capped/%d" % i
        assert l.get(path, host="s.test").status == 200
        assert hit_ttl(l.get(path, host="s.test")) <= 10


def test_stats_json_shows_the_reloaded_pools(origins, start_lacquer):
    a, b = origins(2)
    l = start_lacquer(a.port, config_text=pool("p", [a.port]) + site("s", ["s.test"], "p"))
    reload(l, pool("p", [a.port]) + pool("q", [b.port]) + site("s", ["s.test"], "q"))

    def servers():
        _, _, body = lacq.admin_get(l.admin_port, "/stats.json")
        return {(e["pool"], e["server"]) for e in json.loads(body)["origin_servers"]}
    wait_until(lambda: ("q", "127.0.0.1:%d" % b.port) in servers(), message="stats.json shows pool q")


def test_a_response_in_flight_finishes_on_the_pool_it_started_with(origins, start_lacquer):
    a, b = origins(2)
    l = start_lacquer(a.port, config_text=pool("pa", [a.port]) + site("one", ["one.test"], "pa"), threads=1)
    a.script("/slow", lacq.ok(chunks=["first-", "second"], body_hold="go"))
    conn = l.conn()
    conn.send(lacq.build_request("GET", "/slow", host="one.test"))
    wait_until(lambda: a.count("/slow") == 1, message="the fetch is under way")
    # The pool the fetch runs on goes away, and its site moves to another pool.
    reload(l, pool("pb", [b.port]) + site("one", ["one.test"], "pb"))
    wait_until(lambda: l.get("/elsewhere", host="one.test").status == 200 and b.count("/elsewhere") == 1,
               message="the site moved")
    a.open("go")
    r = conn.read_response()
    assert r.status == 200 and r.complete and r.body == b"first-second"
    conn.close()
    # It was stored as usual, and is a hit on the new routing (the cache is keyed by URL).
    assert hit_ttl(l.get("/slow", host="one.test")) > 0
    assert a.count("/slow") == 1 and b.count("/slow") == 0


def test_site_and_server_metrics_follow_their_names_across_a_reload_that_reorders_them(origins, start_lacquer):
    """Per-site counters and per-server histograms are found by name, not position: a reload
    that swaps the sites' order, drops one and adds another keeps each series monotonic and
    attached to its own site and server (issue 14's metrics with issue 16's live routing)."""
    a, b = origins(2)
    for o in (a, b):
        o.script("/p", lacq.ok("x"))
    l = start_lacquer(a.port, config_text=pool("pa", [a.port]) + pool("pb", [b.port]) +
                      site("a", ["a.test"], "pa") + site("b", ["b.test"], "pb"))
    for _ in range(3):
        assert l.get("/p", host="a.test").status == 200
    assert l.get("/p", host="b.test").status == 200

    def series(name):
        return lacq.metrics(l.admin_port).get(name)
    wait_until(lambda: series('lacquer_site_requests_total{site="a"}') == 3, message="a counted")
    count_a = 'lacquer_origin_server_first_byte_seconds_count{pool="pa",server="127.0.0.1:%d"}' % a.port
    assert series(count_a) == 1
    # b first, a second, and a new site c on a's pool.
    reload(l, pool("pb", [b.port]) + pool("pa", [a.port]) + site("b", ["b.test"], "pb") +
           site("c", ["c.test"], "pa") + site("a", ["a.test"], "pa"))
    # The admin loop applies the snapshot after the log line: poll for the new site's series.
    wait_until(lambda: series('lacquer_site_requests_total{site="c"}') == 0, message="c listed")
    assert series('lacquer_site_requests_total{site="a"}') == 3
    assert series('lacquer_site_requests_total{site="b"}') == 1
    assert l.get("/p", host="c.test").status == 200  # a miss on pool pa
    assert l.get("/p", host="a.test").status == 200  # a hit
    wait_until(lambda: series('lacquer_site_requests_total{site="a"}') == 4, message="a still counted as a")
    assert series('lacquer_site_requests_total{site="c"}') == 1
    assert series('lacquer_site_requests_total{site="b"}') == 1
    assert series(count_a) == 2
    # Dropping b hides its series; bringing it back continues its count.
    reload(l, pool("pa", [a.port]) + pool("pb", [b.port]) + site("a", ["a.test"], "pa"), count=2)
    wait_until(lambda: series('lacquer_site_requests_total{site="b"}') is None, message="b unlisted")
    reload(l, pool("pa", [a.port]) + pool("pb", [b.port]) + site("a", ["a.test"], "pa") +
           site("b", ["b.test"], "pb"), count=3)
    wait_until(lambda: series('lacquer_site_requests_total{site="b"}') is not None, message="b listed again")
    assert series('lacquer_site_requests_total{site="b"}') == 1
