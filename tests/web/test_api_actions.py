"""The JSON API's write actions and downloads: campaign registration, defendant corrections, crawl
jobs, the assumptions editor and an area's CSV/xlsx. Each goes through the same function of
``lagesbild.web.actions`` as its page (same scope checks, audit entries and suppression), answers
400 naming every bad field (422 for a body that does not fit the schema), and needs the CSRF header.
Role x route access of these routes is in test_access.py; CSRF for every API write is here."""

from __future__ import annotations

import html
import io
import uuid
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook
from tests.web.conftest import INJECT, LoggedIn
from tests.web.test_crawl_job import crawl_app, empty_store  # noqa: F401  (fixtures shared with that test)
from tests.web.test_defendant_corrections import _by_case, _record

from lagesbild.records.verdicts import DefendantRecord
from lagesbild.store import Store
from lagesbild.store.campaigns import CampaignStore
from lagesbild.store.verdicts import DefendantStore
from lagesbild.store.web import WebStore
from lagesbild.web.data import suite_for

YEAR = 2024


def _post(u: LoggedIn, path: str, body: dict[str, Any], method: str = "POST") -> Any:
    return u.client.request(method, path, json=body, headers={"X-CSRF-Token": u.csrf})


def _audit(web_store: Store, target: str) -> list[Any]:
    return [e for e in WebStore(web_store).audit_entries(limit=2000) if e.target == target]


def _fields(r: Any) -> set[str]:
    """The fields a 400 or 422 answer names."""
    body = r.json()
    if r.status_code == 422:
        return {str(e["loc"][1]) for e in body["detail"]}  # ("body" or "query", field, ...)
    return {e["field"] for e in body["errors"]}


# -- campaigns ---------------------------------------------------------------------------------
def test_an_analyst_registers_a_campaign_through_the_api(clients: dict[str, LoggedIn], web_store: Store) -> None:
    u = clients["analyst05"]
    name = f"API-kampanj {uuid.uuid4().hex[:6]}"
    r = _post(u, "/api/campaigns", {"name": name, "counties": ["05"], "start": "2024-02-01", "end": "2024-02-20",
                                    "note": "via API"})  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json() == {"name": name, "counties": ["05"], "start": "2024-02-01", "end": "2024-02-20",
                        "note": "via API"}  # fmt: skip
    got = CampaignStore(web_store).get(name)
    assert got.counties == ("05",) and got.start == date(2024, 2, 1) and got.note == "via API"
    assert name in {c["name"] for c in u.client.get("/api/campaigns").json()}
    audit = _audit(web_store, f"campaigns/{name}")
    assert audit and audit[0].action == "change" and audit[0].username == "analyst05"
    assert audit[0].detail == "registered 05 2024-02-01..2024-02-20"  # the same entry as the page writes


def test_bad_campaign_fields_are_named_and_nothing_is_stored(clients: dict[str, LoggedIn], web_store: Store) -> None:
    u = clients["analyst_se"]
    before = {c.name for c in CampaignStore(web_store).list()}
    # the library's checks: 400, every bad field named
    r = _post(u, "/api/campaigns", {"name": "Baklänges", "counties": ["99"], "start": "2024-05-01",
                                    "end": "2024-04-01"})  # fmt: skip
    assert r.status_code == 400 and _fields(r) == {"counties", "end"}
    # the schema's checks: 422, naming the field
    r = _post(u, "/api/campaigns", {"name": "Trasig", "counties": ["05"], "start": "15/4 2024", "end": "2024-05-01"})
    assert r.status_code == 422 and _fields(r) == {"start"}
    r = _post(u, "/api/campaigns", {"name": "", "counties": [], "start": "2024-01-01", "end": "2024-01-02"})
    assert r.status_code == 422 and _fields(r) == {"name", "counties"}
    r = _post(u, "/api/campaigns", {"name": "Okänt fält", "counties": ["05"], "start": "2024-01-01",
                                    "end": "2024-01-02", "budget": 5})  # fmt: skip
    assert r.status_code == 422 and _fields(r) == {"budget"}
    r = _post(u, "/api/campaigns", {"name": "Nolltecken\x00", "counties": ["05"], "start": "2024-01-01",
                                    "end": "2024-01-02"})  # fmt: skip
    assert r.status_code == 400 and _fields(r) == {"name"}
    # a name already registered
    r = _post(u, "/api/campaigns", {"name": "Jönköpingskampanjen", "counties": ["06"], "start": "2024-01-01",
                                    "end": "2024-01-02"})  # fmt: skip
    assert r.status_code == 400 and _fields(r) == {"name"} and "already registered" in r.text
    assert {c.name for c in CampaignStore(web_store).list()} == before
    assert str(CampaignStore(web_store).get("Jönköpingskampanjen").start) == "2024-04-01"


