"""The disk tier: what was stored survives a restart (SIGTERM, or kill -9 once flushed) and is served at once."""
from lacq import assert_stored_miss, cache_status, ok


def is_hit(r):
    return cache_status(r).get("hit") is True


def fill(lacquer, origin, prefix, n):
    for i in range(n):
        path = "%s/obj%d" % (prefix, i)
        origin.script(path, ok("body-%d" % i))
        assert_stored_miss(lacquer.get(path))
    lacquer.expect_stat("lacquer_disk_writes_total", lambda v: v >= n)


def test_warm_restart_after_sigterm(origin, start_lacquer, tmp_path, prefix):
    state = tmp_path / "state"
    first = start_lacquer(origin.port, state_dir=state)
    fill(first, origin, prefix, 10)
    assert first.terminate() == 0
    second = start_lacquer(origin.port, state_dir=state)
    for i in range(10):
        r = second.get("%s/obj%d" % (prefix, i))
        assert is_hit(r) and r.body == ("body-%d" % i).encode()
    assert origin.count() == 10  # nothing went back to the origin
    second.expect_stat("lacquer_cache_disk_hits_total", 10)
    # Promoted to memory: the second read is a memory hit.
    assert is_hit(second.get(prefix + "/obj0"))
    second.expect_stat("lacquer_cache_disk_hits_total", 10)


def test_warm_restart_after_kill_9(origin, start_lacquer, tmp_path, prefix):
    state = tmp_path / "state"
    first = start_lacquer(origin.port, state_dir=state)
    fill(first, origin, prefix, 5)
    # Entries skip the WAL: the writer flushes them once writes stop (about 2 s), and from then
    # on a kill -9 loses nothing.
    first.expect_stat("lacquer_disk_idle_flushes_total", 1, deadline=15)
    first.expect_stat("lacquer_disk_unflushed_entries", 0, deadline=15)
    first.proc.kill()
    first.proc.wait()
    second = start_lacquer(origin.port, state_dir=state)
    for i in range(5):
        assert is_hit(second.get("%s/obj%d" % (prefix, i)))
    assert origin.count() == 5


def test_memory_too_small_serves_from_disk(origin, start_lacquer, prefix):
    # Plain SIEVE, so the first objects leave memory (memory admission would keep them and refuse
    # the later ones; test_memory_admission.py covers that those still reach the disk).
    lacquer = start_lacquer(origin.port, extra_args=["--memory", "1M"],
                            config_text="[cache]\nmemory_admission = false\n")
    n = 40
    for i in range(n):
        path = "%s/big%d" % (prefix, i)
        origin.script(path, ok(body_size=64 * 1024))
        assert_stored_miss(lacquer.get(path))
    lacquer.expect_stat("lacquer_disk_writes_total", lambda v: v >= n)
    lacquer.expect_stat("lacquer_cache_evictions_total", lambda v: v > 0)
    # The first objects were evicted from memory long ago; they still hit, from disk.
    r = lacquer.get(prefix + "/big0")
    assert is_hit(r) and len(r.body) == 64 * 1024
    assert origin.count(prefix + "/big0") == 1
    assert lacquer.metric("lacquer_cache_disk_hits_total") >= 1


def test_a_second_lacquer_on_the_same_state_dir_is_refused(origin, start_lacquer, tmp_path):
    import subprocess
    import lacq
    state = tmp_path / "state"
    start_lacquer(origin.port, state_dir=state)
    r = subprocess.run([lacq.LACQUER_BIN, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0",
                        "--origin", "127.0.0.1:%d" % origin.port, "--state-dir", str(state)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=20)
    assert r.returncode != 0
    assert "already in use" in r.stderr and str(state) in r.stderr


def test_a_failing_disk_leaves_memory_and_origin_serving(origin, start_lacquer, prefix, tmp_path,
                                                         monkeypatch):
    monkeypatch.setenv("LACQUER_FAULTS", "disk-writes")
    state = tmp_path / "failing-state"
    lacquer = start_lacquer(origin.port, state_dir=state)
    assert lacquer.metric("lacquer_disk_writable") == 1  # nothing tried yet
    for i in range(5):
        origin.script("%s/x%d" % (prefix, i), ok("still here %d" % i))
        assert_stored_miss(lacquer.get("%s/x%d" % (prefix, i)))
        # One write batch per response: each fails on its own.
        lacquer.expect_stat("lacquer_disk_write_errors_total", i + 1)
    lacquer.expect_stat("lacquer_disk_writable", 0)
    lacquer.expect_stat("lacquer_disk_write_failures_total", lambda v: v >= 5)
    for i in range(5):
        r = lacquer.get("%s/x%d" % (prefix, i))
        assert is_hit(r) and r.body == ("still here %d" % i).encode()
    assert origin.count() == 5
    # Reported once (at most once a minute), naming the state directory.
    reports = [line for line in lacquer.lines if "disk tier cannot write" in line]
    assert len(reports) == 1, reports
    assert str(state) in reports[0] and "serving from memory and the origin" in reports[0]
