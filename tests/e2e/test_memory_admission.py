"""Memory admission (TinyLFU over SIEVE, storage/memory_tier.h): once the memory tier is full, a
newly fetched response is kept only if it was requested more often than what it would evict. A
refused response is still served (and coalesced); with a disk tier it may still go to disk."""
import concurrent.futures

from lacq import Conn, build_request, cache_status, ok, wait_until

SIZE = 100 * 1024  # a 1M memory tier holds about ten of these
HOT = 10  # together they fill the 1M tier: the next newcomer must evict one


def is_hit(r):
    return cache_status(r).get("hit") is True


def memory_admissions(lacquer, decision):
    return lacquer.metric('lacquer_memory_admissions_total{decision="%s"}' % decision)


def warm_hot_set(lacquer, origin, prefix, requests_each):
    """HOT objects, each requested `requests_each` times: one miss, then hits."""
    for i in range(HOT):
        origin.script("%s/hot%d" % (prefix, i), ok(body_size=SIZE))
    for _ in range(requests_each):
        for i in range(HOT):
            r = lacquer.get("%s/hot%d" % (prefix, i))
            assert r.status == 200 and len(r.body) == SIZE
    assert all(origin.count("%s/hot%d" % (prefix, i)) == 1 for i in range(HOT))


def hot_hits(lacquer, prefix):
    return sum(1 for i in range(HOT) if is_hit(lacquer.get("%s/hot%d" % (prefix, i))))


def request_each_twice(lacquer, origin, prefix, n):
    """n new objects requested twice each (a crawler, or a burst that dies out): every answer is
    the whole response, whether or not the memory tier keeps it."""
    for i in range(n):
        path = "%s/warm%d" % (prefix, i)
        origin.script(path, ok(body_size=SIZE))
        for _ in range(2):
            r = lacquer.get(path)
            assert r.status == 200 and len(r.body) == SIZE


def test_objects_requested_twice_do_not_push_out_the_hot_set(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, extra_args=["--memory", "1M", "--disk", "0"])
    warm_hot_set(lacquer, origin, prefix, 4)
    request_each_twice(lacquer, origin, prefix, 30)
    assert hot_hits(lacquer, prefix) == HOT
    assert all(origin.count("%s/hot%d" % (prefix, i)) == 1 for i in range(HOT))
    # Most newcomers were refused (served, not kept); both refusals of one object count.
    assert memory_admissions(lacquer, "rejected") >= 50
    assert lacquer.metric("lacquer_memory_admission_sketch_bytes") > 0


def test_without_memory_admission_the_same_stream_flushes_the_hot_set(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, extra_args=["--memory", "1M", "--disk", "0"],
                            config_text="[cache]\nmemory_admission = false\n")
    warm_hot_set(lacquer, origin, prefix, 4)
    request_each_twice(lacquer, origin, prefix, 30)
    # SIEVE's one bit cannot tell four requests from two: its hand clears the bits and evicts.
    assert hot_hits(lacquer, prefix) < HOT // 2
    assert memory_admissions(lacquer, "rejected") == 0
    assert lacquer.metric("lacquer_memory_admission_sketch_bytes") == 0


def test_a_refused_response_is_coalesced_and_served_to_every_waiter(origin, start_lacquer, prefix):
    lacquer = start_lacquer(origin.port, extra_args=["--memory", "1M", "--disk", "0"])
    warm_hot_set(lacquer, origin, prefix, 12)  # counted 12 times each
    path = prefix + "/new"
    origin.script(path, dict(ok(body_size=SIZE), hold="go"))
    rejected = memory_admissions(lacquer, "rejected")
    clients = 5  # counted 5 times: fewer than the hot set, so refused
    conns = [Conn(lacquer.port, timeout=15) for _ in range(clients)]
    try:
        requests_before = lacquer.metric("lacquer_requests_total")
        for c in conns:
            c.send(build_request("GET", path))
        wait_until(lambda: lacquer.metric("lacquer_requests_total") >= requests_before + clients, deadline=10,
                   message="the burst to arrive")
        wait_until(lambda: origin.count(path) == 1, message="the leader's fetch")
        origin.open("go")
        with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as pool:
            responses = list(pool.map(lambda c: c.read_response(timeout=15), conns))
    finally:
        for c in conns:
            c.close()
    assert all(r.status == 200 and len(r.body) == SIZE for r in responses)
    assert origin.count(path) == 1  # one fetch for the burst
    assert sum(1 for r in responses if cache_status(r).get("collapsed")) == clients - 1
    assert memory_admissions(lacquer, "rejected") == rejected + 1
    # Not kept: the next request is a miss again, and the hot set is untouched.
    r = lacquer.get(path)
    assert r.status == 200 and not is_hit(r)
    assert origin.count(path) == 2
    assert hot_hits(lacquer, prefix) == HOT


def test_a_response_memory_refuses_still_goes_to_disk(origin, start_lacquer, prefix):
    # A disk tier that has not filled its budget takes every response (disk admission).
    lacquer = start_lacquer(origin.port, extra_args=["--memory", "1M", "--disk", "64M"])
    warm_hot_set(lacquer, origin, prefix, 6)
    path = prefix + "/cold"
    origin.script(path, ok(body_size=SIZE))
    rejected = memory_admissions(lacquer, "rejected")
    r = lacquer.get(path)
    assert r.status == 200 and len(r.body) == SIZE
    assert memory_admissions(lacquer, "rejected") == rejected + 1
    wait_until(lambda: lacquer.metric("lacquer_disk_write_queue_depth") == 0, message="disk writer idle")
    disk_hits = lacquer.metric("lacquer_cache_disk_hits_total")
    r = lacquer.get(path)
    assert is_hit(r) and len(r.body) == SIZE
    assert lacquer.metric("lacquer_cache_disk_hits_total") == disk_hits + 1
    assert origin.count(path) == 1
    assert hot_hits(lacquer, prefix) == HOT