def test_markup_in_a_campaign_name_from_the_api_is_inert_on_the_pages(
    clients: dict[str, LoggedIn], web_store: Store
) -> None:
    from urllib.parse import quote

    from markupsafe import escape

    u = clients["admin"]
    name = INJECT + uuid.uuid4().hex[:4]
    r = _post(u, "/api/campaigns", {"name": name, "counties": ["05"], "start": "2024-03-01", "end": "2024-03-05",
                                    "note": INJECT})  # fmt: skip
    assert r.status_code == 201
    page = u.client.get("/campaigns")
    assert page.status_code == 200
    assert name not in page.text and "<img src=x" not in page.text
    assert str(escape(name)) in page.text and name in html.unescape(page.text)  # shown, as text
    assert name in {c["name"] for c in u.client.get("/api/campaigns").json()}  # in JSON it is data
    # a name with a slash (</script>) can still be asked for by name
    r = u.client.get(f"/api/campaigns/{quote(name, safe='')}")
    assert r.status_code == 200 and r.json()["campaign"]["name"] == name


# -- defendants --------------------------------------------------------------------------------
@pytest.fixture
def rows(web_store: Store) -> dict[str, DefendantRecord]:
    """A fresh defendant in Linköping (05) and one in Jönköping (06), stored."""
    recs = {"05": _record("0580"), "06": _record("0680", court=INJECT)}
    DefendantStore(web_store).add(("0" * 64, r) for r in recs.values())
    return {k: _by_case(web_store, r.case_key) for k, r in recs.items()}


def test_an_analyst_reads_and_corrects_a_defendant_through_the_api(
    clients: dict[str, LoggedIn], web_store: Store, rows: dict[str, DefendantRecord]
) -> None:
    u, d = clients["analyst05"], rows["05"]
    listed = {x["id"] for x in u.client.get("/api/verdicts/defendants").json()}
    assert d.id in listed and rows["06"].id not in listed
    one = u.client.get(f"/api/verdicts/defendants/{d.id}").json()
    assert one["defendant_age"] == 41 and one["offence_kommun"] == "0580" and one["corrected"] is False
    assert "case_key" not in one
    r = _post(u, f"/api/verdicts/defendants/{d.id}", {"defendant_age": 43, "day_fines": 60, "prison_months": None},
              method="PATCH")  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["changed"] == ["defendant_age", "day_fines"]
    assert r.json()["defendant"]["defendant_age"] == 43 and r.json()["defendant"]["corrected"] is True
    got = _by_case(web_store, d.case_key)
    assert (got.defendant_age, got.day_fines, got.corrected) == (43, 60, True)
    assert (got.home_kommun, got.verdict, got.plea, got.offence_dates) == (d.home_kommun, d.verdict, d.plea,
                                                                           d.offence_dates)  # fmt: skip
    r = _post(u, f"/api/verdicts/defendants/{d.id}", {"offence_dates": ["2024-03-06", "2024-03-01"], "ad_used": False,
                                                      "plea": None}, method="PATCH")  # fmt: skip
    assert r.json()["changed"] == ["offence_dates", "ad_used", "plea"]
    got = _by_case(web_store, d.case_key)
    assert (got.offence_dates, got.ad_used, got.plea) == (("2024-03-01", "2024-03-06"), False, None)
    audit = _audit(web_store, f"verdicts/defendants/{d.id}")
    assert [e.detail for e in audit if e.action == "change"] == ["corrected offence_dates,ad_used,plea",
                                                                  "corrected defendant_age,day_fines"]  # fmt: skip
    assert any(e.action == "view" for e in _audit(web_store, f"api/verdicts/defendants/{d.id}"))


