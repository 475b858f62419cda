"""Small-number protection: primary and complementary suppression across nested tables."""

from __future__ import annotations

import random
from datetime import date

from lagesbild.refdata import municipalities
from lagesbild.report.suppress import (
    Relation,
    plan_period,
    plan_suppression,
    protect,
    protect_breakdown,
    suppress_cells,
    week_cell,
    weeks_of,
)


def test_a_single_small_cell_gets_a_complementary_cell_when_the_total_is_published() -> None:
    marks, total = suppress_cells({"a": 3, "b": 40, "c": 12}, threshold=5, total=55)
    assert marks == {"a": "primary", "b": None, "c": "secondary"}
    assert total is None


def test_hidden_cells_summing_below_the_threshold_get_another_cell() -> None:
    marks, _ = suppress_cells({"a": 1, "b": 2, "c": 30, "d": 9}, threshold=5, total=42)
    assert marks["a"] == marks["b"] == "primary"
    assert marks["d"] == "secondary" and marks["c"] is None


def test_zeros_are_published_and_cannot_protect() -> None:
    marks, total = suppress_cells({"a": 2, "b": 0, "c": 0}, threshold=5, total=2)
    assert marks == {"a": "primary", "b": None, "c": None}
    assert total == "primary"


def test_a_single_nonzero_cell_hides_the_total() -> None:
    marks, total = suppress_cells({"a": 2, "b": 0, "c": 10}, threshold=5, total=12)
    assert marks["a"] == "primary" and marks["c"] == "secondary"
    assert total is None
    marks, total = suppress_cells({"a": 2, "b": 0}, threshold=5, total=2)
    assert total == "primary"


def test_nationwide_plan_never_lets_a_total_give_back_a_hidden_cell() -> None:
    kl = {c: m.county_code for c, m in municipalities().items()}
    # County 05: one small municipality; county 25: its whole total small; every other county large.
    values = {c: 50 for c in kl}
    values["0580"] = 3
    for c in kl:
        if kl[c] == "25":
            values[c] = 0
    values["2580"] = 2
    plan = plan_suppression(values, kl, threshold=5)
    assert plan.mark("0580") == "primary"
    in05 = [c for c in kl if kl[c] == "05" and plan.mark(c) is not None]
    assert len(in05) >= 2, "the county total minus the other municipalities would give 0580 back"
    assert plan.mark("25") == "primary"
    hidden_counties = [lan for lan, m in plan.lan.items() if m is not None]
    assert len(hidden_counties) >= 2, "the national total minus the other counties would give county 25 back"
    # a county hidden in the national table keeps a hidden municipality, so its total cannot be summed up
    for lan in hidden_counties:
        assert any(plan.mark(c) is not None and values[c] > 0 for c in kl if kl[c] == lan)


def test_the_threshold_is_a_setting() -> None:
    marks, _ = suppress_cells({"a": 7, "b": 100, "c": 50}, threshold=10, total=157)
    assert marks["a"] == "primary"


# -- one plan for every table of a period -------------------------------------------------------------

def _recoverable(values: dict, relations: list, marks: dict, threshold: int) -> list[str]:
    """Every way a hidden cell follows from one relation (the checks of test_differencing, on a plan)."""
    out = []
    for r in relations:
        unknown = [p for p in r.parts if marks.get(p) is not None and values.get(p, 0) > 0]
        if marks.get(r.total) is None:
            s = sum(values.get(p, 0) for p in unknown)
            if len(unknown) == 1 or 0 < s < threshold:
                out.append(f"{unknown} from {r.total}")
        elif values.get(r.total, 0) > 0 and not unknown:
            out.append(f"{r.total} from its parts")
    return out


def test_protect_closes_a_two_way_table_rows_and_columns() -> None:
    # municipalities x weeks with row totals (each municipality's ad-days) and column totals (the county's week)
    rng = random.Random(4)
    rows, cols = [f"k{i}" for i in range(6)], [f"w{j}" for j in range(5)]
    values = {("c", f"{r}|{c}"): rng.choice([0, 1, 2, 3, 8, 20, 40]) for r in rows for c in cols}
    for r in rows:
        values[("row", r)] = sum(values[("c", f"{r}|{c}")] for c in cols)
    for c in cols:
        values[("col", c)] = sum(values[("c", f"{r}|{c}")] for r in rows)
    values[("all", "")] = sum(values[("row", r)] for r in rows)
    rels = [Relation(("row", r), tuple(("c", f"{r}|{c}") for c in cols)) for r in rows]
    rels += [Relation(("col", c), tuple(("c", f"{r}|{c}") for r in rows)) for c in cols]
    rels += [Relation(("all", ""), tuple(("row", r) for r in rows))]
    rels += [Relation(("all", ""), tuple(("col", c) for c in cols))]
    marks = protect(values, rels, threshold=5)
    assert any(m == "primary" for m in marks.values()) and any(m == "secondary" for m in marks.values())
    assert all(marks[k] == "primary" for k, v in values.items() if 0 < v < 5)
    assert all(marks[k] is None for k, v in values.items() if v == 0), "zeros are published"
    assert _recoverable(values, rels, marks, 5) == []


