"""Triangulation: supply-side purchases beside the demand side's, with intervals and their ratio."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lagesbild.cli.estimate import app
from lagesbild.estimate.assumptions import default_assumptions
from lagesbild.estimate.intervals import Proportion
from lagesbild.estimate.purchases import ActivitySummary, estimate_purchases
from lagesbild.estimate.triangulate import SupplyInterval, triangulate
from lagesbild.refdata import bundled_population

runner = CliRunner()
POP = bundled_population()


def test_ostergotland_buyers_against_report_purchases() -> None:
    """Issue 7: about 144,000 men 18-65 (2019); 0.8% is about 1,150 buyers; about 1,500 purchases from ads."""
    t = triangulate(POP, "05", SupplyInterval(1500, 1100, 2000), seed=1)
    assert t.men == pytest.approx(144_000, rel=0.005)
    assert t.buyers.central == pytest.approx(1_150, rel=0.005)
    assert t.buyers.low < t.buyers.central < t.buyers.high
    assert t.demand.central == pytest.approx(t.buyers.central * 2.0)  # purchases_per_buyer median 2
    assert t.ratio.central == pytest.approx(1500 / t.demand.central)
    assert t.ratio.low < t.ratio.median < t.ratio.high
    assert t.agreement == "consistent"


def test_everything_fixed_gives_plain_arithmetic_and_a_verdict() -> None:
    a = default_assumptions().with_fixed(prevalence_12m=0.008, purchases_per_buyer_per_year=1.0)
    t = triangulate(POP, "05", SupplyInterval(100, 100, 100), a, n_draws=500)
    assert t.demand.low == t.demand.high == pytest.approx(143_982 * 0.008)
    assert t.ratio.median == pytest.approx(100 / (143_982 * 0.008))
    assert t.agreement == "supply lower"
    t = triangulate(POP, "05", SupplyInterval(5000, 5000, 5000), a, n_draws=500)
    assert t.agreement == "supply higher"


def test_survey_override_with_sample_size_widens_the_buyers_interval() -> None:
    narrow = triangulate(
        POP, "05", SupplyInterval(1500, 1500, 1500), prevalence_12m=Proportion.from_sample(0.008, 20_000)
    )
    wide = triangulate(POP, "05", SupplyInterval(1500, 1500, 1500), prevalence_12m=Proportion.from_sample(0.008, 1_000))
    assert (wide.buyers.high - wide.buyers.low) > 3 * (narrow.buyers.high - narrow.buyers.low)


def test_supply_from_the_purchases_model() -> None:
    est = estimate_purchases(ActivitySummary.from_numbers("05", person_days=1365), seed=2)
    t = triangulate(POP, "05", est, seed=2)
    assert t.supply.central == est.central
    assert t.supply.median == pytest.approx(est.median, rel=0.03)
    assert t.to_dict()["ratio_supply_to_demand"]["median"] == t.ratio.median


def test_seeded_and_reproducible() -> None:
    a = triangulate(POP, "0580", SupplyInterval(800, 600, 1000), seed=9)
    b = triangulate(POP, "0580", SupplyInterval(800, 600, 1000), seed=9)
    assert a == b


def test_supply_interval_is_log_normal_with_the_stated_width() -> None:
    t = triangulate(POP, "05", SupplyInterval(1500, 1000, 2250, level=0.9), n_draws=100_000, seed=4)
    assert t.supply.median == pytest.approx(1500, rel=0.01)
    assert t.supply.low == pytest.approx(1000, rel=0.02) and t.supply.high == pytest.approx(2250, rel=0.02)


def test_cli_triangulate_json_and_from_activity() -> None:
    res = runner.invoke(
        app, ["triangulate", "--area", "05", "--supply-purchases", "1500,1100,2000", "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["men"] == 143_982 and payload["agreement"] in ("consistent", "supply lower", "supply higher")
    assert payload["buyers_12m"]["central"] == pytest.approx(1151.856)
    res = runner.invoke(app, ["triangulate", "--area", "05", "--person-days", "1365", "--format", "csv"])
    assert res.exit_code == 0 and len(res.stdout.strip().splitlines()) == 5
    res = runner.invoke(
        app,
        [
            "triangulate",
            "--area",
            "05",
            "--supply-purchases",
            "1500",
            "--prevalence-12m",
            "0.008",
            "--n-survey",
            "2500",
        ],
    )
    assert res.exit_code == 0 and "Agreement" in res.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--area", "05"],
        ["--area", "05", "--supply-purchases", "1500", "--person-days", "100"],
        ["--area", "05", "--supply-purchases", "0"],
        ["--area", "05", "--supply-purchases", "1500", "--n-survey", "100"],
    ],
)
def test_cli_triangulate_bad_input_exits_2(args: list[str]) -> None:
    res = runner.invoke(app, ["triangulate", *args])
    assert res.exit_code == 2, res.output