def test_bad_corrections_are_named_and_nothing_is_stored(
    clients: dict[str, LoggedIn], web_store: Store, rows: dict[str, DefendantRecord]
) -> None:
    u, d = clients["analyst05"], rows["05"]
    url = f"/api/verdicts/defendants/{d.id}"
    r = _post(u, url, {"defendant_age": 200, "offence_dates": ["5 mars"], "verdict": "skyldig"}, method="PATCH")
    assert r.status_code == 422 and _fields(r) == {"defendant_age", "offence_dates", "verdict"}
    r = _post(u, url, {"verdict": None}, method="PATCH")  # a required field cannot be cleared
    assert r.status_code == 422 and _fields(r) == {"verdict"}
    r = _post(u, url, {"home_kommun": "9999", "offence_kommun": "0680"}, method="PATCH")
    assert r.status_code == 400 and _fields(r) == {"home_kommun"}  # the library's check, every field at once
    r = _post(u, url, {"offence_kommun": "0680"}, method="PATCH")  # out of the analyst's counties
    assert r.status_code == 400 and _fields(r) == {"offence_kommun"}
    r = _post(u, url, {}, method="PATCH")
    assert r.status_code == 200 and r.json()["changed"] == []
    assert _by_case(web_store, d.case_key) == d  # nothing stored, not even the corrected flag


def test_defendants_need_an_analyst_in_scope_and_the_csrf_header(
    clients: dict[str, LoggedIn], web_store: Store, rows: dict[str, DefendantRecord]
) -> None:
    d, other = rows["05"], rows["06"]
    a05 = clients["analyst05"]
    r = a05.client.get(f"/api/verdicts/defendants/{other.id}")
    assert r.status_code == 400 and _fields(r) == {"defendant_id"}
    r = _post(a05, f"/api/verdicts/defendants/{other.id}", {"defendant_age": 30}, method="PATCH")
    assert r.status_code == 400 and _fields(r) == {"defendant_id"}
    for name in ("viewer05", "viewer_se"):
        v = clients[name]
        assert v.client.get(f"/api/verdicts/defendants/{d.id}").status_code == 403
        assert _post(v, f"/api/verdicts/defendants/{d.id}", {"defendant_age": 30}, method="PATCH").status_code == 403
    url = f"/api/verdicts/defendants/{d.id}"
    assert a05.client.patch(url, json={"defendant_age": 30}).status_code == 403
    assert a05.client.patch(url, json={"defendant_age": 30}, headers={"X-CSRF-Token": "x"}).status_code == 403
    assert _by_case(web_store, d.case_key) == d and _by_case(web_store, other.case_key) == other
    # the national analyst reaches the other county's row; its court text with markup is data
    got = clients["analyst_se"].client.get(f"/api/verdicts/defendants/{other.id}").json()
    assert got["court"] == INJECT


# -- crawl jobs --------------------------------------------------------------------------------
def test_crawls_are_for_admins_and_known_sources(clients: dict[str, LoggedIn], web_store: Store) -> None:
    ws = WebStore(web_store)
    before = len(ws.jobs(limit=100_000))
    r = _post(clients["admin"], "/api/sources/no-such-source/crawl", {})
    assert r.status_code == 400 and _fields(r) == {"source"}
    for name in ("analyst_se", "viewer_se"):
        assert _post(clients[name], "/api/sources/annonsportalen/crawl", {}).status_code == 403
    admin = clients["admin"]
    assert admin.client.post("/api/sources/annonsportalen/crawl").status_code == 403
    assert len(ws.jobs(limit=100_000)) == before
    r = _post(admin, "/api/sources/annonsportalen/crawl", {})
    assert r.status_code == 202
    job = admin.client.get(f"/api/jobs/{r.json()['job_id']}").json()
    assert job["kind"] == "crawl" and job["params"] == {"source": "annonsportalen"} and job["status"] == "queued"
    assert any(e.detail == "crawl annonsportalen" for e in _audit(web_store, f"jobs/{r.json()['job_id']}"))


