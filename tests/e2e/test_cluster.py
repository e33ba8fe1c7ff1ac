"""A fleet of lacquers sharing purges through a real redis-server (issue 15): fan-out, catch-up
after SIGKILL, Redis down and back, gaps (Redis restarted empty, stream trimmed), malformed
events, "Purge-Wait: all", and a Redis that is unreachable or refuses the password at start."""
import json
import random
import re
import signal
import threading

import pytest

from lacq import admin_get, cache_status, metrics, ok, request, wait_until
from redis_server import RedisServer, free_port


@pytest.fixture
def redis(tmp_path):
    r = RedisServer(tmp_path / "redis")
    yield r
    r.stop()


def node_config(redis_port, node, stream, extra="", password=None):
    auth = 'password = "%s"\n' % password if password else ""
    return ('[cluster]\nredis = "127.0.0.1:%d"\nnode = "%s"\nstream = "%s"\n'
            'connect_timeout = "500ms"\nwait_timeout = "3s"\n%s%s' % (redis_port, node, stream, auth, extra))


class Fleet:
    def __init__(self, start_lacquer, origin, redis, tmp_path, stream, extra=""):
        self.start_lacquer, self.origin, self.redis = start_lacquer, origin, redis
        self.tmp_path, self.stream, self.extra = tmp_path, stream, extra
        self.nodes = {}

    def start(self, name, **kw):
        port = kw.pop("redis_port", self.redis.port)
        n = self.start_lacquer(self.origin.port,
                               config_text=node_config(port, name, self.stream, self.extra, **kw),
                               state_dir=self.tmp_path / name)
        self.nodes[name] = n
        return n

    def __getitem__(self, name):
        return self.nodes[name]


@pytest.fixture
def fleet(request, start_lacquer, origin, redis, tmp_path):
    stream = "t:" + re.sub(r"[^A-Za-z0-9_]", "_", request.node.name)
    f = Fleet(start_lacquer, origin, redis, tmp_path, stream)
    for name in ("a", "b", "c"):
        f.start(name)
    return f


def purge(node, path="/", headers=()):
    r = request(node.port, "PURGE", path, headers=list(headers))
    assert r.status in (200, 202), r
    return json.loads(r.body)


def tag_version(node, tag):
    r = admin_get(node.admin_port, "/version-of/tag/" + tag)
    return json.loads(r[2])["hard"]


def is_hit(node, path):
    return cache_status(node.get(path)).get("hit") is True


def warm(nodes, origin, path, tags=""):
    origin.script(path, ok("v-" + path, headers=[["Surrogate-Key", tags]] if tags else []))
    for n in nodes:
        n.get(path)
        assert is_hit(n, path), path


def metric(node, name):
    return metrics(node.admin_port).get(name, 0)


def cluster_json(node):
    return json.loads(admin_get(node.admin_port, "/cluster")[2])


# ---------------------------------------------------------------------------------------------

def test_every_form_of_purge_fans_out_to_the_other_nodes(fleet, origin, prefix):
    a, b, c = fleet["a"], fleet["b"], fleet["c"]
    paths = {k: prefix + "/" + k for k in ("tagged", "url", "dir/x", "other")}
    warm([a, b, c], origin, paths["tagged"], "t-fan")
    warm([a, b, c], origin, paths["url"])
    warm([a, b, c], origin, paths["dir/x"])
    warm([a, b, c], origin, paths["other"])
    purge(a, headers=[("Surrogate-Key", "t-fan")])
    purge(b, paths["url"])
    r = request(c.admin_port, "POST", "/purge/prefix?prefix=http://example.com" + prefix + "/dir/")
    assert r.status == 200
    for n in (a, b, c):
        wait_until(lambda: not is_hit(n, paths["tagged"]), message="tag purge on every node")
        wait_until(lambda: not is_hit(n, paths["url"]), message="url purge on every node")
        wait_until(lambda: not is_hit(n, paths["dir/x"]), message="prefix purge on every node")
        assert is_hit(n, paths["other"])
    for name, n in fleet.nodes.items():
        assert metric(n, "lacquer_cluster_events_applied_total") == 2, name
        assert metric(n, 'lacquer_cluster_events_skipped_total{reason="own"}') == 1, name
        assert metric(n, "lacquer_cluster_connected") == 1
    # A soft purge of everything stays soft on the other nodes.
    purge(a, headers=[("Purge-All", "1"), ("Soft-Purge", "1")])
    entries = fleet.redis.stream_entries(fleet.stream)
    assert entries[-1][1] == {"v": "1", "kind": "purge", "node": "a", "scope": "all", "soft": "1"}
    for n in (b, c):
        wait_until(lambda: not is_hit(n, paths["other"]), message="soft purge-all applied")
        assert metric(n, 'lacquer_purge_stale_entries_total') >= 1  # soft: found stale, not invalid


