"""1xx interim responses from the origin reach HTTP/1.1 clients and are never cached; an
origin that closes without answering is a 502, not a hang."""
import pytest

from lacq import build_request, cache_status, hit_ttl, ok


@pytest.mark.parametrize("status", [103, 102, 100])
def test_interim_responses_are_forwarded(origin, lacquer, prefix, status):
    path = prefix + "/i"
    hints = [["Link", "</style.css>; rel=preload; as=style"]] if status == 103 else []
    origin.script(path, dict(ok("final", max_age=60), interim=[[status, hints]]))
    with lacquer.conn() as c:
        c.send(build_request("GET", path))
        r = c.read_response()
    assert r.status == 200 and r.body == b"final"
    assert [i.status for i in r.interim] == [status]
    if status == 103:
        assert r.interim[0].headers.get("Link") == "</style.css>; rel=preload; as=style"
    hit = lacquer.get(path)
    hit_ttl(hit)
    assert hit.body == b"final"


def test_interim_not_sent_to_http10_clients(origin, lacquer, prefix):
    path = prefix + "/i10"
    origin.script(path, dict(ok("final", max_age=60), interim=[[103, [["Link", "</a>; rel=preload"]]]]))
    with lacquer.conn() as c:
        c.send(build_request("GET", path, version="HTTP/1.0"))
        r = c.read_response()
    assert r.status == 200 and r.interim == []


def test_origin_closing_without_an_answer_is_502(origin, lacquer, prefix):
    path = prefix + "/gone"
    origin.script(path, {"no_response": True})
    r = lacquer.get(path)
    assert r.status == 502
    assert "origin" in str(cache_status(r).get("detail"))
