"""RFC 9111 §3: what a shared cache may store, and the secondary keys of Vary (§4.1)."""
import email.utils
import time

import pytest

from lacq import assert_stored_miss, cache_status, hit_ttl, ok


def http_date(offset=0):
    return email.utils.formatdate(time.time() + offset, usegmt=True)


def stored_twice(origin, lacquer, path, headers=None, request_headers=None):
    """Fetches `path` twice; True when the second answer was a hit (one origin request)."""
    first = lacquer.get(path, headers=request_headers)
    second = lacquer.get(path, headers=request_headers)
    assert first.status == second.status
    return "hit" in cache_status(second) and origin.count(path) == 1


@pytest.mark.parametrize("cc,stored", [
    ("max-age=60, no-store", False),
    ("no-store", False),
    ("private, max-age=60", False),
    ('private="X-User", max-age=60', True),       # stored without X-User (§5.2.2.7)
    ("max-age=60, nothing-to-see-here", True),      # unknown directives are ignored (§5.2.3)
    ('max-age=60, ext="quoted, value"', True),
    ("public, max-age=60", True),
])
def test_response_directives_decide_storing(origin, lacquer, prefix, cc, stored):
    path = prefix + "/d"
    origin.script(path, {"status": 200, "headers": [["Cache-Control", cc]], "body": "d"})
    assert stored_twice(origin, lacquer, path) == stored


@pytest.mark.parametrize("cc,stored", [
    ("max-age=60", False),
    ("public, max-age=60", True),
    ("s-maxage=60", True),
    ("max-age=60, must-revalidate", True),
])
def test_authorization_needs_public_s_maxage_or_must_revalidate(origin, lacquer, prefix, cc, stored):
    path = prefix + "/auth"
    origin.script(path, {"status": 200, "headers": [["Cache-Control", cc]], "body": "secret"})
    assert stored_twice(origin, lacquer, path, request_headers={"Authorization": "Bearer x"}) == stored


@pytest.mark.parametrize("directive", ["private", "no-cache"])
def test_qualified_fields_reach_only_the_first_client(origin, lacquer, prefix, directive):
    path = prefix + "/q"
    origin.script(path, ok("q", max_age=60, headers=[
        ("Cache-Control", '%s="Set-Cookie, X-User"' % directive), ("Set-Cookie", "sid=secret"),
        ("X-User", "alice"), ("X-Shared", "yes")]))
    first = lacquer.get(path)
    assert first.headers.get("Set-Cookie") == "sid=secret" and first.headers.get("X-User") == "alice"
    assert_stored_miss(first)
    second = lacquer.get(path)
    hit_ttl(second)
    assert "Set-Cookie" not in second.headers and "X-User" not in second.headers
    assert second.headers.get("X-Shared") == "yes"


def test_set_cookie_stored_only_when_configured(origin, start_lacquer, prefix, tmp_path):
    path = prefix + "/cookie"
    origin.script(path, ok("c", max_age=60, headers=[("Set-Cookie", "a=1")]))
    default = start_lacquer(origin.port)
    assert not stored_twice(origin, default, path)
    origin.reset()
    origin.script(path, ok("c", max_age=60, headers=[("Set-Cookie", "a=1")]))
    allowing = start_lacquer(origin.port, config_text="[cache]\nstore_set_cookie = true\n",
                             state_dir=tmp_path / "other")
    assert stored_twice(origin, allowing, path)


@pytest.mark.parametrize("status,headers,stored", [
    (404, [["Last-Modified", http_date(-864000)]], True),   # heuristically cacheable
    (410, [["Cache-Control", "max-age=60"]], True),
    (302, [], False),                                        # not cacheable by default
    (302, [["Cache-Control", "max-age=60"]], True),          # explicit freshness makes it so
    (500, [["Last-Modified", http_date(-864000)]], False),
    (206, [["Cache-Control", "max-age=60"], ["Content-Range", "bytes 0-0/10"]], False),
])
def test_status_codes(origin, lacquer, prefix, status, headers, stored):
    path = prefix + "/s"
    origin.script(path, {"status": status, "headers": headers, "body": "x"})
    assert stored_twice(origin, lacquer, path) == stored


