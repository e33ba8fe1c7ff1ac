"""PURGE by URL, tag, prefix and everything, hard and soft, on the main port and the admin API;
durability across kill -9; who may purge."""
import json
import threading

import pytest

from lacq import admin_get, assert_stored_miss, cache_status, ok, request


def is_hit(r):
    return cache_status(r).get("hit") is True


def purge(lacquer, path="/", headers=None, host="example.com"):
    r = request(lacquer.port, "PURGE", path, headers=headers, host=host)
    return r, (json.loads(r.body) if r.body else None)


def admin_post(lacquer, path):
    r = request(lacquer.admin_port, "POST", path)
    return r, (json.loads(r.body) if r.status == 200 else None)


def warm(lacquer, origin, path, tags=None):
    headers = [["Surrogate-Key", tags]] if tags else []
    origin.script(path, ok("v-" + path, headers=headers))
    assert_stored_miss(lacquer.get(path))
    assert is_hit(lacquer.get(path))


def test_url_purge_drops_the_object_and_answers_with_its_sequence(origin, lacquer, prefix):
    path = prefix + "/a?x=1"
    warm(lacquer, origin, path)
    r, body = purge(lacquer, path)
    assert r.status == 200 and r.headers.get("Content-Type") == "application/json"
    assert body["purged"] == "url" and body["url"] == "http://example.com" + path
    assert body["soft"] is False and body["seq"] >= 1
    again = lacquer.get(path)
    assert not is_hit(again) and cache_status(again).get("stored")
    assert origin.count(path) == 2
    # Another query string is another URL: untouched.


def test_purge_of_a_url_never_cached_still_answers_200(lacquer, prefix):
    r, body = purge(lacquer, prefix + "/never")
    assert r.status == 200 and body["purged"] == "url"


def test_tag_purge_covers_every_tagged_object_and_nothing_else(origin, lacquer, prefix):
    warm(lacquer, origin, prefix + "/one", "article-42 section-sport")
    warm(lacquer, origin, prefix + "/two", "section-sport")
    warm(lacquer, origin, prefix + "/three", "article-7")
    r, body = purge(lacquer, "/ignored", headers=[("Surrogate-Key", "section-sport")])
    assert r.status == 200 and body == {"purged": "tag", "tags": ["section-sport"], "soft": False,
                                        "seq": body["seq"]}
    assert not is_hit(lacquer.get(prefix + "/one"))
    assert not is_hit(lacquer.get(prefix + "/two"))
    assert is_hit(lacquer.get(prefix + "/three"))
    lacquer.expect_stat('lacquer_purges_total{scope="tag",kind="hard"}', 1)


def test_several_tags_in_one_purge(origin, lacquer, prefix):
    warm(lacquer, origin, prefix + "/a", "t-a")
    warm(lacquer, origin, prefix + "/b", "t-b")
    r, body = purge(lacquer, headers=[("Surrogate-Key", "t-a  t-b")])
    assert r.status == 200 and body["tags"] == ["t-a", "t-b"]
    assert not is_hit(lacquer.get(prefix + "/a"))
    assert not is_hit(lacquer.get(prefix + "/b"))


def test_surrogate_key_is_not_sent_to_clients(origin, lacquer, prefix):
    origin.script(prefix + "/k", ok("x", headers=[["Surrogate-Key", "a b"]]))
    for _ in range(2):
        r = lacquer.get(prefix + "/k")
        assert "Surrogate-Key" not in r.headers


def test_purge_all(origin, lacquer, prefix):
    warm(lacquer, origin, prefix + "/a")
    warm(lacquer, origin, prefix + "/b", "x")
    r, body = purge(lacquer, headers=[("Purge-All", "1")])
    assert r.status == 200 and body["purged"] == "all"
    assert not is_hit(lacquer.get(prefix + "/a"))
    assert not is_hit(lacquer.get(prefix + "/b"))


def test_soft_purge_makes_the_object_stale_not_gone(origin, lacquer, prefix):
    path = prefix + "/s"
    warm(lacquer, origin, path, "soft-tag")
    r, body = purge(lacquer, headers=[("Surrogate-Key", "soft-tag"), ("Soft-Purge", "1")])
    assert r.status == 200 and body["soft"] is True
    after = lacquer.get(path)
    assert cache_status(after).get("fwd") == "stale"  # revalidated with the origin
    assert origin.count(path) == 2
    assert is_hit(lacquer.get(path))  # the refreshed copy is born after the soft purge
    lacquer.expect_stat('lacquer_purges_total{scope="tag",kind="soft"}', 1)


