"""Issue 18 item 5: requests carrying Upgrade are never answered from the cache nor stored."""
from lacq import cache_status, ok

WS_HEADERS = [("Connection", "Upgrade"), ("Upgrade", "websocket"),
              ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")]


def test_upgrade_request_is_never_answered_from_the_cache_nor_stored(origin, lacquer, prefix):
    path = prefix + "/ws"
    origin.script(path, ok("v1"), ok("v2"), ok("v3"))
    assert "stored" in cache_status(lacquer.get(path))  # a plain GET stores v1
    for i, headers in enumerate([[("Upgrade", "websocket")], WS_HEADERS]):
        r = lacquer.get(path, headers=headers)
        assert r.status == 200 and r.body == b"v%d" % (i + 2), r
        assert "hit" not in cache_status(r) and "stored" not in cache_status(r), r
    assert origin.count(path) == 3
    for record in origin.requests(path)[1:]:  # Upgrade is hop-by-hop: not forwarded
        assert all(n.lower() != "upgrade" for n, _ in record["headers"])
    hit = lacquer.get(path)
    assert hit.body == b"v1" and cache_status(hit).get("hit") is True  # nothing replaced it
