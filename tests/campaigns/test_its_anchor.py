"""Interrupted time series reproduces R's glm on the Sicily smoking-ban series (Lopez Bernal et al. 2017)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from lagesbild.campaigns import CampaignEffect, its_effect

DATA = Path(__file__).parents[1] / "data" / "anchors"
# model name in the expected values -> its_effect options (R: glm(aces ~ offset(log(stdpop)) + smokban + time ...))
MODELS = {
    "model1_poisson": {"family": "poisson"},
    "model2_quasipoisson": {"family": "quasipoisson"},
    "model3_qp_harmonic": {"family": "quasipoisson", "seasonality": 2, "period": 12.0},
    "model4_qp_slope": {"family": "quasipoisson", "seasonality": 2, "period": 12.0, "slope_change": True},
}
TERMS = {"smokban": "intervention", "time": "trend", "smokban:I(time - 36)": "slope_change"}


def _expected() -> list[tuple[str, str, str, str, float, float]]:
    rows = []
    with (DATA / "its_expected_values.csv").open(newline="") as fh:
        for r in csv.DictReader(fh):
            model = r["method"].removeprefix("R glm ")
            term, stat = r["quantity"].rsplit(" ", 1)
            rows.append((r["id"], model, term, stat, float(r["expected"]), float(r["rel_tol"])))
    return rows


@pytest.fixture(scope="module")
def fits() -> dict[str, CampaignEffect]:
    with (DATA / "sicily.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    aces = np.array([float(r["aces"]) for r in rows])
    off = np.log([float(r["stdpop"]) for r in rows])
    start = next(i for i, r in enumerate(rows) if r["smokban"] == "1")
    assert start == 36
    return {m: its_effect(aces, start, None, offset=off, **kw) for m, kw in MODELS.items()}  # type: ignore[arg-type]


def test_anchor_rows_are_all_covered() -> None:
    rows = _expected()
    assert len(rows) == 36
    assert {r[1] for r in rows} == set(MODELS)


@pytest.mark.parametrize("row", _expected(), ids=lambda r: r[0])
def test_its_reproduces_r_glm(fits: dict[str, CampaignEffect], row: tuple[str, str, str, str, float, float]) -> None:
    _id, model, term, stat, expected, rel_tol = row
    eff = fits[model]
    t = eff.term(TERMS[term])
    got = {"RR": t.rr, "RR_lo": t.low, "RR_hi": t.high, "dispersion": eff.dispersion}[stat]
    assert got == pytest.approx(expected, rel=rel_tol)


def test_intervention_term_is_the_headline_rate_ratio(fits: dict[str, CampaignEffect]) -> None:
    eff = fits["model2_quasipoisson"]
    assert (eff.rate_ratio, eff.low, eff.high) == (eff.term("intervention").rr, eff.low, eff.high)
    assert eff.percent_change == pytest.approx(100 * (eff.rate_ratio - 1))
    assert eff.n == 59 and eff.n_intervention == 23
