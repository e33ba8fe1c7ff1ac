"""Cache poisoning: what you key is what you forward (design.md, "Hostile input").

An attacker's miss must not store anything another client would not have got: fields that change
what an origin returns without being part of the key never reach the origin (the origin reflects
them into its body if they do), the host and target the origin sees are the normalised ones from
the key, and a GET body is never forwarded. Key normalisation: host case, the default port and
percent-encoding hex case make the same object; `%2F` vs `/`, path case and `%41` vs `A` do not.
"""
import pytest

from lacq import build_request, cache_status, ok

EVIL = "evil.example"

# Fields an origin framework may use to build URLs, pick a virtual host or a method, none of which
# is in the key. (name, attacker's value)
UNKEYED = [
    ("X-Forwarded-Host", EVIL),
    ("X-Host", EVIL),
    ("X-Forwarded-Server", EVIL),
    ("X-Forwarded-Scheme", "nothttps"),
    ("X-Forwarded-Proto", "https"),
    ("X-Original-URL", "/admin"),
    ("X-Rewrite-URL", "/admin"),
    ("X-HTTP-Method-Override", "DELETE"),
]
UNKEYED_MORE = [
    ("X-HTTP-Method", "DELETE"),
    ("X-Method-Override", "DELETE"),
    ("Forwarded", "host=%s;proto=https" % EVIL),
    ("X-Forwarded-Port", "8443"),
    ("X-Forwarded-Prefix", "/evil"),
    ("X-Original-Host", EVIL),
]
CASES = [pytest.param(n, v, id=n) for n, v in UNKEYED + UNKEYED_MORE]
# The fields lacquer sets itself from the listener (a cleartext one here): the client's spelling
# never arrives, ours always does.
OURS = {"x-forwarded-proto": "http", "forwarded": "for=127.0.0.1;proto=http"}


def is_hit(r):
    return cache_status(r).get("hit") is True


def fields_seen(rec, name):
    return [v for n, v in rec["headers"] if n.lower() == name.lower()]


@pytest.mark.parametrize("name,value", CASES)
def test_unkeyed_field_never_reaches_the_origin(stack, prefix, name, value):
    origin, lacquer = stack
    path = prefix + "/page"
    origin.script(path, ok("clean\n", reflect=[name, "Host"]))
    ours = OURS.get(name.lower())
    clean = b"clean\n" + (("%s: %s\n" % (name, ours)).encode() if ours else b"") + b"Host: example.com\n"
    # The attacker misses, with the field in several spellings.
    with lacquer.conn() as c:
        c.send(build_request("GET", path, [(name, value), (name.lower(), value),
                                           (name.upper(), value)]))
        r = c.read_response()
    assert r.status == 200 and r.body == clean, r
    [rec] = origin.requests(path)
    assert fields_seen(rec, name) == ([ours] if ours else []), rec["headers"]
    # A clean client gets the clean object, from the cache.
    victim = lacquer.get(path)
    assert victim.status == 200 and victim.body == clean and is_hit(victim), victim
    assert origin.count(path) == 1


def test_unkeyed_fields_all_at_once_on_a_pass(stack, prefix):
    """Not only misses: a POST (never stored) does not carry them to the origin either."""
    origin, lacquer = stack
    path = prefix + "/form"
    r = lacquer.request("POST", path, headers=UNKEYED, body="a=1")
    assert r.status == 200
    [rec] = origin.requests(path)
    assert rec["body"] == "a=1"
    for name, _ in UNKEYED:
        ours = OURS.get(name.lower())
        assert fields_seen(rec, name) == ([ours] if ours else []), (name, rec["headers"])


def test_field_named_by_connection_is_dropped_too(stack, prefix):
    """`Connection: X-Cache-Buster` makes X-Cache-Buster hop-by-hop: it must not reach the origin
    (RFC 9110 §7.6.1), so it cannot vary an answer that is stored for everyone."""
    origin, lacquer = stack
    path = prefix + "/c"
    origin.script(path, ok("clean\n", reflect=["X-Cache-Buster"]))
    r = lacquer.get(path, headers=[("Connection", "X-Cache-Buster"), ("X-Cache-Buster", "evil")])
    assert r.body == b"clean\n"
    assert fields_seen(origin.requests(path)[0], "X-Cache-Buster") == []
    assert lacquer.get(path).body == b"clean\n"


