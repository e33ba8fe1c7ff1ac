"""RFC 9111 §5.2.1 request directives; client no-cache / no-store per the config switch."""
import pytest

from lacq import assert_stored_miss, cache_status, hit_ttl, ok


def store_with_age(origin, lacquer, path, max_age=100, age=30):
    origin.script(path, ok("v", max_age=max_age, headers=[("Age", str(age))]))
    assert_stored_miss(lacquer.get(path))


def test_client_max_age_older_than_allowed_goes_to_origin(origin, lacquer, prefix):
    path = prefix + "/ma"
    store_with_age(origin, lacquer, path)
    hit_ttl(lacquer.get(path, headers={"Cache-Control": "max-age=60"}))
    r = lacquer.get(path, headers={"Cache-Control": "max-age=10"})
    assert cache_status(r).get("fwd") == "request"
    assert origin.count(path) == 2


def test_client_min_fresh(origin, lacquer, prefix):
    path = prefix + "/mf"
    store_with_age(origin, lacquer, path)  # 70 s of freshness left
    hit_ttl(lacquer.get(path, headers={"Cache-Control": "min-fresh=30"}))
    assert cache_status(lacquer.get(path, headers={"Cache-Control": "min-fresh=100"})).get("fwd") == "request"
    assert origin.count(path) == 2


def test_client_max_stale_accepts_a_stale_entry(origin, lacquer, prefix):
    path = prefix + "/ms"
    store_with_age(origin, lacquer, path, max_age=10, age=30)  # 20 s stale
    r = lacquer.get(path, headers={"Cache-Control": "max-stale=60"})
    p = cache_status(r)
    assert p.get("hit") is True and int(p["ttl"]) < 0
    r = lacquer.get(path, headers={"Cache-Control": "max-stale"})
    assert cache_status(r).get("hit") is True
    assert origin.count(path) == 1
    assert "hit" not in cache_status(lacquer.get(path, headers={"Cache-Control": "max-stale=5"}))


def test_only_if_cached(origin, lacquer, prefix):
    path = prefix + "/oic"
    r = lacquer.get(path, headers={"Cache-Control": "only-if-cached"})
    assert r.status == 504
    assert origin.count(path) == 0
    origin.script(path, ok("here", max_age=60))
    lacquer.get(path)
    r = lacquer.get(path, headers={"Cache-Control": "only-if-cached"})
    assert r.status == 200 and r.body == b"here"


@pytest.mark.parametrize("headers", [{"Cache-Control": "no-cache"}, {"Pragma": "no-cache"},
                                     {"Cache-Control": "no-store"}])
def test_client_no_cache_ignored_by_default(origin, lacquer, prefix, headers):
    path = prefix + "/ign"
    origin.script(path, ok("v", max_age=60))
    lacquer.get(path)
    hit_ttl(lacquer.get(path, headers=headers))
    assert origin.count(path) == 1


def test_client_no_cache_honoured_when_configured(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text="[cache]\nhonour_client_no_cache = true\n")
    path = prefix + "/hon"
    origin.script(path, ok("v", max_age=60))
    l.get(path)
    r = l.get(path, headers={"Cache-Control": "no-cache"})
    assert cache_status(r).get("fwd") == "request"
    assert l.get(path, headers={"Pragma": "no-cache"}).status == 200
    assert origin.count(path) == 3
    # no-store: forwarded and not stored; the stored entry stays
    nostore = prefix + "/ns"
    origin.script(nostore, ok("n", max_age=60))
    r = l.get(nostore, headers={"Cache-Control": "no-store"})
    assert "stored" not in cache_status(r)
    assert cache_status(l.get(nostore)).get("fwd") == "miss"
