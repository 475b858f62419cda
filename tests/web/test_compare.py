"""Compare with last year on the reports page: the stored figures of both years side by side, a
change only where both years have a published estimate ("inga data" otherwise, never 0)."""

from __future__ import annotations

import re
from datetime import date

from tests.web.conftest import LoggedIn

from lagesbild.store import Store
from lagesbild.web.data import FigureView, SuiteView, suite_for
from lagesbild.web.views import compare_rows

YEAR = 2024


def _suite(year: int, *figs: FigureView) -> SuiteView:
    return SuiteView("05", date(year, 1, 1), date(year, 12, 31), "r", "t", 0.95, figs, "suite")


def _fig(q: str, est: float | None, published: bool = True) -> FigureView:
    return FigureView(q, est, None, None, 0.95, "m", published, "")


def test_change_is_computed_only_where_both_years_are_published() -> None:
    this = _suite(2024, _fig("ads", 120.0), _fig("persons", 30.0), _fig("purchases", 500.0, published=False),
                  _fig("advertisers", 4.0))  # fmt: skip
    last = _suite(2023, _fig("ads", 100.0), _fig("purchases", 400.0), _fig("advertisers", 0.0), _fig("personas", 9.0))
    rows = {r.quantity: r for r in compare_rows(this, last)}
    assert rows["ads"].change == 20.0 and rows["ads"].change_pct == 20.0
    assert rows["persons"].last is None and rows["persons"].change is None  # no data last year
    assert rows["purchases"].change is None  # unpublished this year
    assert rows["advertisers"].change == 4.0 and rows["advertisers"].change_pct is None  # from 0: no percentage
    assert rows["personas"].this is None and rows["personas"].change is None
    assert [r.quantity for r in compare_rows(this, last)][:4] == ["ads", "persons", "purchases", "advertisers"]


def test_the_page_shows_this_year_and_no_change_against_a_year_without_data(
    clients: dict[str, LoggedIn], web_store: Store
) -> None:
    c = clients["admin"].client
    assert c.get(f"/area/05?year={YEAR}").status_code == 200  # the area page computes and stores the estimates
    stored = suite_for(web_store, "05", date(YEAR, 1, 1), date(YEAR, 12, 31), compute=False)
    assert stored.has_data
    page = c.get(f"/reports/compare?area=05&year={YEAR}").text
    assert f"{YEAR} / {YEAR - 1}" in page
    f = next(f for f in stored.figures if f.published and f.estimate is not None)
    shown = f"{f.estimate:,.0f}".replace(",", "\u00a0")
    row = re.search(rf'data-quantity="{f.quantity}">(.*?)</tr>', page, re.S)
    assert row, page
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    assert cells[0] == shown and cells[1] == "inga data" and cells[2] == "inga data"
    # next year's page puts the stored year in the "last year" column, still without a change
    nxt = c.get(f"/reports/compare?area=05&year={YEAR + 1}&lang=en").text
    row = re.search(rf'data-quantity="{f.quantity}">(.*?)</tr>', nxt, re.S)
    assert row and "Compare with last year" in nxt
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1)) == ["no data", shown, "no data"]


def test_compare_rejects_a_bad_year_and_another_county(clients: dict[str, LoggedIn]) -> None:
    assert clients["admin"].client.get("/reports/compare?area=05&year=20x4").status_code == 400
    assert clients["viewer05"].client.get("/reports/compare?area=06").status_code == 403
    assert clients["viewer05"].client.get("/reports/compare").status_code == 200  # defaults to their county
