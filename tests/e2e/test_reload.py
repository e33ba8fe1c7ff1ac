"""SIGHUP applies the live keys to a running process (purge ACL and token, cache policy, limits)
through a new settings snapshot per worker; keys that need a restart are named and keep their
old values."""
import signal

from lacq import hit_ttl, ok, request, wait_until


def purge_status(l, path, token):
    return request(l.port, "PURGE", path, headers=[("Authorization", "Bearer " + token)]).status


def test_sighup_applies_purge_token_and_cache_policy_and_names_restart_keys(origin, start_lacquer, tmp_path):
    cfg = tmp_path / "live.toml"
    cfg.write_text('[purge]\nallow_loopback = false\ntoken = "first"\n[cache]\nmax_ttl = "1h"\n')
    l = start_lacquer(origin.port, extra_args=["--config", str(cfg)], threads=2)
    for path in ("/before", "/after", "/p"):
        origin.script(path, ok(path, max_age=3600))
    assert l.get("/before").status == 200
    assert hit_ttl(l.get("/before")) > 600
    assert purge_status(l, "/p", "second") == 403
    assert purge_status(l, "/p", "first") == 200

    cfg.write_text('[purge]\nallow_loopback = false\ntoken = "second"\n[cache]\nmax_ttl = "10s"\nmemory = "64M"\n')
    l.proc.send_signal(signal.SIGHUP)
    applied = wait_until(lambda: [x for x in l.lines if "configuration reloaded; applied:" in x], message="reload")
    assert "cache.max_ttl" in applied[0] and "purge.token" in applied[0], applied
    assert "cache.memory" not in applied[0]
    assert any("need a restart" in x and "cache.memory" in x for x in l.lines), l.text()
    # Every worker takes the snapshot from its loop's inbox: poll on fresh connections (each may
    # land on another worker) until the old token is refused, then it stays refused.
    wait_until(lambda: purge_status(l, "/p", "first") == 403, message="old token refused")
    for _ in range(8):
        assert purge_status(l, "/p", "first") == 403
        assert purge_status(l, "/p", "second") == 200
    # The new max_ttl caps what is stored from now on.
    assert l.get("/after").status == 200
    assert hit_ttl(l.get("/after")) <= 10
    l.expect_stat("lacquer_config_reloads_total", 1)
    # memory kept its old value: the budget did not change.
    assert l.metric("lacquer_cache_budget_bytes") != 64 * 1024 * 1024


def test_sighup_with_nothing_live_changed_publishes_nothing_and_keeps_serving(origin, start_lacquer, tmp_path):
    cfg = tmp_path / "same.toml"
    cfg.write_text('[cache]\nmax_ttl = "1h"\n')
    l = start_lacquer(origin.port, extra_args=["--config", str(cfg)])
    origin.script("/s", ok("s"))
    l.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: any("applied: nothing changed" in x for x in l.lines), message="reload logged")
    assert l.get("/s").status == 200
