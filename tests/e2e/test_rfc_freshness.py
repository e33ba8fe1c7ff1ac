"""RFC 9111 §4.2: freshness lifetime, heuristics, age, and the configured caps."""
import email.utils
import time

import pytest

from lacq import assert_stored_miss, cache_status, hit_ttl, ok, request_header


def http_date(offset=0):
    return email.utils.formatdate(time.time() + offset, usegmt=True)


def ttl_of_second_request(origin, lacquer, path, headers):
    origin.script(path, {"status": 200, "headers": headers, "body": "f"})
    lacquer.get(path)
    return hit_ttl(lacquer.get(path))


def test_precedence_s_maxage_then_max_age_then_expires(origin, lacquer, prefix):
    date = [["Date", http_date()]]
    assert 295 <= ttl_of_second_request(origin, lacquer, prefix + "/1", date + [
        ["Cache-Control", "max-age=100, s-maxage=300"], ["Expires", http_date(900)]]) <= 300
    assert 95 <= ttl_of_second_request(origin, lacquer, prefix + "/2", date + [
        ["Cache-Control", "max-age=100"], ["Expires", http_date(900)]]) <= 100
    assert 895 <= ttl_of_second_request(origin, lacquer, prefix + "/3", date + [
        ["Expires", http_date(900)]]) <= 900


def test_invalid_expires_means_already_stale(origin, lacquer, prefix):
    path = prefix + "/bad-expires"
    origin.script(path, {"status": 200, "headers": [["Expires", "0"], ["ETag", '"e1"']], "body": "x"},
                  {"status": 304, "headers": [["ETag", '"e1"']]})
    lacquer.get(path)
    r = lacquer.get(path)  # stored (it has a validator) but stale: revalidated
    p = cache_status(r)
    assert p.get("fwd") == "stale" and p.get("fwd-status") == "304" and r.body == b"x"
    assert request_header(origin.requests(path)[1], "If-None-Match") == '"e1"'


def test_heuristic_freshness_is_ten_percent_of_age_since_last_modified(origin, lacquer, prefix):
    # modified 10 hours ago -> fresh for 1 hour
    ttl = ttl_of_second_request(origin, lacquer, prefix + "/h", [
        ["Date", http_date()], ["Last-Modified", http_date(-36000)]])
    assert 3590 <= ttl <= 3600


def test_heuristic_is_capped_by_config(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text='[cache]\nheuristic_max_ttl = "10m"\n')
    ttl = ttl_of_second_request(origin, l, prefix + "/hc", [
        ["Date", http_date()], ["Last-Modified", http_date(-864000)]])
    assert 595 <= ttl <= 600


def test_max_ttl_caps_every_lifetime(origin, start_lacquer, prefix):
    l = start_lacquer(origin.port, config_text='[cache]\nmax_ttl = "1m"\n')
    assert 55 <= ttl_of_second_request(origin, l, prefix + "/cap", [
        ["Cache-Control", "max-age=86400"]]) <= 60


def test_age_includes_origin_age_and_is_sent_on_hits(origin, lacquer, prefix):
    path = prefix + "/age"
    origin.script(path, ok("a", max_age=100, headers=[("Age", "40"), ("Date", http_date())]))
    lacquer.get(path)
    r = lacquer.get(path)
    assert 40 <= int(r.headers["Age"]) <= 42
    assert 58 <= hit_ttl(r) <= 60


def test_apparent_age_from_an_old_date(origin, lacquer, prefix):
    path = prefix + "/date"
    origin.script(path, ok("d", max_age=100, headers=[("Date", http_date(-30))]))
    lacquer.get(path)
    r = lacquer.get(path)
    assert 30 <= int(r.headers["Age"]) <= 32


@pytest.mark.parametrize("cc", ["max-age=60, max-age=120", "max-age=abc"])
def test_conflicting_or_invalid_max_age_is_stale(origin, lacquer, prefix, cc):
    path = prefix + "/conflict"
    origin.script(path, {"status": 200, "headers": [["Cache-Control", cc]], "body": "c"})
    lacquer.get(path)
    r = lacquer.get(path)
    assert "hit" not in cache_status(r)
    assert origin.count(path) == 2


def test_response_already_stale_on_arrival_is_not_a_hit(origin, lacquer, prefix):
    path = prefix + "/old"
    origin.script(path, ok("o", max_age=10, headers=[("Age", "20")]))
    assert_stored_miss(lacquer.get(path))
    assert "hit" not in cache_status(lacquer.get(path))
    assert origin.count(path) == 2