def test_purges_from_the_stream_are_listed_on_the_dashboard_with_their_node(fleet, prefix):
    a, b = fleet["a"], fleet["b"]
    purge(a, headers=[("Surrogate-Key", "t-listed")])

    def listed():
        recent = json.loads(admin_get(b.admin_port, "/stats.json")[2])["recent_purges"]
        return [p for p in recent if p["label"] == "t-listed"]

    got = wait_until(listed, message="node b lists node a's purge")
    assert got[0]["scope"] == "tag" and got[0]["from"] == "a" and got[0]["soft"] is False
    own = json.loads(admin_get(a.admin_port, "/stats.json")[2])["recent_purges"]
    assert [p["from"] for p in own if p["label"] == "t-listed"] == [""]


def test_purge_wait_all_answers_once_every_live_node_applied(fleet, origin, prefix):
    a = fleet["a"]
    r = request(a.port, "PURGE", "/", headers=[("Surrogate-Key", "t-wait"), ("Purge-Wait", "all")])
    assert r.status == 200, r
    body = json.loads(r.body)
    assert body["everywhere"] is True and body["lagging"] == []
    # Every node has it now, with no polling.
    for n in fleet.nodes.values():
        assert tag_version(n, "t-wait") > 0
    status = cluster_json(a)
    assert sorted(n["node"] for n in status["nodes"]) == ["a", "b", "c"]
    assert all(n["live"] for n in status["nodes"])
    # A node that stops reading (SIGSTOP) but still counts as live is named after the timeout.
    c = fleet["c"]
    c.proc.send_signal(signal.SIGSTOP)
    try:
        r = request(a.port, "PURGE", "/", headers=[("Surrogate-Key", "t-wait2"), ("Purge-Wait", "all")])
        body = json.loads(r.body)
        # c's heartbeat is at most 1 s old when the purge starts: live for the 3 s live window,
        # which the 3 s wait_timeout reaches first... or c is already counted down. Either way
        # b applied it, and the answer is honest about c.
        if r.status == 202:
            assert body["everywhere"] is False and body["lagging"] == ["c"]
        else:
            assert r.status == 200 and body["everywhere"] is True
        assert tag_version(fleet["b"], "t-wait2") > 0
    finally:
        c.proc.send_signal(signal.SIGCONT)
    assert metric(a, "lacquer_cluster_waits_everywhere_total") >= 1


def test_a_node_killed_during_purges_catches_up_before_it_reports_ready(fleet, origin, prefix):
    a, c = fleet["a"], fleet["c"]
    sent = []
    twenty = threading.Event()

    def sender():
        for i in range(60):
            purge(a, headers=[("Surrogate-Key", "t-kill-%d" % i)])
            sent.append(i)
            if i == 20:
                twenty.set()

    t = threading.Thread(target=sender)
    t.start()
    assert twenty.wait(10)
    c.proc.send_signal(signal.SIGKILL)  # while a keeps purging
    c.proc.wait()
    t.join(30)
    assert len(sent) == 60
    c2 = fleet.start("c")  # same state dir
    # Ready means caught up: no waiting here.
    for i in range(60):
        assert tag_version(c2, "t-kill-%d" % i) > 0, i
    assert admin_get(c2.admin_port, "/healthz")[0] == 200
    assert metric(c2, "lacquer_cluster_gap_purges_total") == 0
    # Exactly once: the restarted node applies only what its last committed batch did not cover.
    assert metric(c2, "lacquer_cluster_events_applied_total") < 60


