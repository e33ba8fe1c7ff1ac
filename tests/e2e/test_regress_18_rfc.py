"""Issue 18, protocol items: CDN-Cache-Control as a Structured Field (RFC 9213 §2.1) and
whether it is forwarded (§3); statuses lacquer does not know with explicit freshness (RFC 9111
§3); HTTP-dates in any case (RFC 9110 §5.6.7, RFC 9111 §4.2); requests without Host
(RFC 9112 §3.3)."""
import email.utils
import time

import pytest

from lacq import Conn, assert_stored_miss, assert_unstored_miss, build_request, cache_status, \
    hit_ttl, request_header, wait_until


# ---- 1. CDN-Cache-Control -------------------------------------------------------------------

@pytest.mark.parametrize("cdn", [
    "max-age=600,",          # trailing comma: not a dictionary
    "max-age=600+30",        # Surrogate-Control style: not a Structured Field
    'max-age="600"',         # a String where an Integer belongs
    "max-age=600.0",         # a Decimal where an Integer belongs
    "Max-Age=600",           # keys are lower case
    "max-age=600, no-store=1",
])
def test_invalid_cdn_cache_control_is_ignored_as_a_whole(origin, lacquer, prefix, cdn):
    path = prefix + "/cdn"
    origin.script(path, {"status": 200, "body": "x", "headers": [
        ["Cache-Control", "no-store"], ["CDN-Cache-Control", cdn]]})
    assert_unstored_miss(lacquer.get(path))  # Cache-Control: no-store applies
    assert_unstored_miss(lacquer.get(path))
    assert origin.count(path) == 2


def test_wrongly_typed_cdn_cache_control_falls_back_to_cache_control(origin, lacquer, prefix):
    path = prefix + "/cdn"
    origin.script(path, {"status": 200, "body": "x", "headers": [
        ["Cache-Control", "max-age=100"], ["CDN-Cache-Control", "max-age=-5, no-store"]]})
    lacquer.get(path)
    assert 95 <= hit_ttl(lacquer.get(path)) <= 100


def test_valid_cdn_cache_control_applies_with_parameters_and_extensions(origin, lacquer, prefix):
    path = prefix + "/cdn"
    origin.script(path, {"status": 200, "body": "x", "headers": [
        ["Cache-Control", "no-store"], ["CDN-Cache-Control", 'max-age=600;a=1, ext=(1 "2"), x="y"']]})
    assert_stored_miss(lacquer.get(path))
    assert 595 <= hit_ttl(lacquer.get(path)) <= 600


def test_cdn_cache_control_is_forwarded_by_default(origin, lacquer, prefix):
    # RFC 9213 §3: CDN caches typically forward it so that downstream CDN caches can use it.
    path = prefix + "/fw"
    origin.script(path, {"status": 200, "body": "x", "headers": [
        ["Cache-Control", "max-age=60"], ["CDN-Cache-Control", "max-age=600"],
        ["Surrogate-Control", "max-age=900"]]})
    for _ in range(2):
        r = lacquer.get(path)
        assert r.headers.get("CDN-Cache-Control") == "max-age=600"
        assert "Surrogate-Control" not in r.headers
    assert origin.count(path) == 1


def test_cdn_cache_control_forwarding_can_be_switched_off(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text="[cache]\nforward_cdn_cache_control = false\n")
    path = prefix + "/nofw"
    origin.script(path, {"status": 200, "body": "x", "headers": [
        ["Cache-Control", "max-age=60"], ["CDN-Cache-Control", "max-age=600"]]})
    for _ in range(2):
        r = l.get(path)
        assert "CDN-Cache-Control" not in r.headers
    assert 595 <= hit_ttl(r) <= 600


# ---- 2. statuses we do not know -------------------------------------------------------------