def test_request_pragma_and_unknown_directives_change_nothing(origin, lacquer, prefix):
    path = prefix + "/p"
    origin.script(path, ok("p", max_age=60))
    assert_stored_miss(lacquer.get(path))
    hit_ttl(lacquer.get(path, headers={"Pragma": "foo", "Cache-Control": "nothing-to-see-here"}))
    assert origin.count(path) == 1


def test_vary_keeps_one_variant_per_request_value(origin, lacquer, prefix):
    path = prefix + "/v"
    origin.script(path, ok("gz", max_age=60, headers=[("Vary", "Accept-Encoding")]),
                  ok("plain", max_age=60, headers=[("Vary", "Accept-Encoding")]))
    r1 = lacquer.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert r1.body == b"gz"
    assert_stored_miss(r1)
    r2 = lacquer.get(path, headers={"Accept-Encoding": "identity"})
    assert r2.body == b"plain"
    assert cache_status(r2).get("fwd") == "vary-miss"
    # whitespace and case differences in the varied field are the same variant
    r3 = lacquer.get(path, headers={"Accept-Encoding": "GZIP,br"})
    assert r3.body == b"gz"
    hit_ttl(r3)
    r4 = lacquer.get(path, headers={"Accept-Encoding": "identity"})
    assert r4.body == b"plain"
    hit_ttl(r4)
    assert origin.count(path) == 2


def test_vary_absent_field_is_its_own_variant(origin, lacquer, prefix):
    path = prefix + "/va"
    origin.script(path, ok("with", max_age=60, headers=[("Vary", "X-Lang")]),
                  ok("without", max_age=60, headers=[("Vary", "X-Lang")]))
    assert lacquer.get(path, headers={"X-Lang": ""}).body == b"with"
    assert lacquer.get(path).body == b"without"
    assert lacquer.get(path, headers={"X-Lang": ""}).body == b"with"
    assert origin.count(path) == 2


def test_url_purge_covers_every_variant(origin, lacquer, prefix):
    path = prefix + "/vp"
    origin.script(path, ok("v", max_age=60, headers=[("Vary", "Accept-Language")]))
    for lang in ("en", "fr"):
        lacquer.get(path, headers={"Accept-Language": lang})
    assert origin.count(path) == 2
    assert lacquer.request("PURGE", path).status == 200
    for lang in ("en", "fr"):
        assert "hit" not in cache_status(lacquer.get(path, headers={"Accept-Language": lang}))
    assert origin.count(path) == 4


def test_targeted_fields_override_cache_control_and_are_forwarded(origin, lacquer, prefix):
    path = prefix + "/cdn"
    origin.script(path, {"status": 200, "body": "t", "headers": [
        ["Cache-Control", "no-store"], ["CDN-Cache-Control", "max-age=120"]]})
    r1 = lacquer.get(path)
    assert r1.headers.get("Cache-Control") == "no-store"
    assert r1.headers.get("CDN-Cache-Control") == "max-age=120"  # RFC 9213 §3
    r2 = lacquer.get(path)
    assert 115 <= hit_ttl(r2) <= 120
    assert r2.headers.get("Cache-Control") == "no-store"
    assert origin.count(path) == 1


@pytest.mark.parametrize("surrogate,stored", [("max-age=90", True), ("no-store", False)])
def test_surrogate_control(origin, lacquer, prefix, surrogate, stored):
    path = prefix + "/sc"
    cc = "private" if stored else "max-age=60"
    origin.script(path, {"status": 200, "body": "s", "headers": [
        ["Cache-Control", cc], ["Surrogate-Control", surrogate]]})
    r1, r2 = lacquer.get(path), lacquer.get(path)
    for r in (r1, r2):
        assert "Surrogate-Control" not in r.headers and r.headers.get("Cache-Control") == cc
    assert ("hit" in cache_status(r2)) == stored
    assert origin.count(path) == (1 if stored else 2)