def test_redis_down_purges_queue_and_are_delivered_in_order(fleet, origin, prefix):
    a, b = fleet["a"], fleet["b"]
    fleet.redis.stop()
    wait_until(lambda: metric(a, "lacquer_cluster_connected") == 0, message="a sees Redis down")
    for i in range(5):
        r = request(a.port, "PURGE", "/", headers=[("Surrogate-Key", "t-down-%d" % i)])
        assert r.status == 200  # applied locally and durable, queued for the stream
    assert tag_version(a, "t-down-4") > 0
    wait_until(lambda: metric(a, "lacquer_cluster_outbox_depth") == 5, message="5 queued")
    assert tag_version(b, "t-down-0") == 0
    fleet.redis.start()  # same port, same data (append-only file)
    wait_until(lambda: tag_version(b, "t-down-4") > 0, deadline=10, message="b gets the queued purges")
    purges = [f["tags"] for _, f in fleet.redis.stream_entries(fleet.stream) if f.get("kind") == "purge"]
    assert purges == ["t-down-%d" % i for i in range(5)]
    assert metric(a, "lacquer_cluster_outbox_depth") == 0
    assert metric(a, "lacquer_cluster_events_published_total") == 5
    for n in fleet.nodes.values():
        assert metric(n, "lacquer_cluster_gap_purges_total") == 0


def test_a_crash_between_local_commit_and_publish_publishes_at_restart(start_lacquer, origin, redis, tmp_path):
    stream = "t:crash"
    port = redis.port
    redis.stop()  # nothing can be published
    a = start_lacquer(origin.port, config_text=node_config(port, "a", stream), state_dir=tmp_path / "a")
    r = request(a.port, "PURGE", "/", headers=[("Surrogate-Key", "t-crash")])
    assert r.status == 200
    a.proc.send_signal(signal.SIGKILL)
    a.proc.wait()
    redis.start()
    a2 = start_lacquer(origin.port, config_text=node_config(port, "a", stream), state_dir=tmp_path / "a")
    wait_until(lambda: any(f.get("tags") == "t-crash" for _, f in redis.stream_entries(stream)),
               message="the outbox entry reaches the stream")
    wait_until(lambda: metric(a2, "lacquer_cluster_outbox_depth") == 0)


def test_redis_restarted_empty_causes_a_conservative_purge_everywhere(fleet, origin, prefix):
    path = prefix + "/kept"
    warm(fleet.nodes.values(), origin, path)
    fleet.redis.stop()
    fleet.redis.drop_data()
    fleet.redis.start()
    for name, n in fleet.nodes.items():
        wait_until(lambda: metric(n, "lacquer_cluster_gap_purges_total") == 1, deadline=10,
                   message="gap purge on " + name)
        assert not is_hit(n, path)
        assert any("GAP (lost)" in line for line in n.lines), name
    # The fleet works on the new stream.
    purge(fleet["a"], headers=[("Surrogate-Key", "t-after-gap")])
    wait_until(lambda: tag_version(fleet["c"], "t-after-gap") > 0)


