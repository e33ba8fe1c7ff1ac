"""Purges racing with hits, misses and refetches on several worker threads never let an invalid
entry out: after a PURGE answered 200, no request that starts later is answered with content the
origin produced before that purge (CacheLib's ValueTracker idea, with the origin's script as the
write history)."""
import json
import threading
import time

from lacq import Conn, build_request, ok, request

PATHS = 8
ROUNDS = 15


def test_no_response_older_than_an_acknowledged_purge(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, threads=2)
    paths = ["%s/c%d" % (prefix, i) for i in range(PATHS)]

    def publish(generation):
        for p in paths:
            origin.script(p, ok("gen-%d" % generation, headers=[["Surrogate-Key", "consistency"]]))

    publish(0)
    observed = []  # (start time, generation), appended by the client threads
    lock = threading.Lock()
    stop = threading.Event()

    def client(offset):
        i = offset
        with Conn(lacquer.port, timeout=10) as c:
            while not stop.is_set():
                path = paths[i % PATHS]
                i += 1
                started = time.monotonic()
                c.send(build_request("GET", path))
                r = c.read_response()
                assert r.status == 200, r
                gen = int(r.body.decode().split("-")[1])
                with lock:
                    observed.append((started, gen))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    acks = []  # (time the purge was acknowledged, generation that must be visible after it)
    try:
        for generation in range(1, ROUNDS + 1):
            time.sleep(0.02)  # let hits accumulate between purges (load, not synchronisation)
            publish(generation)  # the origin changes first, then the publisher purges
            r = request(lacquer.port, "PURGE", "/", headers=[("Surrogate-Key", "consistency")])
            assert r.status == 200 and json.loads(r.body)["purged"] == "tag"
            acks.append((time.monotonic(), generation))
    finally:
        stop.set()
        for t in threads:
            t.join(10)

    assert len(observed) > ROUNDS * 4, "the clients made too few requests to race with purges"
    stale = [(started, gen, need) for ack, need in acks for started, gen in observed
             if started > ack and gen < need]
    assert not stale, "served content older than an acknowledged purge: %r" % stale[:5]
    hits = lacquer.metric("lacquer_cache_hits_total")
    assert hits > 0 and lacquer.metric("lacquer_purge_invalid_entries_total") + \
        lacquer.metric("lacquer_sweep_dropped_total") > 0
