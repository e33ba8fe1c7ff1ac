"""Issue 18 item 6: a PURGE that says something unclear is refused (400 with the reason), never
guessed into another purge."""
import json

import pytest

from lacq import assert_stored_miss, cache_status, ok, request


def is_hit(r):
    return cache_status(r).get("hit") is True


def purge(lacquer, headers, path="/"):
    r = request(lacquer.port, "PURGE", path, headers=headers)
    return r, json.loads(r.body) if r.body else None


def warm(lacquer, origin, path, tags="t18"):
    origin.script(path, ok("v", headers=[["Surrogate-Key", tags]]))
    assert_stored_miss(lacquer.get(path))
    assert is_hit(lacquer.get(path))


@pytest.mark.parametrize("value", ["yes", "true", "on", "1", "YES"])
def test_purge_all_accepts_the_usual_booleans(origin, lacquer, prefix, value):
    warm(lacquer, origin, prefix + "/a")
    r, body = purge(lacquer, [("Purge-All", value)])
    assert r.status == 200 and body["purged"] == "all", r
    assert not is_hit(lacquer.get(prefix + "/a"))


def test_soft_purge_yes_is_soft(origin, lacquer, prefix):
    warm(lacquer, origin, prefix + "/s", "soft18")
    r, body = purge(lacquer, [("Surrogate-Key", "soft18"), ("Soft-Purge", "yes")])
    assert r.status == 200 and body["soft"] is True, r
    lacquer.expect_stat('lacquer_purges_total{scope="tag",kind="soft"}', 1)


@pytest.mark.parametrize("headers,named", [
    ([("Purge-All", "maybe")], "Purge-All"),
    ([("Purge-all", "please")], "Purge-all"),
    ([("Soft-Purge", "soft"), ("Surrogate-Key", "t18")], "Soft-Purge"),
    ([("Surrogate-Keys", "t18")], "Surrogate-Keys"),
    ([("X-Purge-All", "1")], "X-Purge-All"),
    ([("Surrogate_Key", "t18")], "Surrogate_Key"),
    ([("Purge-All", "1"), ("Surrogate-Key", "t18")], "Purge-All and Surrogate-Key"),
])
def test_unclear_purge_is_400_naming_the_field_and_purges_nothing(origin, lacquer, prefix, headers, named):
    warm(lacquer, origin, prefix + "/k")
    before = lacquer.metric("lacquer_purges_total") or 0
    r, body = purge(lacquer, headers)
    assert r.status == 400, r
    assert named in body["error"], body
    assert is_hit(lacquer.get(prefix + "/k"))
    assert (lacquer.metric("lacquer_purges_total") or 0) == before


def test_admin_soft_parameter_is_checked(lacquer):
    r = request(lacquer.admin_port, "POST", "/purge/tag/x?soft=maybe")
    assert r.status == 400 and b"soft" in r.body
    r = request(lacquer.admin_port, "POST", "/purge/tag/x?soft=yes")
    assert r.status == 200 and json.loads(r.body)["soft"] is True
