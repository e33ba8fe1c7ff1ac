"""The main port's prefix purge (issue 14): `PURGE /articles/` with `Purge-Prefix: 1` purges that
path prefix on the request's Host (the admin port's prefix=), scoped to the Host's site; unclear
combinations are refused with 400 and purge nothing."""
import json

from lacq import cache_status, ok, request
from test_site_purge import config


def is_hit(r):
    return cache_status(r).get("hit") is True


def purge(l, host, path, headers):
    r = request(l.port, "PURGE", path, headers=[("Authorization", "Bearer token-a")] + list(headers), host=host)
    return r, (json.loads(r.body) if r.body else None)


def test_purge_prefix_header_purges_a_path_prefix_on_that_host(origin, start_lacquer):
    l = start_lacquer(origin.port, config_text=config(origin.port))
    paths = ["/articles/1", "/articles/2?page=2", "/articlesX", "/other"]
    for p in paths:
        origin.script(p.split("?")[0], ok("v"))
    for host in ("site-a.test", "site-b.test"):
        for p in paths:
            assert l.get(p, host=host).status == 200
            assert is_hit(l.get(p, host=host))
    r, body = purge(l, "site-a.test", "/articles/", [("Purge-Prefix", "1")])
    assert r.status == 200, r
    assert body["purged"] == "prefix", body
    assert not is_hit(l.get("/articles/1", host="site-a.test"))
    assert not is_hit(l.get("/articles/2?page=2", host="site-a.test"))
    assert is_hit(l.get("/articlesX", host="site-a.test"))  # segment boundary
    assert is_hit(l.get("/other", host="site-a.test"))
    for p in paths:  # another Host, another site: untouched
        assert is_hit(l.get(p, host="site-b.test")), p


def test_unclear_prefix_purges_are_refused(origin, start_lacquer):
    l = start_lacquer(origin.port, config_text=config(origin.port))
    origin.script("/keep/x", ok("v"))
    assert l.get("/keep/x", host="site-a.test").status == 200
    for path, headers, says in [
        ("/keep/", [("Purge-Prefix", "1"), ("Purge-All", "1")], "Purge-Prefix and Purge-All"),
        ("/keep/", [("Purge-Prefix", "1"), ("Surrogate-Key", "t")], "Purge-Prefix and Surrogate-Key"),
        ("/keep/", [("Purge-Prefix", "maybe")], "not understood"),
        ("/keep/?a=1", [("Purge-Prefix", "1")], "without a query"),
    ]:
        r, body = purge(l, "site-a.test", path, headers)
        assert r.status == 400, (headers, r)
        assert says in body["error"], body
    assert is_hit(l.get("/keep/x", host="site-a.test"))