@pytest.mark.parametrize("status", [299, 499, 599])
def test_unknown_status_with_explicit_freshness_is_stored_and_reused(origin, lacquer, prefix, status):
    path = prefix + "/s"
    origin.script(path, {"status": status, "body": "odd", "headers": [["Cache-Control", "max-age=60"]]})
    first = lacquer.get(path)
    assert first.status == status
    assert_stored_miss(first)
    second = lacquer.get(path)
    assert second.status == status and second.body == b"odd"
    assert 55 <= hit_ttl(second) <= 60
    assert origin.count(path) == 1


def test_unknown_status_without_explicit_freshness_is_not_stored(origin, lacquer, prefix):
    path = prefix + "/s"
    origin.script(path, {"status": 299, "body": "odd", "headers": [["ETag", '"e"']]})
    assert_unstored_miss(lacquer.get(path))
    assert_unstored_miss(lacquer.get(path))


def test_unknown_status_is_refetched_once_stale(origin, lacquer, prefix):
    path = prefix + "/stale"
    origin.script(path, {"status": 299, "body": "v1", "headers": [["Cache-Control", "max-age=1"]]},
                  {"status": 299, "body": "v2", "headers": [["Cache-Control", "max-age=60"]]})
    assert lacquer.get(path).body == b"v1"
    wait_until(lambda: lacquer.get(path).body == b"v2", deadline=5, interval=0.2,
               message="the stale 299 to be refetched")
    assert origin.count(path) == 2


# ---- 3. HTTP-dates ---------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["imf-lower", "imf-upper", "rfc850-upper", "asctime-lower"])
def test_expires_in_any_case_and_obsolete_form_gives_freshness(origin, lacquer, prefix, form):
    when = time.time() + 3600
    imf = email.utils.formatdate(when, usegmt=True)  # Sun, 06 Nov 1994 08:49:37 GMT
    t = time.gmtime(when)
    text = {
        "imf-lower": imf.lower(),
        "imf-upper": imf.upper(),
        "rfc850-upper": time.strftime("%A, %d-%b-%y %H:%M:%S GMT", t).upper(),
        "asctime-lower": time.strftime("%a %b %d %H:%M:%S %Y", t).lower().replace(" 0", "  ", 1)
        if t.tm_mday < 10 else time.strftime("%a %b %d %H:%M:%S %Y", t).lower(),
    }[form]
    path = prefix + "/e"
    origin.script(path, {"status": 200, "body": "e", "headers": [["Expires", text]]})
    assert_stored_miss(lacquer.get(path))
    assert 3500 <= hit_ttl(lacquer.get(path)) <= 3600, text


def test_garbage_expires_is_already_stale(origin, lacquer, prefix):
    path = prefix + "/g"
    origin.script(path, {"status": 200, "body": "g", "headers": [
        ["Expires", email.utils.formatdate(time.time() + 3600, usegmt=True).replace("GMT", "UTC")]]})
    assert_unstored_miss(lacquer.get(path))


# ---- 4. requests without Host -----------------------------------------------------------------

def http10_get(port, path):
    with Conn(port) as c:
        c.send(build_request("GET", path, host=None, version="HTTP/1.0"))
        return c.read_response()


def test_no_host_uses_the_local_address_and_shares_entries(origin, lacquer, prefix):
    path = prefix + "/nh"
    authority = "127.0.0.1:%d" % lacquer.port
    first = lacquer.get(path, host=authority)
    assert_stored_miss(first)
    second = http10_get(lacquer.port, path)
    assert second.status == 200
    hit_ttl(second)
    assert origin.count(path) == 1
    assert request_header(origin.requests(path)[0], "Host") == authority


def test_no_host_uses_the_configured_default_name(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text='[server]\ndefault_host = "www.Example.com"\n')
    path = prefix + "/nh"
    first = http10_get(l.port, path)
    assert_stored_miss(first)
    assert request_header(origin.requests(path)[0], "Host") == "www.example.com"
    hit_ttl(l.get(path, host="www.example.com"))
    assert origin.count(path) == 1
