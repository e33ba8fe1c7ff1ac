"""systemd: the unit file passes `systemd-analyze verify`, `cmake --install` lays out binary, unit,
config and state directory, and lacquer reports readiness on NOTIFY_SOCKET (Type=notify)."""
import os
import shutil
import socket
import subprocess

import pytest

from lacq import LACQUER_BIN, REPO

BUILD_DIR = os.path.dirname(os.path.dirname(os.path.abspath(LACQUER_BIN)))


def _fill(text, bindir):
    for k, v in (("@LACQUER_BINDIR@", bindir), ("@LACQUER_CONFDIR@", "/etc/lacquer"),
                 ("@LACQUER_STATEDIR@", "/var/lib/lacquer"), ("@LACQUER_DOCDIR@", "/usr/share/doc/lacquer")):
        text = text.replace(k, v)
    return text


def test_unit_file_verifies(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (scripts/setup.sh installs systemd)")
    with open(os.path.join(REPO, "dist", "systemd", "lacquer.service.in")) as f:
        unit = _fill(f.read(), os.path.dirname(os.path.abspath(LACQUER_BIN)))
    assert "@" not in unit.replace("@system-service", "").replace("~@privileged", "")
    path = tmp_path / "lacquer.service"
    path.write_text(unit)
    res = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and res.stderr.strip() == "", res.stderr
    for line in ("Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "User=lacquer", "StateDirectory=lacquer",
                 "ProtectSystem=strict"):
        assert line in unit.splitlines(), line
    # A broken unit is caught: the test can fail.
    path.write_text(unit.replace("Type=notify", "Type=notifyy"))
    res = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert "notifyy" in res.stderr


def test_cmake_install_layout(tmp_path):
    if not os.path.exists(os.path.join(BUILD_DIR, "CMakeCache.txt")):
        pytest.skip("LACQUER_BIN is not inside a cmake build directory")
    env = dict(os.environ, DESTDIR=str(tmp_path / "root"))
    res = subprocess.run(["cmake", "--install", BUILD_DIR], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    prefix = None
    for line in open(os.path.join(BUILD_DIR, "CMakeCache.txt")):
        if line.startswith("CMAKE_INSTALL_PREFIX:"):
            prefix = line.split("=", 1)[1].strip()
    root = str(tmp_path / "root") + prefix
    etc = str(tmp_path / "root") + "/etc" if prefix == "/usr" else root + "/etc"
    var = str(tmp_path / "root") + "/var" if prefix == "/usr" else root + "/var"
    assert os.access(root + "/bin/lacquer", os.X_OK)
    unit = open(root + "/lib/systemd/system/lacquer.service").read()
    assert "ExecStart=%s/bin/lacquer --config %s/lacquer/lacquer.toml" % (prefix, etc[len(str(tmp_path / "root")):]) in unit
    assert os.path.exists(etc + "/lacquer/lacquer.example.toml") and os.path.exists(etc + "/lacquer/lacquer.toml")
    assert os.path.isdir(var + "/lib/lacquer")
    # The operator's config is never overwritten by a second install.
    with open(etc + "/lacquer/lacquer.toml", "w") as f:
        f.write("# mine\n")
    subprocess.run(["cmake", "--install", BUILD_DIR], capture_output=True, env=env, timeout=120, check=True)
    assert open(etc + "/lacquer/lacquer.toml").read() == "# mine\n"
    # The installed example config is accepted as is.
    res = subprocess.run([root + "/bin/lacquer", "--config", etc + "/lacquer/lacquer.example.toml", "--check-config"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr


def test_ready_and_stopping_sent_on_notify_socket(origin, start_lacquer, tmp_path, monkeypatch):
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    try:
        l = start_lacquer(origin.port)
        assert sock.recv(256) == b"READY=1"
        l.proc.send_signal(1)  # SIGHUP: reloading, then ready again
        assert sock.recv(256) == b"RELOADING=1"
        assert sock.recv(256) == b"READY=1"
        assert l.terminate() == 0
        assert sock.recv(256) == b"STOPPING=1"
    finally:
        sock.close()