def test_prefix_purge_on_the_admin_port_follows_segment_boundaries(origin, lacquer, prefix):
    warm(lacquer, origin, prefix + "/dir/a")
    warm(lacquer, origin, prefix + "/dir/sub/b")
    warm(lacquer, origin, prefix + "/dirx")
    r, body = admin_post(lacquer, "/purge/prefix?prefix=http://example.com" + prefix + "/dir/")
    assert r.status == 200 and body["purged"] == "prefix"
    assert body["prefix"] == "http://example.com" + prefix + "/dir"
    assert not is_hit(lacquer.get(prefix + "/dir/a"))
    assert not is_hit(lacquer.get(prefix + "/dir/sub/b"))
    assert is_hit(lacquer.get(prefix + "/dirx"))


def test_admin_tag_url_and_all_purges_and_version_of(origin, lacquer, prefix):
    warm(lacquer, origin, prefix + "/u")
    warm(lacquer, origin, prefix + "/t", "admin-tag")
    r, body = admin_post(lacquer, "/purge/url?url=http://example.com" + prefix + "/u")
    assert r.status == 200 and body["purged"] == "url"
    assert not is_hit(lacquer.get(prefix + "/u"))
    r, tag_body = admin_post(lacquer, "/purge/tag/admin-tag?soft=1")
    assert r.status == 200 and tag_body["soft"] is True
    status, _, text = admin_get(lacquer.admin_port, "/version-of/tag/admin-tag")
    v = json.loads(text)
    assert status == 200 and v["soft"] == tag_body["seq"] and v["hard"] == 0
    status, _, text = admin_get(lacquer.admin_port, "/version-of/url?url=http://example.com" + prefix + "/u")
    assert json.loads(text)["hard"] == body["seq"]
    r, all_body = admin_post(lacquer, "/purge/all")
    assert r.status == 200 and all_body["seq"] > tag_body["seq"]


def test_admin_errors(lacquer):
    assert request(lacquer.admin_port, "POST", "/purge/nothing").status == 404
    assert request(lacquer.admin_port, "GET", "/purge/all").status == 405
    assert request(lacquer.admin_port, "POST", "/version-of/tag/x").status == 405
    assert request(lacquer.admin_port, "POST", "/purge/url?url=/relative").status == 400
    assert request(lacquer.admin_port, "GET", "/no/such/path").status == 404


@pytest.mark.parametrize("value", ["", "   ", "k" * 1025])
def test_bad_surrogate_key_on_purge_is_400_and_purges_nothing(origin, lacquer, prefix, value):
    warm(lacquer, origin, prefix + "/x", "k")
    r, _ = purge(lacquer, headers=[("Surrogate-Key", value)])
    assert r.status == 400
    assert is_hit(lacquer.get(prefix + "/x"))


def test_purge_needs_permission_when_loopback_is_not_trusted(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, config_text='[purge]\nallow_loopback = false\ntoken = "s3cret"\n')
    warm(lacquer, origin, prefix + "/p")
    r, _ = purge(lacquer, prefix + "/p")
    assert r.status == 403
    r, _ = purge(lacquer, prefix + "/p", headers=[("Authorization", "Bearer wrong!")])
    assert r.status == 403
    assert is_hit(lacquer.get(prefix + "/p"))  # nothing was purged
    r, body = purge(lacquer, prefix + "/p", headers=[("Authorization", "Bearer s3cret")])
    assert r.status == 200 and body["purged"] == "url"
    assert not is_hit(lacquer.get(prefix + "/p"))


def test_purge_during_an_in_flight_fetch_invalidates_what_it_brings_back(origin, lacquer, prefix):
    path = prefix + "/slow"
    origin.script(path, ok("old", hold="slow", headers=[["Surrogate-Key", "slow-tag"]]), ok("new"))
    got = {}
    t = threading.Thread(target=lambda: got.setdefault("r", lacquer.get(path)))
    t.start()
    lacquer.expect_stat("lacquer_origin_fetches_total", lambda v: v >= 1)
    r, _ = purge(lacquer, headers=[("Surrogate-Key", "slow-tag")])
    assert r.status == 200
    origin.open("slow")
    t.join(10)
    assert got["r"].body == b"old"  # the client that asked before the purge gets its answer
    after = lacquer.get(path)
    assert after.body == b"new" and not is_hit(after)


