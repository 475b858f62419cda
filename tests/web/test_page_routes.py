"""Page routes with awkward path parameters (issue 14 follow-up):

- a campaign or user name with a slash (or ``?``, ``#``, ``%``) reaches its page and forms, from the
  redirect after registering and from the links the pages build (and the API's routes for them);
- an integer id outside the database's integer range is "not found" (404), never a 500 (SQLite
  cannot even bind it).
"""

from __future__ import annotations

import html
import re
import uuid
from urllib.parse import quote

import pytest
from tests.web.conftest import PASSWORD, LoggedIn

from lagesbild.store import Store
from lagesbild.store.campaigns import CampaignStore
from lagesbild.store.web import WebStore

# A slash, a query and a fragment mark, a percent sign. (Not a valid escape such as "%2F" in the name:
# Starlette's test client decodes a request's path twice, a real server once.)
AWKWARD = "Vår/höst ?x=1 #2 100% "


def test_a_campaign_name_with_a_slash_reaches_its_page(clients: dict[str, LoggedIn], web_store: Store) -> None:
    u = clients["analyst05"]
    name = f"{AWKWARD} {uuid.uuid4().hex[:6]}"
    r = u.client.post("/campaigns", data={"name": name, "counties": "05", "start": "2024-02-01",
                                          "end": "2024-02-20", "note": "", "csrf": u.csrf},
                      follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert CampaignStore(web_store).get(name).counties == ("05",)
    landing = r.headers["location"]
    page = u.client.get(landing)  # where the user lands after registering
    assert page.status_code == 200 and name in html.unescape(page.text)
    assert "<svg" in page.text
    listing = u.client.get("/campaigns").text  # the link the campaigns list builds
    links = [html.unescape(h) for h in re.findall(r'href="(/campaigns/[^"]+)"', listing)]
    mine = [h for h in links if name.split()[-1] in h]
    assert len(mine) == 1, links
    page = u.client.get(mine[0])
    assert page.status_code == 200 and name in html.unescape(page.text)
    assert u.client.get("/campaigns/Vår/ingen-sådan").status_code == 404
    for bad in (".", ".."):  # its page's address would be a dot segment: refused, naming the field
        r = u.client.post("/campaigns", data={"name": bad, "counties": "05", "start": "2024-02-01",
                                              "end": "2024-02-20", "csrf": u.csrf})  # fmt: skip
        assert r.status_code == 400 and "name" in r.text
        assert bad not in {c.name for c in CampaignStore(web_store).list()}
    # the API's route for the same campaign (it takes a path already)
    assert u.client.get(landing.replace("/campaigns/", "/api/campaigns/", 1)).status_code == 200


def test_a_user_name_with_a_slash_can_be_reset_and_removed(clients: dict[str, LoggedIn], web_store: Store) -> None:
    admin = clients["admin"]
    name = f"ny/{uuid.uuid4().hex[:6]}?#%"
    r = admin.client.post("/admin/users", data={"csrf": admin.csrf, "username": name, "password": PASSWORD,
                                                "role": "viewer", "scope": "05"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and WebStore(web_store).user(name) is not None
    page = admin.client.get("/admin/users").text
    actions = [html.unescape(a) for a in re.findall(r'action="(/admin/users/[^"]+)"', page)]
    reset = next(a for a in actions if a.endswith("/reset") and name[3:9] in a)
    remove = next(a for a in actions if a.endswith("/remove") and name[3:9] in a)
    old = WebStore(web_store).user(name)
    assert old is not None
    r = admin.client.post(reset, data={"csrf": admin.csrf, "password": PASSWORD + "-nytt"}, follow_redirects=False)
    assert r.status_code == 303
    new = WebStore(web_store).user(name)
    assert new is not None and new.password_hash != old.password_hash
    quoted = quote(name, safe="")  # the API's routes for the same account
    r = admin.client.put(f"/api/users/{quoted}/password", json={"password": PASSWORD + "-api"},
                         headers={"X-CSRF-Token": admin.csrf})  # fmt: skip
    assert r.status_code == 200 and r.json()["username"] == name
    newer = WebStore(web_store).user(name)
    assert newer is not None and newer.password_hash != new.password_hash
    r = admin.client.post(remove, data={"csrf": admin.csrf}, follow_redirects=False)
    assert r.status_code == 303 and WebStore(web_store).user(name) is None
    assert admin.client.delete(f"/api/users/{quoted}", headers={"X-CSRF-Token": admin.csrf}).status_code == 400
    for bad in (".", ".."):  # an address with such a segment cannot be reached
        r = admin.client.post("/admin/users", data={"csrf": admin.csrf, "username": bad, "password": PASSWORD,
                                                    "role": "viewer", "scope": "05"})  # fmt: skip
        assert r.status_code == 400 and "username" in r.text and WebStore(web_store).user(bad) is None


@pytest.mark.parametrize("big", [2**63, 2**64, -(2**63) - 1])
def test_an_id_beyond_the_databases_integers_is_not_found(clients: dict[str, LoggedIn], big: int) -> None:
    u = clients["analyst_se"]
    for path in (f"/jobs/{big}", f"/jobs/{big}/download/html", f"/verdicts/defendants/{big}"):
        r = u.client.get(path)
        assert r.status_code == 404, (path, r.status_code)
        assert "<html" in r.text.lower()  # the error page, not a bare answer
    r = u.client.post(f"/verdicts/defendants/{big}", data={"csrf": u.csrf, "defendant_age": "40"})
    assert r.status_code == 404
    assert u.client.get("/jobs/9223372036854775807").status_code == 404  # the largest id: just not there