def test_an_admin_crawls_through_the_api_and_polls_the_job(crawl_app: tuple[FastAPI, Store]) -> None:  # noqa: F811
    """End to end with the simulator in-process (the fixture of test_crawl_job.py, both backends)."""
    from tests.web.conftest import login

    app, _ = crawl_app
    u = login(app, "admin")
    r = _post(u, "/api/sources/annonsportalen/crawl", {})
    assert r.status_code == 202
    job_id = r.json()["job_id"]
    assert u.client.get(f"/api/jobs/{job_id}").json()["status"] == "queued"
    assert app.state.web.worker.run_pending() == 1
    job = u.client.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "done" and job["progress"] == 1.0, job
    assert job["result"]["source"] == "annonsportalen" and job["result"]["pages"] > 0
    assert job["result"]["new_observations"] > 0


# -- assumptions -------------------------------------------------------------------------------
def test_the_assumptions_editor_through_the_api(clients: dict[str, LoggedIn], web_store: Store) -> None:
    u = clients["analyst_se"]
    params = u.client.get("/api/assumptions").json()
    assert [p["name"] for p in params] == ["share_genuine", "working_day_share", "clients_per_working_day",
                                           "monitored_share"]  # fmt: skip
    assert all(p["minimum"] < p["nominal"] <= p["maximum"] and p["value"] is None for p in params)
    assert u.client.get(f"/api/areas/05?year={YEAR}").status_code == 200  # the stored estimates exist
    before = suite_for(web_store, "05", date(YEAR, 1, 1), date(YEAR, 12, 31), compute=False)

    def recalculated(clients_per_day: float) -> dict[str, Any]:
        r = _post(u, "/api/assumptions", {"area": "05", "year": YEAR, "clients_per_working_day": clients_per_day})
        assert r.status_code == 200, r.text
        return dict(r.json())

    low, high = recalculated(1), recalculated(3)
    assert low["recalculated"] is not None and low["stored"] == high["stored"]
    assert 2.5 < high["recalculated"]["estimate"] / low["recalculated"]["estimate"] < 3.5
    p = {x["name"]: x["value"] for x in high["parameters"]}
    assert p["clients_per_working_day"] == 3 and p["share_genuine"] is None
    after = suite_for(web_store, "05", date(YEAR, 1, 1), date(YEAR, 12, 31), compute=False)
    assert after.run_id == before.run_id  # nothing stored
    assert any(e.action == "assumptions" and e.detail == "clients_per_working_day=3"
               for e in _audit(web_store, f"05/{YEAR}"))  # fmt: skip


def test_the_page_and_the_api_recalculate_the_same(clients: dict[str, LoggedIn]) -> None:
    import re

    u = clients["analyst_se"]
    api = _post(u, "/api/assumptions", {"area": "05", "year": YEAR, "share_genuine": 0.5}).json()
    page = u.client.post("/assumptions", data={"csrf": u.csrf, "area": "05", "year": str(YEAR), "share_genuine": "0,5"})
    m = re.search(r'class="recalc">.*?data-value="([0-9.]+)"', page.text, re.S)
    assert m and api["recalculated"] is not None
    assert float(m.group(1)) == pytest.approx(api["recalculated"]["estimate"], rel=1e-9)


def test_assumptions_outside_their_range_or_area_are_refused(clients: dict[str, LoggedIn]) -> None:
    u = clients["analyst05"]
    r = _post(u, "/api/assumptions", {"area": "05", "year": YEAR, "share_genuine": 1.7, "monitored_share": 0})
    assert r.status_code == 422 and _fields(r) == {"share_genuine", "monitored_share"}
    r = _post(u, "/api/assumptions", {"area": "05", "year": YEAR, "clients": 2})
    assert r.status_code == 422 and _fields(r) == {"clients"}
    r = _post(u, "/api/assumptions", {"area": "9999", "year": YEAR})
    assert r.status_code == 400 and _fields(r) == {"area"}
    assert _post(u, "/api/assumptions", {"area": "06", "year": YEAR}).status_code == 403
    assert _post(clients["viewer_se"], "/api/assumptions", {"area": "05", "year": YEAR}).status_code == 403
    assert u.client.post("/api/assumptions", json={"area": "05", "year": YEAR}).status_code == 403


