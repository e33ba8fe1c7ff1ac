"""Per-site header rules and the trusted-proxy forwarding policy (issue 14, item 6), with a real
lacquer and real test origins: request fields removed/set on the way to the origin, response
fields removed/set on misses and on hits alike, only for the site that has the rules; client
X-Forwarded-* / Forwarded replaced unless the peer is in server.trusted_proxies, then extended;
bad rules and CIDRs refused at --check-config with file:line."""
import pytest

import lacq
from lacq import hit_ttl, ok, request_header
from test_sites import origins, pool, site  # noqa: F401 (origins is a fixture)

RULES_A = '''[site.request_headers]
remove = ["Cookie"]
set = { "X-Site" = "a", "X-Edge" = "lacquer" }
[site.response_headers]
remove = ["Server", "X-Powered-By"]
set = { "X-Frame-Options" = "DENY", "Cache-Control" = "no-transform" }
'''


def test_site_rules_apply_to_requests_and_responses_of_that_site_only(origins, start_lacquer):
    a, b = origins(2)
    loud = [("Server", "origin/1.0"), ("X-Powered-By", "PHP/5"), ("X-Kept", "yes")]
    a.script("/page", ok("a-body", headers=loud))
    b.script("/page", ok("b-body", headers=loud))
    config = (pool("pa", [a.port]) + pool("pb", [b.port]) + site("a", ["a.test"], "pa", RULES_A) +
              site("b", ["b.test"], "pb"))
    l = start_lacquer(a.port, config_text=config)
    sent = [("Cookie", "session=1"), ("X-Site", "from-client")]
    for attempt in range(2):  # a miss, then a hit from the stored (unedited) head
        r = l.get("/page", sent, host="a.test")
        assert r.status == 200 and r.body == b"a-body"
        assert "Server" not in r.headers and "X-Powered-By" not in r.headers, r.headers
        assert r.headers.get("X-Frame-Options") == "DENY"
        assert r.headers.get_all("Cache-Control") == ["no-transform"], r.headers
        assert r.headers.get("X-Kept") == "yes"
        assert r.headers.get("Cache-Status")  # lacquer's own fields are still there
        if attempt == 1:
            assert hit_ttl(r) > 0
    [rec] = a.requests("/page")
    assert request_header(rec, "Cookie") is None
    assert request_header(rec, "X-Site") == "a"
    assert request_header(rec, "X-Edge") == "lacquer"
    assert [n for n, _ in rec["headers"]].count("X-Site") == 1
    # Site b has no rules: everything as the origin and the client sent it.
    rb = l.get("/page", sent, host="b.test")
    assert rb.headers.get("Server") == "origin/1.0" and rb.headers.get("X-Powered-By") == "PHP/5"
    assert "X-Frame-Options" not in rb.headers
    [recb] = b.requests("/page")
    assert request_header(recb, "Cookie") == "session=1"
    assert request_header(recb, "X-Site") == "from-client"


FORWARDING_LIES = [("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-Proto", "https"),
                   ("Forwarded", "for=203.0.113.9;proto=https")]


def test_untrusted_peer_forwarding_fields_are_replaced(origins, start_lacquer):
    (a,) = origins(1)
    # Only ::1 is trusted: this client comes from 127.0.0.1.
    l = start_lacquer(a.port, config_text='[server]\ntrusted_proxies = ["::1/128", "10.0.0.0/8"]\n')
    assert l.get("/u", FORWARDING_LIES).status == 200
    [rec] = a.requests("/u")
    assert request_header(rec, "X-Forwarded-For") == "127.0.0.1"
    assert request_header(rec, "X-Forwarded-Proto") == "http"
    forwarded = [v for n, v in rec["headers"] if n.lower() == "forwarded"]
    assert forwarded == ["for=127.0.0.1;proto=http"], rec["headers"]


def test_trusted_proxy_forwarding_fields_are_extended(origins, start_lacquer):
    (a,) = origins(1)
    l = start_lacquer(a.port, config_text='[server]\ntrusted_proxies = ["127.0.0.0/8"]\n')
    assert l.get("/t", FORWARDING_LIES + [("X-Forwarded-Host", "evil.test")]).status == 200
    [rec] = a.requests("/t")
    assert request_header(rec, "X-Forwarded-For") == "203.0.113.9, 127.0.0.1"
    assert request_header(rec, "X-Forwarded-Proto") == "https"  # the scheme at the proxy
    forwarded = [v for n, v in rec["headers"] if n.lower() == "forwarded"]
    assert forwarded == ["for=203.0.113.9;proto=https", "for=127.0.0.1;proto=http"], rec["headers"]
    assert request_header(rec, "X-Forwarded-Host") is None  # unkeyed: never forwarded


@pytest.mark.parametrize("body,key,says", [
    ('[server]\ntrusted_proxies = ["10.0.0.0/8", "10.0.0.0/33"]\n', "server.trusted_proxies[1]", "CIDR"),
    (pool("p", [1]) + site("s", ["a.test"], "p", '[site.request_headers]\nremove = ["Host"]'),
     "site[0].request_headers.remove[0]", "not Host"),
    (pool("p", [1]) + site("s", ["a.test"], "p", '[site.response_headers]\nset = { "Transfer-Encoding" = "x" }'),
     "site[0].response_headers.set.Transfer-Encoding", "does not own"),
    (pool("p", [1]) + site("s", ["a.test"], "p", '[site.response_headers]\nset = { "X-A" = "a\\r\\nB: c" }'),
     "site[0].response_headers.set.X-A", "no line breaks"),
])
def test_check_config_reports_bad_rules_and_cidrs(tmp_path, body, key, says):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    r = lacq.run_lacquer(["--config", str(path), "--check-config"])
    assert r.returncode == 2, r.stderr
    line = [ln for ln in r.stderr.splitlines() if key in ln]
    assert line and says in line[0], r.stderr
    assert ("%s:" % path) in line[0]
