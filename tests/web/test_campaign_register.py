"""Registering a campaign from the web: analysts and admins, only in their own counties, through the
campaign register; every bad field is named and nothing is stored; the change is audit-logged."""

from __future__ import annotations

import html
import uuid

from tests.web.conftest import INJECT, LoggedIn

from lagesbild.store import Store
from lagesbild.store.campaigns import CampaignStore
from lagesbild.store.web import WebStore


def _names(store: Store) -> set[str]:
    return {c.name for c in CampaignStore(store).list()}


def test_an_analyst_registers_a_campaign_in_their_county(clients: dict[str, LoggedIn], web_store: Store) -> None:
    u = clients["analyst05"]
    assert 'action="/campaigns"' in u.client.get("/campaigns").text
    name = f"Webbkampanj {uuid.uuid4().hex[:6]}"
    r = u.client.post("/campaigns", data={"name": name, "counties": "05", "start": "2024-02-01",
                                          "end": "2024-02-20", "note": "från webben", "csrf": u.csrf},
                      follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/campaigns/")
    got = CampaignStore(web_store).get(name)
    assert got.counties == ("05",) and str(got.start) == "2024-02-01" and got.note == "från webben"
    page = u.client.get(r.headers["location"])
    assert page.status_code == 200 and name in html.unescape(page.text)
    audit = [e for e in WebStore(web_store).audit_entries(limit=200) if e.target == f"campaigns/{name}"]
    assert audit and audit[0].action == "change" and audit[0].username == "analyst05"


def test_bad_fields_are_named_and_nothing_is_stored(clients: dict[str, LoggedIn], web_store: Store) -> None:
    u = clients["analyst05"]
    before = _names(web_store)
    r = u.client.post("/campaigns", data={"name": "Trasig", "counties": "05", "start": "15/4 2024",
                                          "end": "2024-13-01", "csrf": u.csrf})  # fmt: skip
    assert r.status_code == 400
    text = html.unescape(r.text)
    assert "field 'start'" in text and "field 'end'" in text
    assert 'value="15/4 2024"' in text  # the form keeps what was typed
    r = u.client.post("/campaigns", data={"name": "Baklänges", "counties": "05", "start": "2024-05-01",
                                          "end": "2024-04-01", "csrf": u.csrf})  # fmt: skip
    assert r.status_code == 400 and "end" in r.text
    assert _names(web_store) == before


def test_a_duplicate_name_is_a_field_error(clients: dict[str, LoggedIn], web_store: Store) -> None:
    u = clients["analyst_se"]
    r = u.client.post("/campaigns", data={"name": "Jönköpingskampanjen", "counties": "06", "start": "2024-01-01",
                                          "end": "2024-01-02", "csrf": u.csrf})  # fmt: skip
    assert r.status_code == 400 and "already registered" in r.text
    assert str(CampaignStore(web_store).get("Jönköpingskampanjen").start) == "2024-04-01"  # untouched


def test_a_county_analyst_cannot_register_in_another_county(clients: dict[str, LoggedIn], web_store: Store) -> None:
    u = clients["analyst05"]
    r = u.client.post("/campaigns", data={"name": "Utanför", "counties": "05, 06", "start": "2024-01-01",
                                          "end": "2024-01-31", "csrf": u.csrf})  # fmt: skip
    assert r.status_code == 400 and "outside your counties" in r.text
    assert "Utanför" not in _names(web_store)


def test_viewers_and_forged_posts_are_refused(clients: dict[str, LoggedIn], web_store: Store) -> None:
    data = {"name": "Förbjuden", "counties": "05", "start": "2024-01-01", "end": "2024-01-31"}
    viewer = clients["viewer05"]
    assert 'action="/campaigns"' not in viewer.client.get("/campaigns").text
    assert viewer.client.post("/campaigns", data={**data, "csrf": viewer.csrf}).status_code == 403
    analyst = clients["analyst05"]
    assert analyst.client.post("/campaigns", data={**data, "csrf": "forged"}).status_code == 403
    assert analyst.client.post("/campaigns", data=data).status_code == 403
    assert "Förbjuden" not in _names(web_store)


def test_markup_in_a_registered_name_is_inert(clients: dict[str, LoggedIn], web_store: Store) -> None:
    u = clients["admin"]
    name = INJECT + uuid.uuid4().hex[:4]
    r = u.client.post("/campaigns", data={"name": name, "counties": "05", "start": "2024-01-01",
                                          "end": "2024-01-31", "csrf": u.csrf},
                      follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    page = u.client.get("/campaigns").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_english_form(clients: dict[str, LoggedIn]) -> None:
    page = clients["analyst05"].client.get("/campaigns?lang=en").text
    assert "Register a campaign" in page
    assert "Registrera kampanj" in clients["analyst05"].client.get("/campaigns?lang=sv").text