def test_absolute_form_host_is_keyed_and_forwarded(stack, prefix):
    """An absolute-form target's authority replaces Host (RFC 9112 §3.2.2) in the key and in what
    we forward alike: the attacker's object lands under evil.example, not under example.com."""
    origin, lacquer = stack
    path = prefix + "/abs"
    origin.script(path, ok("body\n", reflect=["Host"]))
    with lacquer.conn() as c:
        c.send("GET http://%s%s HTTP/1.1\r\nHost: example.com\r\n\r\n" % (EVIL, path))
        r = c.read_response()
    assert r.body == ("body\nHost: %s\n" % EVIL).encode()
    victim = lacquer.get(path)
    assert victim.body == b"body\nHost: example.com\n" and not is_hit(victim), victim
    assert [fields_seen(rec, "Host") for rec in origin.requests(path)] == [[EVIL], ["example.com"]]


# --- key normalisation: (first request, second request, same object?) ---

def same_object(stack, first, second, path):
    origin, lacquer = stack
    origin.script(path, ok("v\n", reflect=["Host"]))
    with lacquer.conn() as c:
        c.send(first)
        r1 = c.read_response()
        c.send(second)
        r2 = c.read_response()
    assert r1.status == 200 and r2.status == 200, (r1, r2)
    assert cache_status(r1).get("stored") is True, r1
    return r1, r2


def test_host_case_is_one_object(stack, prefix):
    origin, lacquer = stack
    path = prefix + "/h"
    r1, r2 = same_object(stack, build_request("GET", path, host="EXAMPLE.Com"),
                         build_request("GET", path, host="example.com"), path)
    assert is_hit(r2) and r2.body == b"v\nHost: example.com\n"
    assert origin.count(path) == 1


def test_default_port_is_one_object(stack, prefix):
    origin, lacquer = stack
    path = prefix + "/p"
    r1, r2 = same_object(stack, build_request("GET", path, host="example.com:80"),
                         build_request("GET", path, host="example.com"), path)
    assert is_hit(r2)
    assert [fields_seen(rec, "Host") for rec in origin.requests()] == [["example.com"]]


def test_other_port_is_another_object(stack, prefix):
    origin, lacquer = stack
    path = prefix + "/p"
    r1, r2 = same_object(stack, build_request("GET", path, host="example.com:8080"),
                         build_request("GET", path, host="example.com"), path)
    assert not is_hit(r2)
    assert [fields_seen(rec, "Host") for rec in origin.requests()] == [["example.com:8080"],
                                                                       ["example.com"]]


def test_absolute_form_and_origin_form_are_one_object(stack, prefix):
    origin, lacquer = stack
    path = prefix + "/a"
    r1, r2 = same_object(stack, build_request("GET", "http://Example.COM:80" + path, host="x.y"),
                         build_request("GET", path), path)
    assert is_hit(r2) and origin.count(path) == 1


def test_percent_encoding_hex_case_is_one_object(stack, prefix):
    origin, lacquer = stack
    lower, upper = prefix + "/q%2a?k=%e2%82%ac", prefix + "/q%2A?k=%E2%82%AC"
    r1, r2 = same_object(stack, build_request("GET", lower), build_request("GET", upper), upper)
    assert is_hit(r2)
    assert [rec["target"] for rec in origin.requests()] == [upper]  # what we key we forward


@pytest.mark.parametrize("first,second", [
    pytest.param("/a%2Fb", "/a/b", id="encoded-slash"),
    pytest.param("/Case", "/case", id="path-case"),
    pytest.param("/%41", "/A", id="encoded-unreserved"),
    pytest.param("/q?a=1", "/q?A=1", id="query-case"),
    pytest.param("/q?a=1&b=2", "/q?b=2&a=1", id="query-order"),
])
def test_different_objects(stack, prefix, first, second):
    origin, lacquer = stack
    p1, p2 = prefix + first, prefix + second
    origin.script(p1, ok("first\n"))
    origin.script(p2, ok("second\n"))
    assert lacquer.get(p1).body == b"first\n"
    r = lacquer.get(p2)
    assert r.body == b"second\n" and not is_hit(r), r
    assert lacquer.get(p1).body == b"first\n"
    assert [rec["target"] for rec in origin.requests()] == [p1, p2]


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_get_body_is_not_forwarded(stack, prefix, framing):
    origin, lacquer = stack
    path = prefix + "/g"
    origin.script(path, ok("clean\n"))
    if framing == "chunked":
        req = ("GET %s HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
               "4\r\nevil\r\n0\r\n\r\n" % path).encode()
    else:
        req = build_request("GET", path, body="evil")
    with lacquer.conn() as c:
        c.send(req + build_request("GET", path))  # the body is consumed, not read as a request
        r1, r2 = c.read_responses(2)
    assert r1.body == b"clean\n" and r2.body == b"clean\n" and is_hit(r2)
    [rec] = origin.requests(path)
    assert rec["body"] == ""
    names = [n.lower() for n, _ in rec["headers"]]
    assert "content-length" not in names and "transfer-encoding" not in names, rec["headers"]
