"""Small-number protection: primary and complementary suppression across nested tables."""

from __future__ import annotations

from lagesbild.refdata import municipalities
from lagesbild.report.suppress import plan_suppression, suppress_cells


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
