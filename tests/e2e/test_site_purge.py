"""Per-site purge scopes (issue 14): purge-all and tag purges of one site leave another site's
entries hits, a site's token gets 403 on another site, and the scoped purges survive kill -9."""
import json

import lacq
from lacq import cache_status, request


def is_hit(r):
    return cache_status(r).get("hit") is True


def config(origin_port):
    return """
[purge]
allow_loopback = false
[[pool]]
name = "p"
servers = ["127.0.0.1:%d"]
[[site]]
name = "a"
hosts = ["site-a.test"]
pool = "p"
purge_tokens = ["token-a"]
[[site]]
name = "b"
hosts = ["site-b.test"]
pool = "p"
purge_tokens = ["token-b"]
""" % origin_port


def purge(l, host, token, headers=(), path="/"):
    r = request(l.port, "PURGE", path, headers=[("Authorization", "Bearer " + token)] + list(headers), host=host)
    return r, (json.loads(r.body) if r.body else None)


def warm(l, origin, path, tag):
    origin.script(path, lacq.ok("v", headers=[["Surrogate-Key", tag]]),
                  lacq.ok("v", headers=[["Surrogate-Key", tag]]), lacq.ok("v", headers=[["Surrogate-Key", tag]]))
    for host in ("site-a.test", "site-b.test"):
        assert l.get(path, host=host).status == 200
        assert is_hit(l.get(path, host=host))


def test_site_purge_all_touches_only_that_site(origin, start_lacquer):
    l = start_lacquer(origin.port, config_text=config(origin.port))
    warm(l, origin, "/all", "t")
    r, body = purge(l, "site-a.test", "token-a", [("Purge-All", "1")])
    assert r.status == 200, r
    assert not is_hit(l.get("/all", host="site-a.test"))
    assert is_hit(l.get("/all", host="site-b.test"))


def test_tags_are_per_site(origin, start_lacquer):
    l = start_lacquer(origin.port, config_text=config(origin.port))
    warm(l, origin, "/tagged", "shared-tag")
    r, _ = purge(l, "site-b.test", "token-b", [("Surrogate-Key", "shared-tag")])
    assert r.status == 200
    assert is_hit(l.get("/tagged", host="site-a.test"))
    assert not is_hit(l.get("/tagged", host="site-b.test"))


def test_a_sites_token_is_refused_on_another_site(origin, start_lacquer):
    l = start_lacquer(origin.port, config_text=config(origin.port))
    warm(l, origin, "/guarded", "g")
    r, body = purge(l, "site-b.test", "token-a", [("Purge-All", "1")])
    assert r.status == 403 and "not valid for this site" in body["error"]
    r, _ = purge(l, "site-b.test", "wrong-token", [("Purge-All", "1")])
    assert r.status == 403
    assert is_hit(l.get("/guarded", host="site-b.test"))
    assert is_hit(l.get("/guarded", host="site-a.test"))


def test_scoped_purges_survive_kill_9(origin, start_lacquer, tmp_path):
    state = tmp_path / "state"
    first = start_lacquer(origin.port, config_text=config(origin.port), state_dir=state)
    warm(first, origin, "/durable", "d")
    first.expect_stat("lacquer_disk_writes_total", lambda v: v >= 2)  # both copies reached the disk
    first.expect_stat("lacquer_disk_unflushed_entries", 0, deadline=15)  # ... and a table file
    assert purge(first, "site-a.test", "token-a", [("Purge-All", "1")])[0].status == 200
    first.proc.kill()
    first.proc.wait()
    second = start_lacquer(origin.port, config_text=config(origin.port), state_dir=state)
    assert is_hit(second.get("/durable", host="site-b.test"))
    assert not is_hit(second.get("/durable", host="site-a.test"))


def admin_purge(l, path, token=None):
    headers = [("Authorization", "Bearer " + token)] if token else []
    r = request(l.admin_port, "POST", path, headers=headers)
    return r, json.loads(r.body)


def test_admin_port_site_parameter_and_bound_tokens(origin, start_lacquer):
    l = start_lacquer(origin.port, config_text=config(origin.port))
    warm(l, origin, "/articles/1", "art")
    r, body = admin_purge(l, "/purge/all?site=b", "token-a")
    assert r.status == 403 and "not valid for this site" in body["error"]
    r, body = admin_purge(l, "/purge/all?site=nope")
    assert r.status == 404
    # a bare-path prefix on a site: that path under the site's hosts only
    r, body = admin_purge(l, "/purge/prefix?prefix=/articles/&site=a", "token-a")
    assert r.status == 200, body
    assert not is_hit(l.get("/articles/1", host="site-a.test"))
    assert is_hit(l.get("/articles/1", host="site-b.test"))
    r, body = admin_purge(l, "/purge/tag/art?site=b", "token-b")
    assert r.status == 200
    assert not is_hit(l.get("/articles/1", host="site-b.test"))