def test_a_stream_trimmed_past_a_stopped_node_causes_a_conservative_purge(start_lacquer, origin, redis, tmp_path, prefix):
    f = Fleet(start_lacquer, origin, redis, tmp_path, "t:trim", extra="trim_max_length = 4\n")
    a, b = f.start("a"), f.start("b")
    path = prefix + "/obj"
    warm([b], origin, path)
    assert b.terminate() == 0
    for i in range(40):
        purge(a, headers=[("Surrogate-Key", "t-trim-%d" % i)])
    assert int(redis.cli("XLEN", "t:trim")) < 20  # MAXLEN ~ 4 trimmed it
    b2 = f.start("b")
    assert metric(b2, "lacquer_cluster_gap_purges_total") == 1
    assert any("GAP (trimmed)" in line for line in b2.lines), b2.text()
    assert not is_hit(b2, path)
    assert metric(a, "lacquer_cluster_gap_purges_total") == 0


def test_malformed_and_unknown_events_are_counted_logged_once_and_skipped(fleet, origin, prefix):
    a = fleet["a"]
    s = fleet.stream
    fleet.redis.cli("XADD", s, "*", "v", "1", "kind", "purge", "scope", "bogus")
    fleet.redis.cli("XADD", s, "*", "v", "1", "kind", "purge", "scope", "bogus")
    fleet.redis.cli("XADD", s, "*", "v", "2", "kind", "purge", "scope", "all")
    fleet.redis.cli("XADD", s, "*", "v", "1", "kind", "rename")
    fleet.redis.cli("XADD", s, "*", "v", "1", "kind", "purge", "scope", "url")  # no url
    fleet.redis.cli("XADD", s, "*", "garbage", "x")
    # An external publisher (no node field), after the junk: applied.
    fleet.redis.cli("XADD", s, "*", "v", "1", "kind", "purge", "scope", "tag", "tags", "t-cms other")
    wait_until(lambda: tag_version(a, "t-cms") > 0, message="the CMS event applied after the junk")
    assert metric(a, 'lacquer_cluster_events_skipped_total{reason="unknown_scope"}') == 2
    assert metric(a, 'lacquer_cluster_events_skipped_total{reason="unknown_version"}') == 1
    assert metric(a, 'lacquer_cluster_events_skipped_total{reason="unknown_kind"}') == 1
    assert metric(a, 'lacquer_cluster_events_skipped_total{reason="malformed"}') == 2
    assert sum("skipped stream entry" in l and "unknown_scope" in l for l in a.lines) == 1
    assert tag_version(a, "other") > 0


def test_a_thousand_purges_across_nodes_leave_every_node_with_the_same_verdicts(fleet, origin, prefix):
    nodes = list(fleet.nodes.values())
    rng = random.Random(15)
    objects = [("%s/o%d" % (prefix, i), "g%d g%d" % (i % 7, i % 11)) for i in range(30)]
    for path, tags in objects:
        warm(nodes, origin, path, tags)
    purged_tags = set()
    for i in range(1000):
        tag = "g%d" % rng.randrange(40) if rng.random() < 0.05 else "x%d" % i
        if tag.startswith("g"):
            purged_tags.add(tag)
        purge(nodes[i % 3], headers=[("Surrogate-Key", tag)])
    r = request(nodes[0].port, "PURGE", "/", headers=[("Surrogate-Key", "last"), ("Purge-Wait", "all")])
    assert r.status == 200, r
    for path, tags in objects:
        expected_hit = not (set(tags.split()) & purged_tags)
        verdicts = [is_hit(n, path) for n in nodes]
        assert verdicts == [expected_hit] * 3, (path, tags, verdicts)


def test_wrong_password_at_start_serves_and_says_disconnected(start_lacquer, origin, tmp_path, prefix):
    r = RedisServer(tmp_path / "redis-auth", password="right")
    try:
        n = start_lacquer(origin.port, config_text=node_config(r.port, "a", "t:auth", password="wrong"),
                          state_dir=tmp_path / "a")
        origin.script(prefix + "/x", ok("x"))
        assert n.get(prefix + "/x").status == 200
        assert metric(n, "lacquer_cluster_connected") == 0
        assert request(n.port, "PURGE", "/", headers=[("Surrogate-Key", "t-auth")]).status == 200
        wait_until(lambda: metric(n, "lacquer_cluster_outbox_depth") == 1, message="queued")
        assert any("AUTH refused" in line for line in n.lines)
        wait_until(lambda: metric(n, "lacquer_cluster_connect_failures_total") >= 2, message="retries")
        # With the right password, the purge is published.
        good = start_lacquer(origin.port, config_text=node_config(r.port, "b", "t:auth", password="right"),
                             state_dir=tmp_path / "b")
        assert metric(good, "lacquer_cluster_connected") == 1
    finally:
        r.stop()


