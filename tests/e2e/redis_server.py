"""A real redis-server for the cluster tests: its own directory, a free loopback port, and
redis-cli for commands. Stopped (and its data kept or dropped) by the test."""
import os
import shutil
import socket
import subprocess
import time

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """redis-server on 127.0.0.1:<port> with an append-only file (synced on every write), so a
    restart keeps the stream unless the test drops the data."""

    def __init__(self, directory, password=None, port=None):
        self.dir = str(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.password = password
        self.proc = None
        self.port = port
        self.start()

    def start(self):
        for _ in range(5):
            port = self.port or free_port()
            args = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", self.dir,
                    "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                    # small stream nodes, so "MAXLEN ~ N" trims at small N in the tests
                    "--stream-node-max-entries", "4", "--logfile", os.path.join(self.dir, "redis.log")]
            if self.password:
                args += ["--requirepass", self.password]
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            end = time.monotonic() + 5
            while time.monotonic() < end and self.proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    self.port = port
                    return
                except OSError:
                    time.sleep(0.02)
            self.proc.kill()
            self.proc.wait()
            if self.port:  # a fixed port (a restart): do not wander off
                raise AssertionError("redis-server did not start on port %d" % port)
        raise AssertionError("redis-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def drop_data(self):
        """Deletes the persisted data (call while stopped): the next start is an empty Redis."""
        for name in os.listdir(self.dir):
            path = os.path.join(self.dir, name)
            if name.startswith("appendonly") or name.endswith(".rdb"):
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)

    def cli(self, *args):
        cmd = [REDIS_CLI, "-p", str(self.port), "--no-auth-warning"]
        if self.password:
            cmd += ["-a", self.password]
        out = subprocess.run(cmd + [str(a) for a in args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=5, text=True)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    def stream_entries(self, stream):
        """[(id, {field: value})] of the whole stream, in order."""
        raw = self.cli("--json", "XRANGE", stream, "-", "+")
        import json
        return [(e[0], dict(zip(e[1][::2], e[1][1::2]))) for e in json.loads(raw or "[]")]
