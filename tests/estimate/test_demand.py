"""Demand from population: survey share x men in the age band, with Wilson or published intervals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint
from typer.testing import CliRunner

from lagesbild.cli import app as root_app
from lagesbild.cli.estimate import app
from lagesbild.errors import RefdataError
from lagesbild.estimate.demand import AgeBand, demand_by_area, estimate_demand
from lagesbild.estimate.intervals import Proportion, clopper_pearson_interval, quantile_interval, wilson_interval
from lagesbild.refdata import PopulationTable, bundled_population
from lagesbild.settings import load_settings
from lagesbild.store import Store

runner = CliRunner()
POP = bundled_population()


def test_stockholm_ten_percent_of_men_18_plus_with_2019_population() -> None:
    """Seed report: 'drygt 95 000 män' in Stockholm county. With the bundled 2019 table it is 92,180;
    the report used a more recent population (the county grew by about 3% to 2023)."""
    est = estimate_demand(POP, "01", Proportion.exact(0.10), AgeBand.parse("18+"))
    assert est.men == 921_801
    assert est.estimate == pytest.approx(92_180.1, abs=0.01)
    assert est.estimate == pytest.approx(95_000, rel=0.05)


def test_seven_and_a_half_percent_of_men_18_65_nationally() -> None:
    est = estimate_demand(POP, "SE", Proportion.exact(0.075), AgeBand(18, 65))
    assert est.men == 3_165_640
    assert est.estimate == pytest.approx(237_000, rel=0.005)


def test_ostergotland_has_about_144000_men_18_65() -> None:
    est = estimate_demand(POP, "05", Proportion.exact(0.008), AgeBand(18, 65), measure="12m")
    assert est.men == pytest.approx(144_000, rel=0.005)
    assert est.estimate == pytest.approx(1_150, rel=0.005)
    assert est.measure == "12m"


def test_interval_is_men_times_the_wilson_interval() -> None:
    prop = Proportion.from_sample(0.075, 2000)
    est = estimate_demand(POP, "SE", prop, AgeBand(18, 65))
    lo, hi = wilson_interval(0.075, 2000)
    assert (est.low, est.high) == pytest.approx((lo * est.men, hi * est.men), rel=1e-12)
    assert est.low < est.estimate < est.high


def test_municipalities_add_up_to_their_county_and_to_sweden() -> None:
    band, prop = AgeBand(18, 65), Proportion.from_sample(0.075, 2000)
    county = demand_by_area(POP, prop, band, within="05")
    assert county[0].area == "05" and len(county) == 14
    assert sum(e.men for e in county[1:]) == county[0].men
    assert sum(e.estimate for e in county[1:]) == pytest.approx(county[0].estimate, rel=1e-12)
    national = demand_by_area(POP, prop, band)
    assert len(national) == 291 and sum(e.men for e in national[1:]) == national[0].men


def test_a_newer_population_year_changes_the_count_not_the_method() -> None:
    newer = PopulationTable(year=2023, counts=(POP.counts * 103) // 100, source="test: 2019 x 1.03")
    est = estimate_demand(newer, "01", Proportion.exact(0.10), AgeBand(18))
    assert est.year == 2023 and est.population_source.startswith("test")
    assert est.estimate == pytest.approx(95_000, rel=0.01)


def test_unknown_area_raises_refdata_error() -> None:
    with pytest.raises(RefdataError):
        estimate_demand(POP, "9999", Proportion.exact(0.1), AgeBand(18, 65))


@pytest.mark.parametrize(
    ("text", "band"),
    [("18-65", AgeBand(18, 65)), ("18+", AgeBand(18)), ("18-", AgeBand(18)), (" 16 - 74 ", AgeBand(16, 74))],
)
def test_age_band_parses(text: str, band: AgeBand) -> None:
    assert AgeBand.parse(text) == band


@pytest.mark.parametrize("text", ["", "x", "65-18", "18-65-70"])
def test_age_band_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        AgeBand.parse(text)


# --- intervals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("p", "n"), [(0.5, 100), (0.075, 2000), (0.008, 2500), (0.0, 50), (1.0, 20), (0.11, 6293)])
def test_wilson_matches_statsmodels(p: float, n: int) -> None:
    ref = proportion_confint(round(p * n), n, alpha=0.05, method="wilson")
    assert wilson_interval(round(p * n) / n, n) == pytest.approx(ref, abs=1e-12)


def test_clopper_pearson_matches_statsmodels() -> None:
    assert clopper_pearson_interval(20, 2500) == pytest.approx(
        proportion_confint(20, 2500, alpha=0.05, method="beta"), abs=1e-12
    )


def test_wilson_interval_covers_the_truth_at_its_level() -> None:
    """Known truth: p = 0.008, n = 2,500 (a survey of the 12-month share); 2,000 simulated surveys."""
    rng = np.random.default_rng(7)
    k = rng.binomial(2500, 0.008, size=2000)
    cover = np.mean([lo <= 0.008 <= hi for lo, hi in (wilson_interval(x / 2500, 2500) for x in k)])
    assert 0.93 <= cover <= 0.97


def test_published_interval_gives_an_effective_sample_size() -> None:
    p = Proportion.from_sample(0.075, 2000)
    back = Proportion.from_interval(0.075, p.low, p.high)
    n_eff = back.effective_n()
    assert n_eff is not None and n_eff == pytest.approx(2000, rel=0.05)  # Wilson is slightly asymmetric
    assert Proportion.exact(0.1).effective_n() is None and Proportion.exact(0.1).beta_parameters() is None


def test_proportion_rejects_an_interval_that_misses_the_estimate() -> None:
    with pytest.raises(ValueError):
        Proportion.from_interval(0.1, 0.11, 0.2)


def test_quantile_interval_is_equal_tailed() -> None:
    assert quantile_interval(np.arange(101.0), 0.9) == pytest.approx((5.0, 95.0))


def test_design_effect_and_transfer_widen_the_interval_on_the_log_scale() -> None:
    prop = Proportion.from_sample(0.008, 2500, 0.9)
    plain = estimate_demand(POP, "05", prop, AgeBand(18, 65), measure="12m")
    deff = estimate_demand(POP, "05", prop, AgeBand(18, 65), measure="12m", design_effect=1.5)
    lo, hi = wilson_interval(0.008, 2500 / 1.5, 0.9)
    assert (deff.low, deff.high) == pytest.approx((lo * deff.men, hi * deff.men), rel=1e-12)
    both = estimate_demand(POP, "05", prop, AgeBand(18, 65), measure="12m", design_effect=1.5, transfer_sigma=0.25)
    z = 1.6448536269514722
    s_high = np.log(hi / 0.008) / z
    assert both.high == pytest.approx(both.estimate * np.exp(z * np.hypot(s_high, 0.25)), rel=1e-9)
    assert both.low < deff.low < plain.low < plain.estimate == both.estimate < plain.high < deff.high < both.high
    assert (both.design_effect, both.transfer_sigma) == (1.5, 0.25)
    assert both.to_dict()["transfer_sigma"] == 0.25


def test_no_transfer_for_sweden_and_none_for_a_bare_share() -> None:
    prop = Proportion.from_sample(0.008, 2500, 0.9)
    se = estimate_demand(POP, "SE", prop, AgeBand(18, 65), design_effect=1.5, transfer_sigma=0.25)
    _, hi = wilson_interval(0.008, 2500 / 1.5, 0.9)
    assert se.transfer_sigma == 0.0 and se.high == pytest.approx(hi * se.men, rel=1e-12)
    bare = estimate_demand(POP, "05", Proportion.exact(0.008), AgeBand(18, 65), design_effect=1.5, transfer_sigma=0.25)
    assert se.has_interval and bare.has_interval  # for the bare share, the transfer alone gives an interval
    with pytest.raises(ValueError, match="design effect"):
        estimate_demand(POP, "05", prop, AgeBand(18, 65), design_effect=0.5)


# --- command line ------------------------------------------------------------------------------


def test_cli_demand_json_without_a_store() -> None:
    res = runner.invoke(app, ["demand", "--area", "SE", "--prevalence", "0.075", "--age", "18-65", "--format", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["men"] == 3_165_640 and payload["estimate"] == pytest.approx(237_423.0)
    assert payload["year"] == 2019 and payload["low"] == payload["high"] == payload["estimate"]
    # the table says there is no interval instead of printing a zero-width one, and says what is counted
    res = runner.invoke(app, ["demand", "--area", "05", "--prevalence", "0.008", "--measure", "12m"])
    assert res.exit_code == 0, res.output
    assert "no interval" in res.stdout and "bought sex in the last 12 months" in res.stdout
    assert "(12m)" not in res.stdout and "high" not in res.stdout


def test_cli_demand_with_design_effect_and_transfer() -> None:
    args = ["demand", "--area", "05", "--prevalence", "0.008", "--measure", "12m", "--n-survey", "2500"]
    res = runner.invoke(app, [*args, "--design-effect", "1.5", "--transfer-sigma", "0.25", "--format", "json"])
    payload = json.loads(res.stdout)
    direct = estimate_demand(
        POP, "05", Proportion.from_sample(0.008, 2500), AgeBand(18, 65), design_effect=1.5, transfer_sigma=0.25
    )
    assert payload["low"] == pytest.approx(direct.low) and payload["high"] == pytest.approx(direct.high)
    res = runner.invoke(app, [*args, "--design-effect", "0.5"])
    assert res.exit_code == 2 and "--design-effect" in res.output


def test_cli_demand_with_survey_size_and_published_interval() -> None:
    res = runner.invoke(
        app, ["demand", "--area", "01", "--prevalence", "0.1", "--age", "18+", "--n-survey", "1000", "--format", "json"]
    )
    payload = json.loads(res.stdout)
    lo, hi = wilson_interval(0.1, 1000)
    assert payload["low"] == pytest.approx(lo * 921_801) and payload["high"] == pytest.approx(hi * 921_801)
    res = runner.invoke(app, ["demand", "--area", "01", "--prevalence", "0.1", "--ci", "0.09,0.115", "--format", "csv"])
    assert res.exit_code == 0
    header, row = res.stdout.strip().splitlines()
    assert header.startswith("area,area_name,year") and "published" in row


def test_cli_demand_by_municipality_table_and_csv() -> None:
    res = runner.invoke(
        app, ["demand", "--area", "05", "--prevalence", "0.075", "--by-municipality", "--format", "csv"]
    )
    assert res.exit_code == 0 and len(res.stdout.strip().splitlines()) == 1 + 14
    res = runner.invoke(app, ["demand", "--area", "05", "--prevalence", "0.075", "--by-municipality"])
    assert res.exit_code == 0 and "Linköping" in res.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--age", "old"],
        ["--n-survey", "100", "--ci", "0.05,0.1"],
        ["--ci", "0.2,0.3"],
        ["--measure", "weekly"],
        ["--area", "9999"],
    ],
)
def test_cli_demand_bad_input_exits_2(args: list[str]) -> None:
    base = {"--area": "05", "--prevalence": "0.075"}
    for k in list(base):
        if k in args:
            base.pop(k)
    flat = [x for kv in base.items() for x in kv]
    res = runner.invoke(app, ["demand", *flat, *args])
    assert res.exit_code in (1, 2)  # 2 for bad input; an unknown area is a refdata error (1)
    assert "Error" in res.output


def test_cli_demand_uses_a_year_imported_into_the_store(tmp_path: Path) -> None:
    settings = load_settings(home=str(tmp_path / "home"), db=f"sqlite:///{tmp_path / 'db.sqlite'}")
    common = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(root_app, [*common, "init"]).exit_code == 0
    newer = PopulationTable(year=2023, counts=(POP.counts * 103) // 100, source="test: 2019 x 1.03")
    with Store.open(settings.db) as store:
        store.put_population(newer)
    res = runner.invoke(
        root_app,
        [
            *common,
            "estimate",
            "demand",
            "--area",
            "01",
            "--prevalence",
            "0.1",
            "--age",
            "18+",
            "--year",
            "2023",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["year"] == 2023 and payload["estimate"] == pytest.approx(95_000, rel=0.01)
    res = runner.invoke(
        root_app, [*common, "estimate", "demand", "--area", "01", "--prevalence", "0.1", "--year", "2030"]
    )
    assert res.exit_code == 2 and "2019, 2023" in res.output
