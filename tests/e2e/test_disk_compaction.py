"""The disk tier's compaction filter, end to end: records that can never be served again (purged,
or expired past every stale allowance and [cache] disk_keep_expired) are dropped from disk when
lacquer writes them to a file, here at the flush of a clean stop, so after a restart the disk
tier no longer even finds them."""
import json

from lacq import assert_stored_miss, cache_status, ok, request


def is_hit(r):
    return cache_status(r).get("hit") is True


def store(lacquer, origin, path, body, headers=()):
    origin.script(path, ok(body, headers=list(headers)))
    assert_stored_miss(lacquer.get(path))


def test_a_purged_record_is_dropped_from_disk_at_the_flush(origin, start_lacquer, tmp_path, prefix):
    state = tmp_path / "state"
    first = start_lacquer(origin.port, state_dir=state)
    store(first, origin, prefix + "/purged", "old", [("Surrogate-Key", "drop-me")])
    store(first, origin, prefix + "/kept", "kept", [("Surrogate-Key", "keep-me")])
    first.expect_stat("lacquer_disk_writes_total", 2)
    r = request(first.port, "PURGE", "/", headers=[("Surrogate-Key", "drop-me")])
    assert r.status == 200 and json.loads(r.body)["seq"] >= 1
    assert first.terminate() == 0  # the clean stop flushes the memtable through the filter

    second = start_lacquer(origin.port, state_dir=state)
    kept = second.get(prefix + "/kept")
    assert is_hit(kept) and kept.body == b"kept"
    origin.script(prefix + "/purged", ok("new"))
    fresh = second.get(prefix + "/purged")
    assert not is_hit(fresh) and fresh.body == b"new"
    # The disk tier found the kept record only: the purged one was gone, not found and refused.
    second.expect_stat("lacquer_disk_hits_total", 1)
    assert second.metric("lacquer_purge_invalid_entries_total") == 0


def test_a_record_expired_past_keep_is_dropped_and_a_kept_one_is_not(origin, start_lacquer, tmp_path,
                                                                      prefix):
    state = tmp_path / "state"
    config = '[cache]\ndisk_keep_expired = "0s"\n'
    first = start_lacquer(origin.port, state_dir=state, config_text=config)
    # Already 100 s old with a 60 s lifetime: stored, but useless on arrival.
    origin.script(prefix + "/old", ok("old", max_age=60, headers=[("Age", "100")]))
    first.get(prefix + "/old")
    store(first, origin, prefix + "/young", "young")
    first.expect_stat("lacquer_cache_stored_total", 2)
    first.expect_stat("lacquer_disk_writes_total", 2)
    assert first.terminate() == 0

    second = start_lacquer(origin.port, state_dir=state, config_text=config)
    assert is_hit(second.get(prefix + "/young"))
    origin.script(prefix + "/old", ok("refetched"))
    assert second.get(prefix + "/old").body == b"refetched"
    second.expect_stat("lacquer_disk_hits_total", 1)
    # The dropped record is not even looked for: the presence filter, loaded from what is on
    # disk, knows it is gone (storage/presence_filter.h); the kept one was a disk hit.
    assert second.metric("lacquer_disk_misses_total") <= 1


def test_disk_metrics_are_exported(lacquer):
    for name in ("lacquer_disk_writable", "lacquer_disk_write_errors_total", "lacquer_disk_budget_bytes",
                 "lacquer_disk_compaction_drops_total", "lacquer_disk_scrub_rewrites_total",
                 "lacquer_disk_large_commits_total", "lacquer_disk_checksum_failures_total",
                 "lacquer_disk_bytes", "lacquer_disk_objects"):
        assert lacquer.metric(name) is not None, name
    assert lacquer.metric("lacquer_disk_writable") == 1
    assert lacquer.metric("lacquer_disk_budget_bytes") == 1 << 30