def test_unreachable_redis_at_start_serves_retries_and_joins_when_it_appears(start_lacquer, origin, tmp_path, prefix):
    port = free_port()
    n = start_lacquer(origin.port, config_text=node_config(port, "a", "t:late"), state_dir=tmp_path / "a")
    assert metric(n, "lacquer_cluster_connected") == 0
    assert admin_get(n.admin_port, "/healthz")[0] == 200  # serving
    origin.script(prefix + "/x", ok("x"))
    n.get(prefix + "/x")
    assert is_hit(n, prefix + "/x")
    assert request(n.port, "PURGE", "/", headers=[("Surrogate-Key", "t-late")]).status == 200
    r = RedisServer(tmp_path / "redis-late", port=port)
    try:
        wait_until(lambda: metric(n, "lacquer_cluster_connected") == 1, deadline=10, message="connected")
        wait_until(lambda: any(f.get("tags") == "t-late" for _, f in r.stream_entries("t:late")))
        # It cached while it could not read the stream: the join is a conservative purge.
        assert metric(n, "lacquer_cluster_gap_purges_total") == 1
        assert not is_hit(n, prefix + "/x")
    finally:
        r.stop()


def test_two_tiers_on_one_stream_a_purge_at_any_node_clears_every_tier(start_lacquer, origin, redis, tmp_path, prefix):
    """Two edges in front of two shields (a fixed mapping: edge-1 -> shield-1, edge-2 -> shield-2),
    all four on one stream. The shields pass Surrogate-Key on so the edges can tag their copies."""
    def start(name, upstream_port, extra=""):
        return start_lacquer(upstream_port, config_text=node_config(redis.port, name, "t:tiers") + extra,
                             state_dir=tmp_path / name)
    keep = "\n[cache]\nkeep_surrogate_headers = true\n"

    def own_status(r):
        # RFC 9211: each cache appends its member; the edge's own is the last one.
        return [p.strip() for p in r.headers.get_all("Cache-Status")[-1].split(";")]

    def edge_hit(e):
        return "hit" in own_status(e.get(path))

    def edge_miss(e):
        return "fwd=miss" in own_status(e.get(path))
    shield1, shield2 = start("shield-1", origin.port, keep), start("shield-2", origin.port, keep)
    edge1, edge2 = start("edge-1", shield1.port), start("edge-2", shield2.port)
    path = prefix + "/obj"
    origin.script(path, ok("v", headers=[["Surrogate-Key", "tier-tag"]]))
    for e in (edge1, edge2):
        e.get(path)
        assert edge_hit(e)
    assert origin.count(path) == 2  # one per shield
    # A tag purge at one edge, answered when all four nodes have it.
    r = request(edge1.port, "PURGE", "/", headers=[("Surrogate-Key", "tier-tag"), ("Purge-Wait", "all")])
    assert r.status == 200 and json.loads(r.body)["everywhere"] is True
    for e in (edge1, edge2):
        assert edge_miss(e)
    assert origin.count(path) == 4  # both shields fetched again: the purge reached every tier
    # A URL purge at a shield's admin API clears the edges too.
    for e in (edge1, edge2):
        assert edge_hit(e)
    r = request(shield2.admin_port, "POST", "/purge/url?url=http://example.com" + path,
                headers=[("Purge-Wait", "all")])
    assert r.status == 200 and json.loads(r.body)["everywhere"] is True
    for e in (edge1, edge2):
        assert edge_miss(e)
    assert origin.count(path) == 6
