"""Command line, config files and the process lifecycle (graceful shutdown)."""
import os
import socket
import threading

import pytest

from lacq import REPO, build_request, ok, run_lacquer, wait_until

GOOD_CONFIG = """\
[server]
listen = "127.0.0.1:0"
admin = "127.0.0.1:0"
threads = 2

[origin]
address = "127.0.0.1:9"
first_byte_timeout = "2s"

[cache]
memory = "64M"
max_ttl = "1d"

[limits]
header_timeout = "5s"
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_check_config_good(tmp_path):
    cfg = write(tmp_path, "good.toml", GOOD_CONFIG)
    res = run_lacquer(["--config", cfg, "--check-config", "--state-dir", str(tmp_path / "st")])
    assert res.returncode == 0, res.stderr
    assert "lacquer: ready" not in res.stderr


def test_check_config_does_not_listen(tmp_path):
    """A held port in the config does not matter: --check-config never binds it."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    try:
        cfg = write(tmp_path, "held.toml", '[server]\nlisten = "127.0.0.1:%d"\n' % port)
        res = run_lacquer(["--config", cfg, "--check-config"])
        assert res.returncode == 0, res.stderr
    finally:
        holder.close()


def test_check_config_embedded_defaults(tmp_path):
    res = run_lacquer(["--check-config"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr


def test_example_config_is_valid():
    example = os.path.join(REPO, "conf", "lacquer.example.toml")
    res = run_lacquer(["--config", example, "--check-config"])
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("text,line,key", [
    pytest.param('[server]\nlisten = "127.0.0.1:0"\nbogus_key = 1\n', 3, "bogus_key",
                 id="unknown-key"),
    pytest.param('[server]\nthreads = "many"\n', 2, "threads", id="wrong-type"),
    pytest.param('[cache]\n\nmemory = "12 parsecs"\n', 3, "memory", id="bad-size"),
    pytest.param('[limits]\nheader_timeout = "soon"\n', 2, "header_timeout", id="bad-duration"),
    pytest.param('[nonsense]\nx = 1\n', 1, "nonsense", id="unknown-table"),
])
def test_bad_config_names_file_line_and_key(tmp_path, text, line, key):
    cfg = write(tmp_path, "bad.toml", text)
    for extra in (["--check-config"], ["--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"]):
        res = run_lacquer(["--config", cfg] + extra)
        assert res.returncode != 0
        assert "%s:%d" % (cfg, line) in res.stderr, res.stderr
        assert key in res.stderr, res.stderr


def test_toml_syntax_error(tmp_path):
    cfg = write(tmp_path, "syntax.toml", '[server]\nlisten = "127.0.0.1:0\n')
    res = run_lacquer(["--config", cfg, "--check-config"])
    assert res.returncode != 0 and cfg in res.stderr, res.stderr


def test_missing_config_file(tmp_path):
    res = run_lacquer(["--config", str(tmp_path / "nope.toml"), "--check-config"])
    assert res.returncode != 0 and "nope.toml" in res.stderr


@pytest.mark.parametrize("args,needle", [
    (["--bogus-flag"], "bogus-flag"),
    (["--memory", "12X", "--check-config"], "12X"),
    (["--threads", "-1", "--check-config"], "-1"),
    (["--listen", "nowhere", "--check-config"], "nowhere"),
])
def test_bad_flags(tmp_path, args, needle):
    res = run_lacquer(args, cwd=tmp_path)
    assert res.returncode != 0 and needle in res.stderr, res.stderr


def test_listen_port_in_use_fails_fast(origin, tmp_path):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    try:
        port = holder.getsockname()[1]
        res = run_lacquer(["--listen", "127.0.0.1:%d" % port, "--admin", "127.0.0.1:0",
                           "--origin", "127.0.0.1:%d" % origin.port,
                           "--state-dir", str(tmp_path / "st")])
        assert res.returncode != 0
        assert "lacquer: ready" not in res.stderr and str(port) in res.stderr, res.stderr
    finally:
        holder.close()


def test_flags_override_config(origin, start_lacquer, tmp_path):
    """The config names a dead origin and fixed ports; the flags win."""
    lacquer = start_lacquer(origin.port, config_text=GOOD_CONFIG.replace('"127.0.0.1:0"',
                                                                         '"127.0.0.1:1"'))
    r = lacquer.get("/t/override/a")
    assert r.status == 200 and origin.count("/t/override/a") == 1


def test_config_file_settings_apply(origin, start_lacquer):
    lacquer = start_lacquer(origin.port, config_text='[cache]\nmax_ttl = "10s"\n')
    p = "/t/config_applies/a"
    lacquer.get(p)  # max-age=3600 from the origin, capped at 10 s
    cs = lacquer.get(p).headers.get("Cache-Status", "")
    assert cs.startswith("lacquer; hit; ttl=") and int(cs.rsplit("=", 1)[1]) <= 10, cs


def test_sigterm_idle_exits_zero(origin, start_lacquer):
    lacquer = start_lacquer(origin.port)
    assert lacquer.get("/t/sigterm/a").status == 200
    assert lacquer.terminate(5) == 0


def test_graceful_shutdown_finishes_in_flight_response(origin, start_lacquer):
    lacquer = start_lacquer(origin.port)
    path = "/t/graceful/held"
    origin.script(path, ok(body_size=100000, hold="release"))
    result = {}

    def client():
        try:
            with lacquer.conn(timeout=15) as c:
                c.send(build_request("GET", path))
                result["r"] = c.read_response(timeout=15)
        except Exception as e:  # noqa: BLE001 - asserted below
            result["e"] = e

    t = threading.Thread(target=client)
    t.start()
    wait_until(lambda: origin.count(path) == 1, message="request held at the origin")
    lacquer.proc.send_signal(15)

    def refused():
        try:
            socket.create_connection(("127.0.0.1", lacquer.port), timeout=1).close()
            return False
        except ConnectionRefusedError:
            return True
        except TimeoutError:  # a SYN lost while the SO_REUSEPORT listeners close one by one: ask again
            return False
    wait_until(refused, deadline=5, message="new connections refused after SIGTERM")
    assert lacquer.proc.poll() is None, "exited with a response still in flight"
    origin.open("release")
    t.join(15)
    assert "e" not in result, result
    r = result["r"]
    assert r.status == 200 and r.complete and r.body == b"x" * 100000
    assert lacquer.proc.wait(5) == 0


def test_check_config_fails_on_an_origin_name_that_does_not_resolve(tmp_path):
    bad = write(tmp_path, "bad-origin.toml", '[origin]\naddress = "no-such-host.invalid:80"\n')
    res = run_lacquer(["--config", bad, "--check-config"], timeout=30)
    assert res.returncode == 2 and "origin.address" in res.stderr and "no-such-host.invalid" in res.stderr, res.stderr
    good = write(tmp_path, "named-origin.toml", '[origin]\naddress = "localhost:80"\n')
    res = run_lacquer(["--config", good, "--check-config"], timeout=30)
    assert res.returncode == 0, res.stderr