def test_an_unpublished_estimate_is_not_recalculated_either(clients: dict[str, LoggedIn], web_store: Store) -> None:
    """Small-count suppression: where the stored purchases figure is not published, neither is the
    recalculated one (the page does the same)."""
    from tests.web.test_pages import _small_kommuns

    k = next(iter(_small_kommuns(web_store)))
    r = _post(clients["admin"], "/api/assumptions", {"area": k, "year": YEAR, "clients_per_working_day": 2})
    assert r.status_code == 200, r.text
    assert r.json()["recalculated"] is None and r.json()["note"]


# -- downloads ---------------------------------------------------------------------------------
def test_the_api_download_is_the_pages_download(clients: dict[str, LoggedIn], web_store: Store) -> None:
    from tests.web.test_pages import _small_kommuns

    from lagesbild import refdata

    k = next(iter(_small_kommuns(web_store)))
    c = clients["admin"].client
    api = c.get(f"/api/areas/{k[:2]}/download?year={YEAR}&format=csv")
    assert api.status_code == 200 and api.headers["content-type"].startswith("text/csv")
    assert f'filename="lagesbild-{k[:2]}-{YEAR}.csv"' in api.headers["content-disposition"]
    assert api.content == c.get(f"/area/{k[:2]}/download?year={YEAR}&format=csv").content
    assert api.content.startswith(b"\xef\xbb\xbf")
    row = next(x for x in api.content.decode("utf-8-sig").splitlines() if x.startswith(refdata.municipality(k).name))
    assert row.split(";")[3] == "<5"  # suppressed as on the page
    x = c.get(f"/api/areas/{k[:2]}/download?year={YEAR}&format=xlsx")
    values = [[cell.value for cell in r] for r in load_workbook(io.BytesIO(x.content)).active.iter_rows()]
    assert next(r for r in values if r[0] == refdata.municipality(k).name)[3] == "<5"
    assert any(e.action == "export" for e in _audit(web_store, f"area/{k[:2]}/{YEAR}.xlsx"))
    r = c.get(f"/api/areas/{k[:2]}/download?format=pdf")
    assert r.status_code == 422 and _fields(r) == {"format"}


# -- CSRF --------------------------------------------------------------------------------------
def test_every_api_write_without_the_csrf_header_is_refused_and_changes_nothing(
    clients: dict[str, LoggedIn], web_store: Store, rows: dict[str, DefendantRecord]
) -> None:
    from tests.web.test_access import WRITES, _fill

    u = clients["admin"]
    ws = WebStore(web_store)
    from lagesbild.web import hash_password

    victim = f"victim-{uuid.uuid4().hex[:8]}"
    ws.add_user(victim, hash_password("z" * 12), role="viewer", scope=("05",))
    ids: dict[str, Any] = {"d05": rows["05"].id or 0, "d06": rows["06"].id or 0, "victim": victim}

    def state() -> Any:
        users = [(x.username, x.password_hash) for x in ws.users()]
        campaigns = {c.name for c in CampaignStore(web_store).list()}
        return len(ws.jobs(limit=100_000)), campaigns, DefendantStore(web_store).defendants(), users

    before = state()
    writes = [(m, p, b) for m, p, b, _ in WRITES if m != "GET"]
    assert {m for m, _, _ in writes} == {"POST", "PATCH", "PUT", "DELETE"}
    for method, path, body in writes:
        for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": ""}):
            r = u.client.request(method, _fill(path, ids), json=_fill(body, ids), headers=headers)
            assert r.status_code == 403, (method, path, headers, r.status_code)
            assert "csrf" in r.json()["error"].lower() or "token" in r.json()["error"].lower(), r.text
    assert state() == before