def test_forced_cells_are_hidden_and_protected() -> None:
    values = {("t", "A"): 30, ("t", "a1"): 10, ("t", "a2"): 12, ("t", "a3"): 8}
    rels = [Relation(("t", "A"), (("t", "a1"), ("t", "a2"), ("t", "a3")))]
    marks = protect(values, rels, threshold=5, forced=[("t", "a2")])
    assert marks[("t", "a2")] == "secondary" and marks[("t", "a3")] == "secondary" and marks[("t", "a1")] is None


def test_period_plan_protects_weeks_against_the_county_week_and_the_area_total() -> None:
    kl = {c: m.county_code for c, m in municipalities().items()}
    start, end = date(2024, 3, 1), date(2024, 3, 31)
    weeks = weeks_of(start, end)
    assert weeks[0] == "2024-02-26" and len(weeks) == 5
    rng = random.Random(7)
    daily: dict[tuple[str, str], int] = {}
    for k in [c for c in kl if kl[c] == "05"]:
        for d in range(1, 32, 3):
            daily[(f"2024-03-{d:02d}", k)] = rng.choice([0, 1, 1, 2, 6])
    small = sorted(c for c in kl if kl[c] == "05")[0]
    daily = {key: n for key, n in daily.items() if key[1] != small}
    daily[("2024-03-05", small)] = 3  # a municipality with 3 ad-days in the month: hidden, and its weeks
    ad_days: dict[str, int] = {}
    for (_, k), n in daily.items():
        ad_days[k] = ad_days.get(k, 0) + n
    ads = {k: max(1, n // 3) for k, n in ad_days.items()}
    plans = plan_period(ads=ads, ad_days=ad_days, daily=daily, kommun_lan=kl, start=start, end=end, threshold=5)
    week = plans["week"]
    # rebuild the cells and relations independently and check that nothing hidden follows from one of them
    vals: dict = {}
    marks: dict = {}
    for k in [c for c in kl if kl[c] == "05"] + ["05"]:
        members = [k] if k != "05" else [c for c in kl if kl[c] == "05"]
        vals[("ad_days", k)] = sum(ad_days.get(m, 0) for m in members)
        marks[("ad_days", k)] = plans["ad_days"].mark(k)
        for w in weeks:
            n = sum(v for (day, m), v in daily.items() if m in members and weeks_of(date.fromisoformat(day),
                    date.fromisoformat(day))[0] == w)  # fmt: skip
            vals[("week", week_cell(k, w))] = n
            marks[("week", week_cell(k, w))] = week.mark(week_cell(k, w))
    kommuner = [c for c in kl if kl[c] == "05"]
    rels = [Relation(("ad_days", k), tuple(("week", week_cell(k, w)) for w in weeks)) for k in [*kommuner, "05"]]
    rels += [Relation(("week", week_cell("05", w)), tuple(("week", week_cell(k, w)) for k in kommuner)) for w in weeks]
    rels += [Relation(("ad_days", "05"), tuple(("ad_days", k) for k in kommuner))]
    assert any(m == "primary" for m in marks.values())
    assert _recoverable(vals, rels, marks, 5) == []
    hidden_areas = [k for k in [*kommuner, "05"] if marks[("ad_days", k)] is not None]
    assert hidden_areas, "the data make some municipality's ad-days small"
    for k in hidden_areas:  # an area whose total is hidden shows none of its weeks
        assert all(week.mark(week_cell(k, w)) is not None for w in weeks), k


def test_a_breakdown_protects_its_unpublished_rest() -> None:
    # 20 judgments, 18 with an age: the 2 without are the rest, a reader gets them as 20 - 18
    marks, total = protect_breakdown({"18-25": 6, "26-35": 12}, 20, threshold=5)
    assert total is None and marks == {"18-25": "secondary", "26-35": None}
    marks, _ = protect_breakdown({"a": 7, "b": 6, "c": 2, "d": 1}, 16, threshold=5)
    assert marks == {"a": None, "b": "secondary", "c": "primary", "d": "primary"}


def test_the_single_count_plan_agrees_with_the_period_plan() -> None:
    """The dashboard plans one count with plan_suppression; the reports plan the period: same marks."""
    kl = {c: m.county_code for c, m in municipalities().items()}
    rng = random.Random(11)
    ads = {c: rng.choice([0, 0, 1, 2, 3, 4, 7, 30, 200]) for c in kl}
    kl["05?"] = "05"
    ads["05?"] = 2
    one = plan_suppression(ads, kl, threshold=5, unplaced=3)
    period = plan_period(ads=ads, ad_days=ads, daily={}, kommun_lan=kl, start=date(2024, 1, 1),
                         end=date(2024, 1, 7), threshold=5, unplaced_ads=3)["ads"]  # fmt: skip
    assert one.kommun == period.kommun and one.lan == period.lan and one.national == period.national
    assert any(m == "secondary" for m in one.kommun.values())
