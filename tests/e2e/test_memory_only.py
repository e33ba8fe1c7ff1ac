"""Memory-only mode (`--disk 0`): no disk tier at all (no entry written to RocksDB, no presence
filter, no reader threads), hits from memory, purges still durable across kill -9; and disk
admission: once the disk tier has filled its budget, a response is written on its second fetch."""
import json
import os

from lacq import admin_get, assert_stored_miss, cache_status, ok, request, wait_until


def is_hit(r):
    return cache_status(r).get("hit") is True


def fill(lacquer, origin, prefix, n, size):
    for i in range(n):
        path = "%s/obj%d" % (prefix, i)
        origin.script(path, ok(body_size=size))
        assert_stored_miss(lacquer.get(path))


def state_bytes(state):
    """Bytes of RocksDB data in the state directory: WAL and table files (not the info LOGs)."""
    return sum(os.path.getsize(os.path.join(state, f)) for f in os.listdir(state)
               if f.endswith(".log") or f.endswith(".sst"))


def threads(lacquer):
    return len(os.listdir("/proc/%d/task" % lacquer.proc.pid))


def test_memory_only_writes_no_entries_and_runs_no_disk_threads(origin, start_lacquer, tmp_path, prefix):
    n, size = 100, 32 * 1024  # 3.2 MB of bodies
    off_state, on_state = tmp_path / "off", tmp_path / "on"
    off = start_lacquer(origin.port, extra_args=["--disk", "0"], state_dir=off_state)
    on = start_lacquer(origin.port, extra_args=["--disk", "64M"], state_dir=on_state)
    assert "memory only (no disk tier)" in off.text()
    fill(off, origin, prefix + "/off", n, size)
    fill(on, origin, prefix + "/on", n, size)
    for i in range(n):  # every object is a memory hit
        r = off.get("%s/off/obj%d" % (prefix, i))
        assert is_hit(r) and len(r.body) == size
    assert origin.count() == 2 * n
    m = off.metric
    assert m("lacquer_disk_budget_bytes") == 0
    assert m("lacquer_disk_writes_total") is None and m("lacquer_disk_lookups_total") is None
    assert m("lacquer_state_memtable_bytes") < 256 * 1024  # the purge memtable only
    # The same fill with a disk tier: the entries reach RocksDB, so the measures below can see them.
    on.expect_stat("lacquer_disk_writes_total", n)
    assert on.metric("lacquer_disk_write_bytes_total") > n * size
    # No writer, readers, scrubber or filter loader: several threads fewer.
    assert threads(off) <= threads(on) - 3
    assert off.terminate() == 0 and on.terminate() == 0
    assert state_bytes(off_state) < 256 * 1024
    # Table files (entries skip the WAL; the clean stop flushed them): the fill is compressible,
    # so far fewer bytes than the bodies, but far more than the purge log of the memory-only run.
    assert state_bytes(on_state) > state_bytes(off_state) + 32 * 1024


def test_memory_only_purges_survive_kill_9_and_restart_is_cold(origin, start_lacquer, tmp_path, prefix):
    state = tmp_path / "state"
    first = start_lacquer(origin.port, extra_args=["--disk", "0"], state_dir=state)
    origin.script(prefix + "/a", ok("a", headers=[["Surrogate-Key", "mo-tag"]]))
    assert_stored_miss(first.get(prefix + "/a"))
    assert is_hit(first.get(prefix + "/a"))
    r = request(first.port, "PURGE", "/", headers=[("Surrogate-Key", "mo-tag")])
    assert r.status == 200
    seq = json.loads(r.body)["seq"]
    assert not is_hit(first.get(prefix + "/a"))  # the purge took effect
    first.proc.kill()
    first.proc.wait()
    second = start_lacquer(origin.port, extra_args=["--disk", "0"], state_dir=state)
    status, _, text = admin_get(second.admin_port, "/version-of/tag/mo-tag")
    assert status == 200 and json.loads(text)["hard"] == seq
    # What you lose: nothing was on disk, so the restart starts cold.
    assert not is_hit(second.get(prefix + "/a"))
    assert origin.count(prefix + "/a") == 3
    r = request(second.port, "PURGE", "/", headers=[("Purge-All", "1")])
    assert json.loads(r.body)["seq"] > seq  # sequence numbers never go back


def admissions(lacquer, decision):
    return lacquer.metric('lacquer_disk_admissions_total{decision="%s"}' % decision)


def evict_from_memory(lacquer, origin, prefix, size):
    """Fetches enough fresh objects to push everything older out of a 1M memory tier: five times
    what it holds, as eviction takes one object per shard in turn and SIEVE's hand in each."""
    before = lacquer.metric("lacquer_cache_evictions_total")
    fill(lacquer, origin, prefix, 80, size)
    assert lacquer.metric("lacquer_cache_evictions_total") >= before + 64


def test_a_full_disk_takes_a_response_on_its_second_fetch(origin, start_lacquer, prefix):
    size = 64 * 1024
    # Plain SIEVE in memory: evict_from_memory() pushes objects out with objects requested once,
    # which memory admission would refuse instead.
    lacquer = start_lacquer(origin.port, extra_args=["--memory", "1M", "--disk", "1M"],
                            config_text="[cache]\nmemory_admission = false\n")
    fill(lacquer, origin, prefix + "/fill", 24, size)  # 1.5 MB: the disk has filled its budget once
    assert admissions(lacquer, "admitted") >= 15 and admissions(lacquer, "rejected") >= 1
    path = prefix + "/twice"
    origin.script(path, ok(body_size=size))
    rejected = admissions(lacquer, "rejected")
    assert_stored_miss(lacquer.get(path))  # first fetch: memory only
    assert admissions(lacquer, "rejected") == rejected + 1
    evict_from_memory(lacquer, origin, prefix + "/e1", size)
    admitted = admissions(lacquer, "admitted")
    assert_stored_miss(lacquer.get(path))  # second fetch: now it goes to disk
    assert admissions(lacquer, "admitted") == admitted + 1
    wait_until(lambda: lacquer.metric("lacquer_disk_write_queue_depth") == 0, message="disk writer idle")
    evict_from_memory(lacquer, origin, prefix + "/e2", size)
    disk_hits = lacquer.metric("lacquer_cache_disk_hits_total")
    r = lacquer.get(path)
    assert is_hit(r) and len(r.body) == size
    assert lacquer.metric("lacquer_cache_disk_hits_total") == disk_hits + 1
    assert origin.count(path) == 2
    # Device bytes are table files (entries skip the WAL): there once the writer's idle flush ran;
    # LZ4 shrinks these one-byte bodies, so well under one device byte per byte of entries.
    lacquer.expect_stat("lacquer_disk_unflushed_entries", 0, deadline=15)
    assert 0 < lacquer.metric("lacquer_disk_write_amplification") < 1.0
    assert lacquer.metric("lacquer_disk_write_bytes_per_hit") > 0


def test_disk_admit_all_writes_every_response(origin, start_lacquer, prefix):
    size = 64 * 1024
    lacquer = start_lacquer(origin.port, extra_args=["--memory", "1M", "--disk", "1M"],
                            config_text="[cache]\ndisk_admit_all = true\n")
    fill(lacquer, origin, prefix + "/fill", 40, size)
    lacquer.expect_stat('lacquer_disk_admissions_total{decision="admitted"}', 40)
    assert admissions(lacquer, "rejected") == 0
