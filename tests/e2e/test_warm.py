"""Cache warming: POST /warm on the admin port (URL lists, sitemaps), GET /warm/<id>, the [warm]
list at start, the bounds (concurrency, memory fill) and `lacquer warm FILE`."""
import http.client
import json
import os
import subprocess

from lacq import LACQUER_BIN, cache_status, ok, wait_until
from test_tls import make_cert


def admin(lacquer, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", lacquer.admin_port, timeout=5)
    try:
        conn.request(method, path, body=body)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def submit(lacquer, body, query=""):
    status, data = admin(lacquer, "POST", "/warm" + query, body)
    assert status == 202, (status, data)
    return json.loads(data)


def finished(lacquer, job_id, deadline=10.0):
    result = {}

    def done():
        status, data = admin(lacquer, "GET", "/warm/%d" % job_id)
        assert status == 200, (status, data)
        result.update(json.loads(data))
        return result["state"] == "finished"

    wait_until(done, deadline=deadline, message="warm job %d to finish" % job_id)
    return result


def urls(prefix, names):
    return ["http://example.com%s/%s" % (prefix, n) for n in names]


def test_text_list_is_fetched_once_and_then_served_from_cache(origin, lacquer, prefix):
    names = ["p%d" % i for i in range(20)]
    answer = submit(lacquer, "# a deploy\n" + "\n".join(urls(prefix, names)) + "\nnot-a-url\n")
    assert answer["total"] == 20 and answer["rejected"] == 1
    st = finished(lacquer, answer["id"])
    assert (st["total"], st["done"], st["stored"], st["failed"], st["rejected"]) == (20, 20, 20, 0, 1)
    for n in names:
        r = lacquer.get("%s/%s" % (prefix, n))
        assert cache_status(r).get("hit") is True, n
        assert origin.count("%s/%s" % (prefix, n)) == 1


def test_json_list_counts_cached_uncacheable_and_failed(origin, lacquer, prefix):
    origin.script(prefix + "/private", ok("p", max_age=None, headers=[("Cache-Control", "no-store")]))
    origin.script(prefix + "/gone", {"status": 404, "body": "no"})
    lacquer.get(prefix + "/already")
    answer = submit(lacquer, json.dumps(urls(prefix, ["already", "fresh", "private", "gone"])))
    st = finished(lacquer, answer["id"])
    assert (st["done"], st["cached"], st["stored"], st["uncacheable"], st["failed"]) == (4, 1, 1, 1, 1)
    assert origin.count(prefix + "/already") == 1  # a hit: the origin was not asked again


def test_sitemap_url_and_sitemap_index(origin, lacquer, prefix):
    child = "".join("<url><loc>http://example.com%s/s%d</loc></url>" % (prefix, i) for i in range(5))
    origin.script(prefix + "/child.xml", ok('<?xml version="1.0"?><urlset>%s</urlset>' % child))
    origin.script(prefix + "/index.xml", ok(
        "<sitemapindex><sitemap><loc>http://example.com%s/child.xml</loc></sitemap></sitemapindex>" % prefix))
    answer = submit(lacquer, None, "?sitemap=http://example.com%s/index.xml" % prefix)
    st = finished(lacquer, answer["id"])
    assert (st["total"], st["stored"], st["failed"]) == (5, 5, 0)
    for i in range(5):
        assert origin.count("%s/s%d" % (prefix, i)) == 1
        assert cache_status(lacquer.get("%s/s%d" % (prefix, i))).get("hit") is True
    # a sitemap posted as the body works too
    answer = submit(lacquer, '<?xml version="1.0"?><urlset><url><loc>http://example.com%s/b</loc></url></urlset>'
                    % prefix)
    assert finished(lacquer, answer["id"])["stored"] == 1


def test_missing_sitemap_is_reported(origin, lacquer, prefix):
    origin.script(prefix + "/nope.xml", {"status": 404, "body": "no"})
    st = finished(lacquer, submit(lacquer, None, "?sitemap=http://example.com%s/nope.xml" % prefix)["id"])
    assert st["total"] == 0 and "status 404" in st["error"]


def test_bad_requests_get_clear_answers(lacquer):
    for body in ("[1, 2]", "", "just words\n", '["http://example.com/a"'):
        status, data = admin(lacquer, "POST", "/warm", body)
        assert status == 400 and b"error" in data, (body, status, data)
    assert admin(lacquer, "POST", "/warm?sitemap=ftp://x/y")[0] == 400
    assert admin(lacquer, "GET", "/warm")[0] == 405
    assert admin(lacquer, "POST", "/warm/1")[0] == 405
    assert admin(lacquer, "GET", "/warm/999")[0] == 404
    assert admin(lacquer, "GET", "/warm/x1")[0] == 404
    assert admin(lacquer, "GET", "/warm/99999999999999999999999")[0] == 404


def test_concurrency_is_bounded(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text="[warm]\nconcurrency = 2\nrate = 0\n")
    names = ["c%d" % i for i in range(6)]
    for n in names:
        origin.script("%s/%s" % (prefix, n), dict(ok(n), hold="go"))
    job = submit(l, "\n".join(urls(prefix, names)))["id"]
    wait_until(lambda: origin.count() >= 2, message="two requests at the origin")
    status, data = admin(l, "GET", "/warm/%d" % job)
    assert json.loads(data)["done"] == 0
    assert origin.count() == 2  # held at the origin: no third request was started
    origin.open("go")
    assert finished(l, job)["stored"] == 6


def test_warming_stops_when_memory_fills(origin, start_lacquer, prefix):
    # 1 MiB budget, stop at 5 %: the first 100 KiB object fills it past that.
    l = start_lacquer(origin.port, config_text='[cache]\nmemory = "1M"\n[warm]\nconcurrency = 1\nmax_memory_fill = 5\n')
    names = ["m%d" % i for i in range(10)]
    for n in names:
        origin.script("%s/%s" % (prefix, n), ok(body_size=100 * 1024))
    st = finished(l, submit(l, "\n".join(urls(prefix, names)))["id"])
    assert st["stored"] == 1 and st["skipped"] == 9 and st["stopped_for_memory"] is True
    assert origin.count() == 1


def test_configured_list_runs_at_start(origin, start_lacquer, prefix, tmp_path):
    lst = tmp_path / "warm.txt"
    lst.write_text("\n".join(urls(prefix, ["a", "b", "c"])) + "\n")
    l = start_lacquer(origin.port, config_text='[warm]\nlist = "%s"\n' % lst)
    st = finished(l, 1)
    assert st["stored"] == 3
    assert cache_status(l.get(prefix + "/b")).get("hit") is True
    assert any("warming 3 URLs" in line for line in l.lines)


def test_configured_list_runs_again_every_period_and_is_read_afresh(origin, start_lacquer, prefix, tmp_path):
    lst = tmp_path / "warm.txt"
    lst.write_text("\n".join(urls(prefix, ["a"])) + "\n")
    l = start_lacquer(origin.port, config_text='[warm]\nlist = "%s"\nevery = "1s"\n' % lst)
    assert finished(l, 1)["stored"] == 1
    lst.write_text("\n".join(urls(prefix, ["b"])) + "\n")  # a deploy changed the list
    wait_until(lambda: origin.count(prefix + "/b") == 1, deadline=10, message="a later round to warm /b")
    assert cache_status(l.get(prefix + "/b")).get("hit") is True
    assert origin.count(prefix + "/a") == 1


def test_configured_sitemap_is_warmed_at_start(origin, start_lacquer, prefix):
    entries = "".join("<url><loc>http://example.com%s/m%d</loc></url>" % (prefix, i) for i in range(3))
    origin.script(prefix + "/sitemap.xml", ok('<?xml version="1.0"?><urlset>%s</urlset>' % entries))
    l = start_lacquer(origin.port, config_text='[warm]\nsitemap = "http://example.com%s/sitemap.xml"\n' % prefix)
    st = finished(l, 1)
    assert (st["total"], st["stored"], st["failed"]) == (3, 3, 0)
    for i in range(3):
        assert cache_status(l.get("%s/m%d" % (prefix, i))).get("hit") is True


def test_a_round_is_skipped_while_the_last_one_still_runs(origin, start_lacquer, prefix, tmp_path):
    origin.script(prefix + "/slow", ok(delay_ms=3000))
    lst = tmp_path / "warm.txt"
    lst.write_text("\n".join(urls(prefix, ["slow"])) + "\n")
    l = start_lacquer(origin.port, config_text='[warm]\nlist = "%s"\nevery = "1s"\n' % lst)
    wait_until(lambda: any("round skipped: job 1 " in line for line in l.lines), deadline=10,
               message="a round to be skipped while job 1 waits on the origin")
    assert finished(l, 1)["stored"] == 1
    assert origin.count(prefix + "/slow") == 1


def test_unreadable_configured_list_is_a_config_error(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[warm]\nlist = "%s/none.txt"\n' % tmp_path)
    r = subprocess.run([LACQUER_BIN, "--config", str(cfg), "--check-config"], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 2
    assert "c.toml:2" in r.stderr and "warm.list" in r.stderr and "cannot be read" in r.stderr


def test_warm_command_submits_and_reports_progress(origin, lacquer, prefix, tmp_path):
    lst = tmp_path / "deploy.txt"
    lst.write_text("\n".join(urls(prefix, ["x%d" % i for i in range(8)])) + "\n")
    r = subprocess.run([LACQUER_BIN, "warm", str(lst), "--admin", "127.0.0.1:%d" % lacquer.admin_port],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "job 1" in r.stderr
    assert "[##############################] 100% 8/8  stored 8" in r.stderr
    assert cache_status(lacquer.get(prefix + "/x3")).get("hit") is True
    # a failed URL makes the exit code 1; usage errors are 2
    origin.script(prefix + "/bad", {"status": 500, "body": "x"})
    lst.write_text("http://example.com%s/bad\n" % prefix)
    r = subprocess.run([LACQUER_BIN, "warm", str(lst), "--admin", "127.0.0.1:%d" % lacquer.admin_port],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "failed 1" in r.stderr
    r = subprocess.run([LACQUER_BIN, "warm"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and "usage: lacquer warm FILE" in r.stderr
    r = subprocess.run([LACQUER_BIN, "warm", str(tmp_path / "missing.txt"), "--admin",
                        "127.0.0.1:%d" % lacquer.admin_port], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and "cannot read" in r.stderr


def test_warming_reaches_the_cache_when_the_only_listener_is_tls(origin, start_lacquer, prefix, tmp_path):
    """With [[listen]] tables and no main listener, jobs go in through a table, over TLS when
    that is all there is."""
    cert, key = make_cert(tmp_path, "site", "www.example.com", ["www.example.com"])
    config = '[[listen]]\naddress = "127.0.0.1:0"\ntls = true\ncertificates = [ { cert = "%s", key = "%s" } ]\n' % (
        cert, key)
    lacquer = start_lacquer(origin.port, config_text=config, listen=False)
    assert not any("listening http=" in line for line in lacquer.lines)
    names = ["t%d" % i for i in range(3)]
    st = finished(lacquer, submit(lacquer, "\n".join(urls(prefix, names)))["id"])
    assert (st["total"], st["stored"], st["failed"]) == (3, 3, 0), st
    for n in names:
        assert origin.count("%s/%s" % (prefix, n)) == 1
    status, data = admin(lacquer, "GET", "/stats.json")
    assert status == 200 and json.loads(data)["stored"] >= 3