# -- compare with last year, report files ------------------------------------------------------
def test_the_compare_api_shows_what_the_compare_page_shows(clients: dict[str, LoggedIn]) -> None:
    import re

    c = clients["viewer05"].client
    shown = {f["quantity"]: f for f in c.get(f"/api/areas/05?year={YEAR}").json()["suite"]["figures"]}
    assert shown, "the tiny world has stored estimates for 05"
    r = c.get(f"/api/reports/compare?area=05&year={YEAR}")
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["area"], got["year"], got["last_year"], got["has_data"]) == ("05", YEAR, YEAR - 1, True)
    rows = {x["quantity"]: x for x in got["rows"]}
    assert set(shown) <= set(rows)
    for q, f in shown.items():
        mine = rows[q]["this"]
        assert mine["published"] == f["published"]
        assert mine["estimate"] == (f["estimate"] if f["published"] else None)  # unpublished: no value
        assert rows[q]["last"] is None or rows[q]["last"]["estimate"] is None or rows[q]["change"] is not None
    assert any(not x["this"]["published"] and x["this"]["estimate"] is None for x in rows.values())
    # the page's change column says "inga data" exactly where the API's change is null
    page = c.get(f"/reports/compare?area=05&year={YEAR}").text
    for q, x in rows.items():
        m = re.search(rf'data-quantity="{q}">.*?<td class="num( muted)? change">', page, re.S)
        assert m and (m.group(1) is not None) == (x["change"] is None), q
    assert c.get(f"/api/reports/compare?area=06&year={YEAR}").status_code == 403
    r = c.get("/api/reports/compare?area=9999")
    assert r.status_code == 400 and _fields(r) == {"area"}


def test_a_finished_reports_files_through_the_api(
    clients: dict[str, LoggedIn], web_store: Store, tmp_path: Any
) -> None:
    ws = WebStore(web_store)
    html_file = tmp_path / "lagesbild-05-2024.html"
    html_file.write_text("<h1>Lägesbild</h1>", encoding="utf-8")
    job_05 = ws.add_job("report", {"area": "05", "year": YEAR, "lang": "sv"}, created_by="viewer05")
    ws.update_job(job_05, status="done", progress=1.0, result={"files": {"html": str(html_file)}})
    job_06 = ws.add_job("report", {"area": "06", "year": YEAR, "lang": "sv"}, created_by="viewer05")
    ws.update_job(job_06, status="done", progress=1.0, result={"files": {"html": str(html_file)}})
    queued = ws.add_job("report", {"area": "05", "year": YEAR, "lang": "sv"}, created_by="viewer05")
    owner = clients["viewer05"].client
    r = owner.get(f"/api/jobs/{job_05}/download/html")
    assert r.status_code == 200 and r.content.decode("utf-8") == "<h1>Lägesbild</h1>"
    assert r.headers["content-type"].startswith("text/html") and "attachment" in r.headers["content-disposition"]
    assert r.content == owner.get(f"/jobs/{job_05}/download/html").content  # the page's download
    assert clients["admin"].client.get(f"/api/jobs/{job_05}/download/html").status_code == 200
    for who, job, kind in (("viewer_se", job_05, "html"), ("viewer05", job_06, "html"),
                           ("viewer05", queued, "html"), ("viewer05", job_05, "pdf")):  # fmt: skip
        r = clients[who].client.get(f"/api/jobs/{job}/download/{kind}")
        assert r.status_code == 400 and _fields(r) == {"job_id"}, (who, job, kind)
    r = owner.get(f"/api/jobs/{job_05}/download/docx")
    assert r.status_code == 422 and _fields(r) == {"kind"}
    r = owner.get(f"/api/jobs/{2**63}/download/pdf")  # beyond the database's integers (found by the fuzz test)
    assert r.status_code == 422 and _fields(r) == {"job_id"}
    exports = [e for e in _audit(web_store, f"jobs/{job_05}/html") if e.action == "export"]
    assert {e.username for e in exports} == {"viewer05", "admin"}


