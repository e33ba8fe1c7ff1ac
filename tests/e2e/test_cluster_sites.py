"""Site-scoped purges across a fleet (issue 14 with the cluster of issue 15): a site's purge-all
and a site's tag purge travel through a real redis-server with their site (scope=all/tag plus
site=<name>) and are replayed on the other node as site-scoped purges: the other site's copies
stay hits there too."""
import json
import re

import lacq
from lacq import cache_status, ok, wait_until
from test_cluster import node_config, redis  # noqa: F401 (redis is a fixture)
from test_sites import pool, site


def is_hit(node, path, host):
    return cache_status(node.get(path, host=host)).get("hit") is True


def test_site_scoped_purges_replay_as_site_scoped_on_other_nodes(start_lacquer, origin, redis, tmp_path, request):
    send = lacq.request
    stream = "t:" + re.sub(r"[^A-Za-z0-9_]", "_", request.node.name)
    nodes = [start_lacquer(origin.port, config_text=node_config(redis.port, name, stream) + pool("p", [origin.port]) +
                           site("a", ["site-a.test"], "p") + site("b", ["site-b.test"], "p"),
                           state_dir=tmp_path / name) for name in ("n1", "n2")]
    n1, n2 = nodes
    origin.script("/all", ok("v"))
    origin.script("/tagged", ok("v", headers=[["Surrogate-Key", "shared"]]))
    for n in nodes:
        for host in ("site-a.test", "site-b.test"):
            for path in ("/all", "/tagged"):
                n.get(path, host=host)
                assert is_hit(n, path, host)
    # Site a's purge-all, on n1.
    r = send(n1.port, "PURGE", "/", headers=[("Purge-All", "1")], host="site-a.test")
    assert r.status == 200 and json.loads(r.body)["tags"] == ["site:a"], r
    wait_until(lambda: not is_hit(n2, "/all", "site-a.test"), message="site a purged on n2")
    assert is_hit(n2, "/all", "site-b.test")
    assert is_hit(n1, "/all", "site-b.test")
    fields = redis.stream_entries(stream)[-1][1]
    assert fields.get("scope") == "all" and fields.get("site") == "a", fields
    # Site b's tag, on n1: n2 drops site b's tagged copy, keeps site a's (fetched again after
    # site a's purge-all, which covered it).
    n2.get("/tagged", host="site-a.test")
    assert is_hit(n2, "/tagged", "site-a.test")
    assert is_hit(n2, "/tagged", "site-b.test")
    r = send(n1.port, "PURGE", "/", headers=[("Surrogate-Key", "shared")], host="site-b.test")
    assert r.status == 200, r
    wait_until(lambda: not is_hit(n2, "/tagged", "site-b.test"), message="site b's tag purged on n2")
    assert is_hit(n2, "/tagged", "site-a.test")
    fields = redis.stream_entries(stream)[-1][1]
    assert fields.get("scope") == "tag" and fields.get("tags") == "shared" and fields.get("site") == "b", fields