def test_acknowledged_purges_survive_kill_9(origin, start_lacquer, tmp_path, prefix):
    state = tmp_path / "shared-state"
    first = start_lacquer(origin.port, state_dir=state)
    warm(first, origin, prefix + "/kept", "keep-me")
    warm(first, origin, prefix + "/gone", "purge-me")
    first.expect_stat("lacquer_disk_writes_total", lambda v: v >= 2)  # both reached the disk tier
    # ... and a table file (entries skip the WAL; the writer flushes once writes stop): the purged
    # object is on disk when lacquer dies, and only the purge's version keeps it from coming back.
    first.expect_stat("lacquer_disk_unflushed_entries", 0, deadline=15)
    r, _ = purge(first, headers=[("Surrogate-Key", "purge-me")])
    assert r.status == 200
    seqs = []
    for i in range(20):
        r, body = purge(first, headers=[("Surrogate-Key", "durable-%d" % i)])
        assert r.status == 200
        seqs.append(body["seq"])
    first.proc.kill()
    first.proc.wait()
    second = start_lacquer(origin.port, state_dir=state)
    # The unpurged object comes back from disk; the purged one never does.
    kept = second.get(prefix + "/kept")
    assert is_hit(kept) and kept.body == ("v-" + prefix + "/kept").encode()
    assert not is_hit(second.get(prefix + "/gone"))
    assert origin.count(prefix + "/gone") == 2 and origin.count(prefix + "/kept") == 1
    for i, seq in enumerate(seqs):
        status, _, text = admin_get(second.admin_port, "/version-of/tag/durable-%d" % i)
        assert status == 200 and json.loads(text)["hard"] == seq
    # Sequence numbers never go back after a restart.
    r, body = purge(second, headers=[("Purge-All", "1")])
    assert body["seq"] > max(seqs)


def test_purge_that_cannot_be_made_durable_is_503(origin, start_lacquer, prefix, monkeypatch):
    monkeypatch.setenv("LACQUER_FAULTS", "purge-writes")
    lacquer = start_lacquer(origin.port)
    r, _ = purge(lacquer, headers=[("Surrogate-Key", "t")])
    assert r.status == 503 and b"not acknowledged" in r.body
    lacquer.expect_stat("lacquer_purges_failed_total", 1)


def test_a_purge_lost_in_a_crash_leaves_no_sequence_number_to_reuse(origin, start_lacquer, tmp_path,
                                                                      prefix, monkeypatch):
    """A purge applied in memory whose write never became durable (here it fails: 503) has still
    handed out its sequence number, and an object fetched after it is born with that number. Once
    the process dies and comes back, the next acknowledged purge must reach that object, so it
    must not be given the lost purge's number again."""
    state = tmp_path / "lost-purge"
    monkeypatch.setenv("LACQUER_FAULTS", "purge-writes")
    first = start_lacquer(origin.port, state_dir=state)
    r = request(first.port, "PURGE", "/", headers=[("Surrogate-Key", "elsewhere")])
    assert r.status == 503
    path = prefix + "/born-after-the-lost-purge"
    warm(first, origin, path)
    first.expect_stat("lacquer_disk_writes_total", lambda v: v >= 1)  # it reached the disk tier
    first.expect_stat("lacquer_disk_unflushed_entries", 0, deadline=15)  # ... and a table file
    first.proc.kill()
    first.proc.wait()
    monkeypatch.delenv("LACQUER_FAULTS")
    second = start_lacquer(origin.port, state_dir=state)
    assert is_hit(second.get(path))  # it came back from disk
    r, body = purge(second, path)
    assert r.status == 200 and body["purged"] == "url"
    assert not is_hit(second.get(path))
    assert origin.count(path) == 2


def test_background_sweep_reclaims_purged_objects_nobody_asks_for(origin, lacquer, prefix):
    for i in range(10):
        warm(lacquer, origin, "%s/sw%d" % (prefix, i), "sweep-me")
    warm(lacquer, origin, prefix + "/other", "stays")
    lacquer.expect_stat("lacquer_cache_objects", 11)
    r, _ = purge(lacquer, headers=[("Surrogate-Key", "sweep-me")])
    assert r.status == 200
    lacquer.expect_stat("lacquer_sweep_dropped_total", 10)
    lacquer.expect_stat("lacquer_cache_objects", 1)
    assert lacquer.metric("lacquer_sweep_reclaimed_bytes_total") > 0
    assert is_hit(lacquer.get(prefix + "/other"))