def test_recomputing_estimates_is_queued_for_the_analysts_own_areas(
    clients: dict[str, LoggedIn], web_store: Store
) -> None:
    ws = WebStore(web_store)
    r = _post(clients["analyst05"], "/api/estimates", {"year": YEAR})
    assert r.status_code == 202
    job = ws.job(r.json()["job_id"])
    assert job is not None and job.kind == "estimate" and job.params == {"areas": ["05"], "year": YEAR}
    r = _post(clients["analyst_se"], "/api/estimates", {"year": YEAR})
    params = ws.job(r.json()["job_id"]).params  # type: ignore[union-attr]
    assert params["areas"][0] == "SE" and len(params["areas"]) == 22
    assert _post(clients["viewer_se"], "/api/estimates", {"year": YEAR}).status_code == 403
    r = _post(clients["analyst05"], "/api/estimates", {"year": 1800})
    assert r.status_code == 422 and _fields(r) == {"year"}
    # the page refuses a year outside 1990-2100 too now (it queued a job that could only fail)
    u = clients["analyst05"]
    assert u.client.post("/estimates", data={"csrf": u.csrf, "year": "9999"}).status_code == 400


def test_admins_read_the_accounts_and_the_crawlable_sources(clients: dict[str, LoggedIn]) -> None:
    from tests.web.conftest import USERS

    c = clients["admin"].client
    users = {u["username"]: u for u in c.get("/api/users").json()}
    assert set(USERS) <= set(users)
    assert users["analyst05"]["role"] == "analyst" and users["analyst05"]["scope"] == ["05"]
    assert not any("hash" in k or "password" in k for u in users.values() for k in u)
    got = c.get("/api/sources/crawlable").json()
    assert "annonsportalen" in got["sources"]
    assert got["can_crawl"] is False  # this app was made over a bare store, without the installation's key


def test_admins_manage_accounts_through_the_api(app: FastAPI, clients: dict[str, LoggedIn], web_store: Store) -> None:
    from tests.web.conftest import login

    from lagesbild.web import security

    admin = clients["admin"]
    name = f"anna-{uuid.uuid4().hex[:6]}"
    r = _post(admin, "/api/users", {"username": name, "password": "Långt-lösenord-1", "role": "analyst",
                                    "scope": ["05", "06"]})  # fmt: skip
    assert r.status_code == 201, r.text
    assert {k: r.json()[k] for k in ("username", "role", "scope")} == {"username": name, "role": "analyst",
                                                                       "scope": ["05", "06"]}  # fmt: skip
    ws = WebStore(web_store)
    stored = ws.user(name)
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    assert security.verify_password(stored.password_hash, "Långt-lösenord-1")
    assert not any("Långt-lösenord-1" in (e.detail + e.target) for e in ws.audit_entries(limit=500))
    # bad fields are named; nothing is stored
    r = _post(
        admin, "/api/users", {"username": name, "password": "Långt-lösenord-1", "role": "viewer", "scope": ["SE"]}
    )
    assert r.status_code == 400 and _fields(r) == {"username"}  # taken
    r = _post(admin, "/api/users", {"username": "kort", "password": "kort", "role": "boss", "scope": ["99x"]})
    assert r.status_code == 422 and _fields(r) == {"password", "role", "scope"}
    r = _post(admin, "/api/users", {"username": "ny", "password": "x" * 12, "role": "viewer", "scope": ["99"]})
    assert r.status_code == 400 and _fields(r) == {"scope"} and ws.user("ny") is None
    # a new password ends the user's sessions; removal too
    user = login(app, name, "Långt-lösenord-1", ip="10.4.4.4")
    assert user.client.get("/api/me").status_code == 200
    r = _post(admin, f"/api/users/{name}/password", {"password": "Nytt-lösenord-22"}, method="PUT")
    assert r.status_code == 200 and r.json() == {"username": name, "done": True}
    assert user.client.get("/api/me").status_code == 401
    assert _post(admin, "/api/users/no-such-user/password", {"password": "x" * 12}, method="PUT").status_code == 400
    assert _post(admin, f"/api/users/{name}", {}, method="DELETE").status_code == 200
    assert ws.user(name) is None
    r = _post(admin, f"/api/users/{name}", {}, method="DELETE")
    assert r.status_code == 400 and _fields(r) == {"username"}
    r = _post(admin, "/api/users/admin", {}, method="DELETE")
    assert r.status_code == 400 and "yourself" in r.text and ws.user("admin") is not None
    kinds = [e.detail for e in ws.audit_entries(limit=500) if e.target == f"users/{name}"]
    assert kinds[:3] == ["removed", "password reset", "added (analyst)"]
