"""What the pages and the API show: the stored estimates, small counts suppressed everywhere (pages,
map, API, CSV, xlsx), "inga data" where there is none, Swedish by default and English on request."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from openpyxl import load_workbook
from tests.web.conftest import LoggedIn, login

from lagesbild.store import Store
from lagesbild.web.data import WebData, suite_for

YEAR = 2024


def _small_kommuns(web_store: Store) -> dict[str, int]:
    """Municipalities whose true 2024 ad count is 1-4 (must never be published)."""
    counts = WebData(web_store)._year_counts(YEAR).by_kommun
    small = {k: n for k, n in counts.items() if 0 < n < 5}
    assert small, "the tiny world has municipalities with few ads"
    return small


def test_small_counts_are_suppressed_in_the_api_and_the_map(clients: dict[str, LoggedIn], web_store: Store) -> None:
    small = _small_kommuns(web_store)
    cells = clients["admin"].client.get(f"/api/map/kommun?year={YEAR}").json()
    for k in small:
        assert cells[k]["value"] is None and cells[k]["shown"] == "<5"
    pages = {lan: clients["admin"].client.get(f"/area/{lan}?year={YEAR}").text for lan in {k[:2] for k in small}}
    for k in small:
        page = pages[k[:2]]
        m = re.search(rf'data-code="{k}" data-value="([^"]*)"', page)
        assert m and html.unescape(m.group(1)) == "<5"


def test_small_counts_are_suppressed_in_downloads(clients: dict[str, LoggedIn], web_store: Store) -> None:
    from lagesbild import refdata

    small = _small_kommuns(web_store)
    k, n = next(iter(small.items()))
    c = clients["admin"].client
    raw = c.get(f"/area/{k[:2]}/download?year={YEAR}&format=csv").content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Swedish Excel
    text = raw.decode("utf-8-sig")
    assert ";" in text.splitlines()[0] and "," not in text.splitlines()[0]
    row = next(line for line in text.splitlines() if line.startswith(refdata.municipality(k).name + ";"))
    assert row.split(";")[3] == "<5"
    wb = load_workbook(io.BytesIO(c.get(f"/area/{k[:2]}/download?year={YEAR}&format=xlsx").content))
    values = [[cell.value for cell in r] for r in wb.active.iter_rows()]
    mine = next(r for r in values if r[0] == refdata.municipality(k).name)
    assert mine[3] == "<5" and n not in mine


def test_an_area_without_data_says_so_and_never_shows_zero(clients: dict[str, LoggedIn]) -> None:
    c = clients["admin"].client
    data = c.get(f"/api/areas/0114?year={YEAR}").json()  # Upplands Väsby: not in the tiny world
    assert data["coverage"]["has_data"] is False
    assert data["suite"]["figures"] == []
    page = c.get(f"/area/0114?year={YEAR}").text
    assert "inga data" in page
    assert "0114" not in c.get(f"/api/map/kommun?year={YEAR}").json()
    se = c.get(f"/area/SE?year={YEAR}").text
    blekinge = re.search(r'data-code="10" data-value="([^"]*)"', se)
    assert blekinge and blekinge.group(1) == "inga data"


def test_pages_show_the_stored_estimates(clients: dict[str, LoggedIn], web_store: Store) -> None:
    api = clients["admin"].client.get(f"/api/areas/05?year={YEAR}").json()
    stored = suite_for(web_store, "05", date(YEAR, 1, 1), date(YEAR, 12, 31), compute=False)
    assert stored.has_data
    by_q = {f["quantity"]: f for f in api["suite"]["figures"]}
    for f in stored.figures:
        if f.published and f.estimate is not None:
            assert by_q[f.quantity]["estimate"] == f.estimate
    assert api["suite"]["run_id"] == stored.run_id
    purchases = stored.figure("purchases")
    assert purchases is not None and purchases.estimate is not None
    page = clients["admin"].client.get(f"/area/05?year={YEAR}").text
    shown = f"{purchases.estimate:,.0f}".replace(",", "\u00a0")
    assert re.search(rf'data-quantity="purchases">\s*<th[^>]*>[^<]*</th>\s*<td class="num">{shown}</td>', page)


def test_an_unpublished_figure_says_why_in_the_pages_language(clients: dict[str, LoggedIn]) -> None:
    sv = clients["admin"].client.get(f"/area/05?year={YEAR}").text
    en = clients["admin"].client.get(f"/area/05?year={YEAR}&lang=en").text
    row = re.compile(r'data-quantity="persons_crc">.*?</tr>', re.S)
    sv_row, en_row = row.search(sv), row.search(en)
    assert sv_row is not None and en_row is not None  # the hidden population is stored but not published
    assert "ej publicerad" in sv_row.group(0) and "inte kalibrerad" in sv_row.group(0)
    assert "not yet calibrated" not in sv_row.group(0)
    assert "not yet calibrated" in en_row.group(0)


def test_swedish_by_default_english_on_request_and_as_a_setting(app: FastAPI) -> None:
    u = login(app, "viewer05")
    assert "Nyckeltal" in u.client.get("/area/05").text
    assert "Key figures" in u.client.get("/area/05?lang=en").text
    u.client.post("/settings/lang", data={"csrf": u.csrf, "lang": "en", "next": "/area/05"})
    assert "Key figures" in u.client.get("/area/05").text
    assert "Nyckeltal" in u.client.get("/area/05?lang=sv").text
    u.client.post("/settings/lang", data={"csrf": u.csrf, "lang": "sv"})


def test_every_word_the_templates_use_exists_in_both_languages() -> None:
    from lagesbild.web.i18n import STRINGS

    root = Path(__file__).resolve().parents[2] / "src" / "lagesbild" / "web" / "templates"
    pattern = re.compile(r"(?<![\w.])t\('([a-z0-9_]+)'")
    used = {m for p in root.glob("*.html") for m in pattern.findall(p.read_text(encoding="utf-8"))}
    assert used, "the templates use t()"
    assert not used - set(STRINGS), sorted(used - set(STRINGS))
    from lagesbild.records.estimates import QUANTITIES  # keys built in templates: quantity labels, job kinds
    from lagesbild.verdicts.review import EDITABLE
    from lagesbild.web.jobs import JOB_KINDS

    statuses = ("queued", "running", "done", "failed")
    dynamic = {f"q_{q}" for q in QUANTITIES} | {f"kind_{k}" for k in JOB_KINDS} | {f"status_{x}" for x in statuses}
    dynamic |= {f"{p}_{f}" for p in ("dfield", "dhelp") for f in EDITABLE}  # the defendant correction form
    assert not dynamic - set(STRINGS), sorted(dynamic - set(STRINGS))
    assert all(sv and en for sv, en in STRINGS.values())


def test_bad_input_gets_a_clear_400_naming_the_field(clients: dict[str, LoggedIn]) -> None:
    c = clients["admin"].client
    r = c.get("/area/9999")
    assert r.status_code == 400 and "area" in r.text
    r = c.get("/area/05?year=abc")
    assert r.status_code == 400 and "year" in r.text
    r = c.get("/api/areas/05?year=abc")
    assert r.status_code == 422


def test_an_assumption_outside_its_range_is_refused_naming_it(clients: dict[str, LoggedIn]) -> None:
    u = clients["analyst_se"]
    r = u.client.post("/assumptions", data={"csrf": u.csrf, "area": "05", "year": str(YEAR), "share_genuine": "1.7"})
    assert r.status_code == 400 and "share_genuine" in r.text
    r = u.client.post("/assumptions", data={"csrf": u.csrf, "area": "05", "year": str(YEAR), "share_genuine": "x"})
    assert r.status_code == 400 and "share_genuine" in r.text


def test_an_assumption_changes_the_recalculated_purchases_not_the_stored_ones(
    clients: dict[str, LoggedIn], web_store: Store
) -> None:
    u = clients["analyst_se"]
    # the area's page computes and stores its suite on first view (the recalculation shows the stored
    # figure beside its own); view it first, so that this test does not depend on the tests before it
    assert u.client.get(f"/area/05?year={YEAR}").status_code == 200
    before = suite_for(web_store, "05", date(YEAR, 1, 1), date(YEAR, 12, 31), compute=False)
    assert before.run_id is not None

    def recalculated(clients_per_day: str) -> float:
        r = u.client.post("/assumptions", data={"csrf": u.csrf, "area": "05", "year": str(YEAR),
                                                "clients_per_working_day": clients_per_day})  # fmt: skip
        assert r.status_code == 200
        m = re.search(r'class="recalc">.*?data-value="([0-9.]+)"', r.text, re.S)
        assert m, r.text[-2000:]
        return float(m.group(1))

    low, high = recalculated("1"), recalculated("3")
    assert 2.5 < high / low < 3.5  # purchases scale with clients per working day
    after = suite_for(web_store, "05", date(YEAR, 1, 1), date(YEAR, 12, 31), compute=False)
    assert after.run_id == before.run_id


def test_a_campaign_page_shows_its_effect_and_ad_days(clients: dict[str, LoggedIn]) -> None:
    c = clients["admin"].client
    data = c.get("/api/campaigns/Jönköpingskampanjen").json()
    assert data["campaign"]["counties"] == ["06"]
    assert data["days"], "ad-days around the campaign"
    assert all("2024-02-04" <= d <= "2024-06-09" for d, _ in data["days"])
    page = c.get("/campaigns/Jönköpingskampanjen").text
    assert "Jönköpingskampanjen" in page and "<svg" in page
    if data["rate_ratio"] is not None:
        assert data["low"] <= data["rate_ratio"] <= data["high"]
        assert 'id="effect"' in page
    else:
        assert data["note"] and "inga data" in page
    assert c.get("/campaigns/no-such-campaign").status_code == 404


def test_a_campaign_page_shows_one_row_per_measure(clients: dict[str, LoggedIn]) -> None:
    c = clients["admin"].client
    data = c.get("/api/campaigns/Jönköpingskampanjen").json()
    assert [r["series"] for r in data["series"]] == ["ad_days", "new_ads", "active_persons", "purchases"]
    page = c.get("/campaigns/Jönköpingskampanjen").text
    assert 'id="campaign-series"' in page and page.count("<tr data-series=") == 4
    for r in data["series"]:
        assert r["verdict_sv"] in page  # the plain Swedish verdict of every measure
        if r["effect"] is not None:
            assert r["effect"]["low"] <= r["effect"]["rate_ratio"] <= r["effect"]["high"]
