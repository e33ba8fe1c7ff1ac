"""Issue 18 items 7 and 9: a request body trickled slowly is cut off at the total body deadline
(408 and a count); the start-up count of objects on disk is exact."""
import socket
import threading
import time

from lacq import Conn, Lacquer, ok


def test_trickled_body_is_cut_off_at_the_total_deadline(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text='[limits]\nbody_timeout = "400ms"\nbody_deadline = "1s"\n')
    stop = threading.Event()
    with Conn(l.port, timeout=10) as c:
        c.send("POST %s/upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 200\r\n\r\n" % prefix)

        def trickle():  # one byte per 150 ms: each pause is well inside body_timeout
            for _ in range(200):
                if stop.wait(0.15):
                    return
                try:
                    c.sock.sendall(b"x")
                except OSError:
                    return

        t = threading.Thread(target=trickle, daemon=True)
        t.start()
        started = time.monotonic()
        try:
            r = c.read_response(timeout=8)
        finally:
            stop.set()
            t.join()
        assert r.status == 408, r
        assert time.monotonic() - started < 5
        c.wait_closed()
    l.expect_stat("lacquer_client_body_deadline_total", 1)
    assert origin.count(prefix + "/upload") == 0


def test_a_body_within_the_deadline_is_served(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text='[limits]\nbody_deadline = "5s"\n')
    r = l.request("POST", prefix + "/p", body="x" * 1000)
    assert r.status == 200
    assert l.metric("lacquer_client_body_deadline_total") == 0


def test_startup_reports_the_exact_object_count_on_disk(origin, start_lacquer, prefix, tmp_path):
    state = tmp_path / "state18"
    config = '[cache]\nmax_object_size = "64K"\n'
    l = start_lacquer(origin.port, config_text=config, state_dir=state)
    l.output.wait_for(r"disk tier scanned: 0 objects on disk", l.proc, 10, "lacquer")
    paths = [prefix + "/small%d" % i for i in range(5)] + [prefix + "/large"]
    for p in paths[:5]:
        origin.script(p, ok("s" * 100))
    origin.script(paths[5], ok(body_size=300 * 1024))  # several chunks on disk, one object
    for p in paths:
        assert l.get(p).status == 200
    l.expect_stat("lacquer_cache_stored_total", 6)
    assert l.terminate() == 0  # a graceful stop flushes the disk writer
    again = start_lacquer(origin.port, config_text=config, state_dir=state)
    m = again.output.wait_for(r"disk tier scanned: (\d+) objects on disk", again.proc, 10, "lacquer")
    assert int(m.group(1)) == 6
    assert not any("~" in line and "objects on disk" in line for line in again.lines)
