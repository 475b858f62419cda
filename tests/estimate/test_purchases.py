"""The purchases model: a transparent formula, seeded Monte Carlo intervals that recover known truth,
a one-at-a-time sensitivity analysis and its chart."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats
from typer.testing import CliRunner

from lagesbild.cli.estimate import app
from lagesbild.errors import InputErrors
from lagesbild.estimate.assumptions import AssumptionSet, LogNormal, default_assumptions
from lagesbild.estimate.charts import tornado_chart
from lagesbild.estimate.purchases import (
    PARAMETER_RANGES,
    PURCHASES_REQUIREMENTS,
    ActivitySummary,
    UncertainCount,
    estimate_purchases,
    parameter_errors,
    purchases_formula,
    tornado,
)

runner = CliRunner()
FIXED = default_assumptions().with_fixed(
    share_genuine=0.9, working_day_share=0.75, clients_per_working_day=2.0, monitored_share=1.0, ads_per_person_day=1.5
)


def test_formula_by_hand() -> None:
    v = {"share_genuine": 0.9, "working_day_share": 0.75, "clients_per_working_day": 2.0, "monitored_share": 0.5}
    assert float(purchases_formula(1000, 365, v)) == pytest.approx(1000 * 0.9 * 0.75 * 2.0 / 0.5)
    assert float(purchases_formula(500, 182.5, v)) == pytest.approx(2700.0)  # half a year, annualised
    v_ads = {**v, "ads_per_person_day": 1.5}
    assert float(purchases_formula(1500, 365, v_ads, basis="ad_days")) == pytest.approx(2700.0)


def test_fixed_assumptions_and_no_noise_give_the_formula_exactly() -> None:
    act = ActivitySummary.from_numbers("05", person_days=1000)
    est = estimate_purchases(act, FIXED, count_noise=False, n_draws=500)
    assert est.median == est.low == est.high == pytest.approx(1350.0)
    assert est.central == pytest.approx(1350.0)
    ads = ActivitySummary.from_numbers("05", ad_days=1500)
    assert estimate_purchases(ads, FIXED, count_noise=False, n_draws=500).median == pytest.approx(1350.0)


def test_same_seed_same_result_other_seed_other_draws() -> None:
    act = ActivitySummary.from_numbers("05", person_days=(1365, 1200, 1500))
    a = estimate_purchases(act, seed=5, n_draws=2000)
    b = estimate_purchases(act, seed=5, n_draws=2000)
    c = estimate_purchases(act, seed=6, n_draws=2000)
    assert (a.median, a.low, a.high) == (b.median, b.low, b.high)
    assert not np.array_equal(a.draws, c.draws)


def test_monte_carlo_matches_the_analytic_lognormal_product() -> None:
    """With one log-normal factor and the rest fixed, the result is log-normal: MC quantiles must match."""
    a = FIXED.with_distribution("clients_per_working_day", LogNormal(2.0, 0.4))
    act = ActivitySummary.from_numbers("05", person_days=1000)
    est = estimate_purchases(act, a, count_noise=False, n_draws=40_000, seed=11, level=0.9)
    scale = 1000 * 0.9 * 0.75 * 2.0
    ref = stats.lognorm(0.4, scale=scale)
    assert est.median == pytest.approx(scale, rel=0.01)
    assert est.low == pytest.approx(ref.ppf(0.05), rel=0.015)
    assert est.high == pytest.approx(ref.ppf(0.95), rel=0.015)


def _simulate_truth(rng: np.random.Generator, a: AssumptionSet, reported: float) -> tuple[UncertainCount, float]:
    """A market drawn from the stated assumptions: true parameters, days worked, clients per day.

    Linking reports ``reported`` person-days with a +-10% range; the true count lies in that range
    (triangular around the report, as the model assumes).
    """
    days = UncertainCount(reported, 0.9 * reported, 1.1 * reported)
    true_days = round(float(days.distribution().sample(rng, 1)[0]))
    g = float(a["share_genuine"].distribution.sample(rng, 1)[0])
    w = float(a["working_day_share"].distribution.sample(rng, 1)[0])
    c = float(a["clients_per_working_day"].distribution.sample(rng, 1)[0])
    genuine_worked = rng.binomial(true_days, g * w)
    purchases = float(rng.poisson(c, size=genuine_worked).sum())  # clients on each worked day
    return days, purchases


def test_ninety_percent_interval_covers_simulated_truth_in_85_to_95_percent_of_markets() -> None:
    """Calibration: 300 markets with parameters drawn from the default assumptions (seeds 0..299)."""
    a = default_assumptions()
    hits, rel_err = [], []
    for seed in range(300):
        rng = np.random.default_rng(seed)
        days, truth = _simulate_truth(rng, a, reported=float(rng.integers(300, 3000)))
        act = ActivitySummary(area="05", period_start=date(2023, 1, 1), period_end=date(2023, 12, 31), person_days=days)
        est = estimate_purchases(act, a, n_draws=4000, seed=1000 + seed, level=0.9)
        hits.append(est.low <= truth <= est.high)
        rel_err.append(abs(est.median - truth) / truth)
    coverage = float(np.mean(hits))
    assert 0.85 <= coverage <= 0.95, coverage
    assert float(np.median(rel_err)) < 0.5


def test_interval_with_known_parameters_covers_poisson_truth() -> None:
    """All assumptions fixed at the truth: only count noise is left, and the interval must cover it."""
    act = ActivitySummary.from_numbers("05", person_days=1000)
    rng = np.random.default_rng(42)
    truths = rng.poisson(1350.0, size=400)
    est = estimate_purchases(act, FIXED, n_draws=20_000, seed=3)
    coverage = float(np.mean((truths >= est.low) & (truths <= est.high)))
    assert 0.87 <= coverage <= 0.95


def test_tornado_orders_inputs_by_swing_and_skips_fixed_ones() -> None:
    act = ActivitySummary.from_numbers("05", person_days=(1365, 1200, 1500))
    t = tornado(act)
    names = [b.name for b in t.bars]
    assert names[0] == "clients_per_working_day"
    assert "monitored_share" not in names and "activity.person_days" in names
    assert [b.swing for b in t.bars] == sorted((b.swing for b in t.bars), reverse=True)
    a = default_assumptions()
    medians = {p.name: p.distribution.median() for p in a}
    base = purchases_formula(act.person_days.distribution().median(), 365, medians)  # type: ignore[union-attr]
    assert t.base == pytest.approx(float(base))
    for b in t.bars:
        assert b.result_low < t.base < b.result_high  # every factor raises purchases


def test_tornado_chart_png_and_svg() -> None:
    t = tornado(ActivitySummary.from_numbers("05", person_days=1365))
    png = tornado_chart(t)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    svg = tornado_chart(t, fmt="svg").decode("utf-8")
    assert "<svg" in svg and "clients_per_working_day" in svg


def test_missing_assumptions_are_reported_together() -> None:
    a = default_assumptions()
    thin = AssumptionSet("thin", tuple(p for p in a if p.name not in ("share_genuine", "working_day_share")))
    with pytest.raises(InputErrors) as info:
        estimate_purchases(ActivitySummary.from_numbers("05", person_days=10), thin)
    assert {e.field for e in info.value.errors} == {"parameters.share_genuine", "parameters.working_day_share"}


def test_activity_needs_person_days_or_ad_days() -> None:
    with pytest.raises(ValueError, match="person-days or ad-days"):
        estimate_purchases(ActivitySummary.from_numbers("05", persons=10))
    with pytest.raises(ValueError):
        UncertainCount(10, 12, 15)


def test_ostergotland_scale_with_default_assumptions_is_near_the_report() -> None:
    """The ostergotland preset's scale: about 3.7 persons in a spell each day (1,365 person-days a year),
    and ads online after a spell ends: linking counts about 1,650 person-days (1,365 / 0.83)."""
    est = estimate_purchases(ActivitySummary.from_numbers("05", person_days=1650), seed=1)
    assert est.central == pytest.approx(1_500, rel=0.1)
    assert est.low < 1_500 < est.high


# --- command line ------------------------------------------------------------------------------


def test_cli_purchases_json_and_tornado_file(tmp_path: Path) -> None:
    out = tmp_path / "t.png"
    res = runner.invoke(
        app,
        [
            "purchases",
            "--person-days",
            "1365,1200,1500",
            "--persons",
            "12",
            "--tornado",
            str(out),
            "--format",
            "json",
            "--draws",
            "5000",
        ],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["low"] < payload["median"] < payload["high"]
    assert payload["activity"]["persons"]["estimate"] == 12
    assert payload["tornado"]["bars"][0]["name"] == "clients_per_working_day"
    assert out.read_bytes().startswith(b"\x89PNG")


def test_cli_purchases_set_and_assumptions_file(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "purchases",
            "--person-days",
            "1000",
            "--no-count-noise",
            "--format",
            "csv",
            "--set",
            "share_genuine=0.9",
            "--set",
            "working_day_share=0.75",
            "--set",
            "clients_per_working_day=2",
        ],
    )
    assert res.exit_code == 0, res.output
    header, row = res.stdout.strip().splitlines()
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert float(values["median"]) == pytest.approx(1350.0)
    doc = default_assumptions().to_dict()
    doc["parameters"]["clients_per_working_day"]["distribution"] = {"kind": "fixed", "value": 3}
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    res = runner.invoke(app, ["purchases", "--person-days", "1000", "--assumptions", str(path), "--format", "json"])
    assert json.loads(res.stdout)["assumptions_file"] == str(path)
    res = runner.invoke(app, ["purchases", "--person-days", "1000", "--assumptions", str(path)])
    assert res.exit_code == 0 and "Sensitivity" in res.stdout


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--person-days", "10,20,5"],
        ["--person-days", "100", "--set", "nope=1"],
        ["--person-days", "100", "--set", "share_genuine=2"],
        ["--person-days", "100", "--days", "0"],
    ],
)
def test_cli_purchases_bad_input_exits_2(args: list[str]) -> None:
    res = runner.invoke(app, ["purchases", *args])
    assert res.exit_code == 2, res.output
    assert "Error" in res.output


# -- the ranges a user may fix the parameters at (the dashboard, the API and the CLI's --set) ----------
def test_every_parameter_of_the_model_has_a_range_inside_its_domain() -> None:
    assert set(PARAMETER_RANGES) == {r.name for r in PURCHASES_REQUIREMENTS}
    for r in PURCHASES_REQUIREMENTS:
        lo, hi = PARAMETER_RANGES[r.name]
        assert 0 <= lo < hi
        if r.domain == "share":
            assert hi <= 1


def test_parameter_errors_name_each_bad_parameter_and_its_range() -> None:
    values = {"share_genuine": 1.7, "working_day_share": 1.0, "clients_per_working_day": 0.0}
    errors = parameter_errors({**values, "monitored_share": float("nan"), "clients": 2.0})
    assert [(e.field, e.message) for e in errors] == [
        ("share_genuine", "must be more than 0 and at most 1"),
        ("clients_per_working_day", "must be more than 0 and at most 50"),
        ("monitored_share", "must be more than 0 and at most 1"),
        ("clients", "not a parameter of the purchases model"),
    ]
    assert parameter_errors({name: hi for name, (_lo, hi) in PARAMETER_RANGES.items()}) == []


@pytest.mark.parametrize("command", [["purchases"], ["triangulate", "--area", "05"]])
def test_cli_set_refuses_a_value_outside_its_range_with_the_dashboards_message(command: list[str]) -> None:
    res = runner.invoke(
        app,
        [*command, "--person-days", "1000", "--set", "clients_per_working_day=51", "--set", "share_genuine=0",
         "--set", "working_day_share=0.5"],
    )  # fmt: skip
    assert res.exit_code == 2, res.output
    want = parameter_errors({"clients_per_working_day": 51, "share_genuine": 0})
    assert len(want) == 2
    for e in want:
        assert str(e) in res.output  # the same message as the dashboard's: the parameter and its range
    assert "working_day_share" not in res.output  # a value inside its range is no error
    ok = runner.invoke(app, [*command, "--person-days", "1000", "--set", "clients_per_working_day=50", "--format",
                             "json"])  # fmt: skip
    assert ok.exit_code == 0, ok.output


def test_cli_set_keeps_accepting_parameters_the_ranges_do_not_cover() -> None:
    """``--set`` fixes any assumption of the set; only the purchases model's parameters have a range here
    (``ads_per_person_day`` keeps the domain check of the model's requirements)."""
    assert "ads_per_person_day" not in PARAMETER_RANGES
    res = runner.invoke(app, ["purchases", "--ad-days", "1000", "--set", "ads_per_person_day=3", "--format", "json"])
    assert res.exit_code == 0, res.output
