"""HTTPS to origin pools (issue 14): a TLS test origin with a certificate from a CA the test
makes with openssl; verification on by default, SNI / name checks, connection reuse, probes."""
import subprocess

import pytest

import lacq
from lacq import cache_status


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")

    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=d)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=lacquer test CA",
        "-keyout", "ca.key", "-out", "ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=origin.test", "-keyout", "origin.key",
        "-out", "origin.csr")
    (d / "san.ext").write_text("subjectAltName=DNS:origin.test,DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "origin.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "san.ext", "-out", "origin.pem")
    return d


@pytest.fixture
def tls_origin(pki):
    o = lacq.Origin(tls=(pki / "origin.pem", pki / "origin.key"))
    yield o
    o.stop()


def config(port, extra):
    return ('[[pool]]\nname = "secure"\nservers = ["127.0.0.1:%d"]\ntls = true\n%s\n'
            '[[site]]\nname = "s"\nhosts = ["s.test"]\npool = "secure"\n' % (port, extra))


def test_https_origin_verified_against_the_ca_file_and_reused(tls_origin, pki, start_lacquer):
    l = start_lacquer(tls_origin.port, config_text=config(tls_origin.port, 'ca_file = "%s"' % (pki / "ca.pem")),
                      threads=1)
    for i in range(3):
        r = l.get("/tls/%d" % i, host="s.test")
        assert r.status == 200 and r.body == b"origin /tls/%d\n" % i
    assert tls_origin.count("/tls/0") == 1
    assert l.metric("lacquer_origin_connects_total") == 1  # one TLS connection for all three
    assert l.metric("lacquer_origin_reuses_total") == 2


def test_verification_is_on_by_default(tls_origin, start_lacquer):
    l = start_lacquer(tls_origin.port, config_text=config(tls_origin.port, ""))  # system store only
    r = l.get("/unverified", host="s.test")
    assert r.status == 502
    assert tls_origin.count("/unverified") == 0


def test_the_certificate_must_match_the_sni_name(tls_origin, pki, start_lacquer):
    good = start_lacquer(tls_origin.port, config_text=config(
        tls_origin.port, 'ca_file = "%s"\nsni = "origin.test"' % (pki / "ca.pem")))
    assert good.get("/named", host="s.test").status == 200
    bad = start_lacquer(tls_origin.port, config_text=config(
        tls_origin.port, 'ca_file = "%s"\nsni = "other.test"' % (pki / "ca.pem")), state_dir=pki / "state-bad")
    assert bad.get("/misnamed", host="s.test").status == 502
    assert tls_origin.count("/misnamed") == 0


def test_probes_speak_tls(tls_origin, pki, start_lacquer):
    probe = 'probe = { path = "/probe", interval = "100ms", timeout = "1s", window = 2, threshold = 1 }'
    l = start_lacquer(tls_origin.port, config_text=config(
        tls_origin.port, 'ca_file = "%s"\n%s' % (pki / "ca.pem", probe)))
    lacq.wait_until(lambda: tls_origin.count("/probe") >= 2, message="TLS probes reach the origin")
    assert l.metric('lacquer_origin_server_probes_passed_total{pool="secure",server="127.0.0.1:%d"}'
                    % tls_origin.port) >= 1
