"""Correcting an extracted defendant from the web: analysts and admins in scope, through the library's
correction path (``review.correct_row`` then ``DefendantStore.correct``); every bad field named and
nothing stored; CSRF-protected; audit-logged as a change."""

from __future__ import annotations

import dataclasses
import html
import uuid

import pytest
from tests.web.conftest import INJECT, LoggedIn

from lagesbild.errors import InputErrors
from lagesbild.records.verdicts import DefendantRecord
from lagesbild.store import Store
from lagesbild.store.verdicts import DefendantStore
from lagesbild.store.web import WebStore
from lagesbild.verdicts.review import EDITABLE, correct_row, field_text


def _record(kommun: str, court: str = "Linköpings tingsrätt") -> DefendantRecord:
    return DefendantRecord(
        case_key="web-" + uuid.uuid4().hex, defendant_index=1, court=court, case_number="B 1740-24",
        date="2024-05-02", appeal=False, verdict="convicted", offence="kop", human_trafficking=False,
        offence_dates=("2024-03-05",), defendant_age=41, home_kommun=kommun, offence_kommun=kommun,
        website=None, ad_used=True, day_fines=50, day_fine_amount=100, conditional_sentence=False,
        prison_months=None, plea="erkänner", fines_only_after_reform=False, confidence={},
    )  # fmt: skip


def _by_case(store: Store, case_key: str) -> DefendantRecord:
    return next(d for d in DefendantStore(store).defendants() if d.case_key == case_key)


@pytest.fixture
def rows(web_store: Store) -> dict[str, DefendantRecord]:
    """A fresh defendant in Linköping (05) and one in Jönköping (06), stored."""
    recs = {"05": _record("0580"), "06": _record("0680", court=INJECT)}
    DefendantStore(web_store).add(("0" * 64, r) for r in recs.values())
    return {k: _by_case(web_store, r.case_key) for k, r in recs.items()}


def _form(d: DefendantRecord, **changes: str) -> dict[str, str]:
    return {**{f: field_text(d, f) for f in EDITABLE}, **changes}


def test_correct_row_round_trips_and_names_every_bad_field() -> None:
    d = _record("0580")
    assert correct_row(d, _form(d)) == dataclasses.replace(d, corrected=True)
    new = correct_row(d, _form(d, defendant_age="42", offence_dates="2024-03-06, 2024-03-01", ad_used="nej"))
    assert (new.defendant_age, new.offence_dates, new.ad_used, new.corrected) == (
        42, ("2024-03-01", "2024-03-06"), False, True)  # fmt: skip
    with pytest.raises(InputErrors) as exc:
        correct_row(d, _form(d, defendant_age="9", home_kommun="9999", verdict="skyldig"), path="f.csv", line=7)
    fields = {e.field for e in exc.value.errors}
    assert fields == {"defendant_age", "home_kommun", "verdict"}
    assert all(e.path == "f.csv" and e.line == 7 for e in exc.value.errors)


def test_an_analyst_corrects_a_defendant_in_their_county(
    clients: dict[str, LoggedIn], web_store: Store, rows: dict[str, DefendantRecord]
) -> None:
    u, d = clients["analyst05"], rows["05"]
    listing = u.client.get("/verdicts").text
    assert f'href="/verdicts/defendants/{d.id}"' in listing
    assert f'href="/verdicts/defendants/{rows["06"].id}"' not in listing
    page = u.client.get(f"/verdicts/defendants/{d.id}")
    assert page.status_code == 200 and 'value="41"' in page.text
    r = u.client.post(f"/verdicts/defendants/{d.id}", data={**_form(d, defendant_age="43", day_fines="60"),
                                                              "csrf": u.csrf}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    got = _by_case(web_store, d.case_key)
    assert (got.defendant_age, got.day_fines, got.corrected) == (43, 60, True)
    assert (got.home_kommun, got.verdict, got.plea) == (d.home_kommun, d.verdict, d.plea)  # the rest untouched
    shown = u.client.get(r.headers["location"]).text
    assert "Rättelsen sparad" in shown and "Ålder" in shown
    audit = [e for e in WebStore(web_store).audit_entries(limit=500) if e.target == f"verdicts/defendants/{d.id}"]
    change = [e for e in audit if e.action == "change"]
    assert change and change[0].username == "analyst05" and change[0].detail == "corrected defendant_age,day_fines"
    assert any(e.action == "view" for e in audit)


def test_bad_fields_are_named_and_nothing_is_stored(
    clients: dict[str, LoggedIn], web_store: Store, rows: dict[str, DefendantRecord]
) -> None:
    u, d = clients["analyst05"], rows["05"]
    r = u.client.post(f"/verdicts/defendants/{d.id}", data={**_form(d, defendant_age="200", offence_dates="5 mars",
                                                              ad_used="kanske"), "csrf": u.csrf})  # fmt: skip
    assert r.status_code == 400
    text = html.unescape(r.text)
    for f in ("defendant_age", "offence_dates", "ad_used"):
        assert f"field '{f}'" in text
    assert 'value="kanske"' in text  # the form keeps what was typed
    assert _by_case(web_store, d.case_key) == d
    # moving the offence out of the analyst's counties is refused too
    r = u.client.post(f"/verdicts/defendants/{d.id}", data={**_form(d, offence_kommun="0680"), "csrf": u.csrf})
    assert r.status_code == 400 and "your counties" in r.text
    assert _by_case(web_store, d.case_key) == d


def test_no_change_writes_nothing(
    clients: dict[str, LoggedIn], web_store: Store, rows: dict[str, DefendantRecord]
) -> None:
    u, d = clients["admin"], rows["05"]
    r = u.client.post(f"/verdicts/defendants/{d.id}", data={**_form(d), "csrf": u.csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("saved=-")
    assert _by_case(web_store, d.case_key).corrected is False


def test_scope_roles_and_csrf(
    clients: dict[str, LoggedIn], web_store: Store, rows: dict[str, DefendantRecord]
) -> None:
    other = rows["06"]
    a05 = clients["analyst05"]
    assert a05.client.get(f"/verdicts/defendants/{other.id}").status_code == 404
    assert a05.client.post(f"/verdicts/defendants/{other.id}",
                           data={**_form(other, defendant_age="30"), "csrf": a05.csrf}).status_code == 404  # fmt: skip
    d = rows["05"]
    url, changed = f"/verdicts/defendants/{d.id}", _form(d, defendant_age="30")
    for name in ("viewer05", "viewer_se"):
        v = clients[name]
        assert v.client.get(url).status_code == 403
        assert v.client.post(url, data={**changed, "csrf": v.csrf}).status_code == 403
    assert a05.client.post(url, data={**changed, "csrf": "x"}).status_code == 403
    assert a05.client.post(url, data=changed).status_code == 403
    assert _by_case(web_store, d.case_key) == d and _by_case(web_store, other.case_key) == other
    # a national analyst reaches both; the court text with markup is inert
    page = clients["analyst_se"].client.get(f"/verdicts/defendants/{other.id}")
    assert page.status_code == 200 and "<script>alert" not in page.text and "&lt;script&gt;" in page.text


def test_english_labels(clients: dict[str, LoggedIn], rows: dict[str, DefendantRecord]) -> None:
    page = clients["admin"].client.get(f"/verdicts/defendants/{rows['05'].id}?lang=en").text
    assert "Save correction" in page and "Offence municipality" in page
    assert "Defendants (review and corrections)" in clients["admin"].client.get("/verdicts?lang=en").text
