"""The estimate runner: every quantity for an area and period, stored with its assumptions and data snapshot."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lagesbild.cli import app
from lagesbild.errors import InputError
from lagesbild.estimate.assumptions import default_assumptions
from lagesbild.estimate.runner import all_areas, run_estimates, run_estimates_for
from lagesbild.estimate.suite import load_suite
from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.privacy import Pseudonymizer
from lagesbild.records.estimates import EstimateResult
from lagesbild.settings import Settings
from lagesbild.simulate import load_config, simulate
from lagesbild.store import Store
from lagesbild.store.estimates import EstimateStore
from lagesbild.workspace import open_workspace

runner = CliRunner()
Y2024 = (date(2024, 1, 1), date(2024, 12, 31))
EXPECTED = {
    "persons",
    "personas",
    "person_days",
    "advertisers",
    "ads",
    "ad_days",
    "purchases",
    "demand_12m",
    "demand_ever",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runner-world")
    simulate(load_config("tiny"), 7, root)
    return root / "observations.jsonl.gz"


@pytest.fixture
def linked(store: Store, pz: Pseudonymizer, world: Path) -> Store:
    import_file(store, pz, world, parallel=None)
    process_new(store)
    return store


def _same(a: EstimateResult, b: EstimateResult) -> bool:
    def eq(x: float, y: float) -> bool:
        return x == y or (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=1e-12)

    return (
        a.quantity == b.quantity
        and eq(a.estimate, b.estimate)
        and eq(a.low, b.low)
        and eq(a.high, b.high)
        and a.level == b.level
        and a.method == b.method
    )


def test_run_estimates_stores_rows_equal_to_the_returned_numbers(linked: Store) -> None:
    run = run_estimates(linked, "05", *Y2024, seed=3, n_draws=2000)
    quantities = {r.quantity for r in run.results}
    assert quantities >= EXPECTED
    assert "persons_crc" in quantities or any(n.startswith("persons_crc") for n in run.notes)
    purchases = run.result("purchases")
    assert purchases is not None and 0 < purchases.low <= purchases.estimate <= purchases.high
    stored = EstimateStore(linked).results(run_id=run.run_id)
    assert len(stored) == len(run.results)
    by_q = {s.result.quantity: s for s in stored}
    for r in run.results:
        s = by_q[r.quantity]
        assert _same(s.result, r), (s.result, r)
        assert (s.area, s.start, s.end, s.seed) == ("05", *Y2024, 3)
        assert s.snapshot == run.snapshot
        assert s.assumptions["name"] == "default"
        assert s.assumptions["parameters"]["persona_return_share"]["kind"] == "triangular"
    assert run.snapshot.max_observation_id > 0 and run.snapshot.link_run_id is not None
    assert run.snapshot.rules_version


def test_rerun_with_the_same_seed_gives_the_same_numbers(linked: Store) -> None:
    a = run_estimates(linked, "05", *Y2024, seed=5, n_draws=2000)
    b = run_estimates(linked, "05", *Y2024, seed=5, n_draws=2000)
    assert a.run_id != b.run_id
    assert all(_same(x, y) for x, y in zip(a.results, b.results, strict=True))
    assert len(EstimateStore(linked).results(area="05")) == len(a.results) + len(b.results)


def test_assumptions_change_the_numbers_and_are_stored(linked: Store) -> None:
    base = run_estimates(linked, "05", *Y2024, n_draws=2000)
    more = run_estimates(
        linked, "05", *Y2024, n_draws=2000, assumptions=default_assumptions().with_fixed(persona_return_share=0.5)
    )
    b, m = base.result("persons"), more.result("persons")
    pb, pm = base.result("personas"), more.result("personas")
    assert b is not None and m is not None and pb is not None and pm is not None
    # the persona count is what linking saw; the persons estimate (women) moves with the assumption
    assert pm.estimate == pb.estimate and m.estimate < b.estimate and m.high < b.high
    assert b.level == m.level == 0.9 and b.low <= b.estimate <= b.high and b.estimate < pb.estimate
    assert pb.level is None
    stored = EstimateStore(linked).results(run_id=more.run_id, quantity="persons")
    assert stored[0].assumptions["parameters"]["persona_return_share"] == {"kind": "fixed", "value": 0.5}


def test_run_without_links_is_an_input_error(store: Store) -> None:
    with pytest.raises(InputError, match="link"):
        run_estimates(store, "05", *Y2024)


def _linked_workspace(settings: Settings, world: Path) -> list[str]:
    """``lagesbild init``, then the world imported and linked; returns the CLI's workspace options."""
    args = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(app, [*args, "init"]).exit_code == 0
    with open_workspace(settings) as ws:
        import_file(ws.store, ws.pseudonymizer, world, parallel=None)
        process_new(ws.store)
    return args


def test_estimate_run_command_prints_and_stores_the_run(settings: Settings, world: Path) -> None:
    args = _linked_workspace(settings, world)
    res = runner.invoke(
        app, [*args, "estimate", "run", "--area", "05", "--year", "2024", "--draws", "500", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["area"] == "05" and payload["period_end"] == "2024-12-31"
    # estimate run prints and stores the estimate suite (tests/estimate/test_suite.py), which the runner feeds
    with open_workspace(settings) as ws:
        stored = load_suite(ws.store, "05", *Y2024)
    assert stored is not None and stored.run_id == payload["run_id"]
    assert set(stored.figures) == set(payload["figures"]) >= EXPECTED
    res = runner.invoke(
        app, [*args, "estimate", "run", "--area", "05", "--from", "2024-03-01", "--to", "2024-03-31", "-f", "csv"]
    )
    assert res.exit_code == 0 and res.stdout.startswith("area,period_start,period_end,")
    res = runner.invoke(app, [*args, "estimate", "run", "--area", "05"])
    assert res.exit_code == 2 and "--year" in res.output


def test_many_areas_at_once_give_the_numbers_of_one_at_a_time(linked: Store) -> None:
    areas = ["SE", "05", "0580", "0581", "01"]
    many = run_estimates_for(linked, areas, *Y2024, seed=3, n_draws=500, save=False)
    assert [r.area for r in many] == areas
    for run in many:
        one = run_estimates(linked, run.area, *Y2024, seed=3, n_draws=500, save=False)
        assert [r.quantity for r in run.results] == [r.quantity for r in one.results]
        assert all(_same(a, b) for a, b in zip(run.results, one.results, strict=True)), run.area
    stored = run_estimates_for(linked, ["05", "0580"], *Y2024, n_draws=500)
    assert {s.result.quantity for s in EstimateStore(linked).results(run_id=stored[1].run_id)} >= {"persons"}


def test_all_areas_is_sweden_every_county_and_municipality() -> None:
    areas = all_areas()
    assert areas[0] == "SE" and len(areas) == 1 + 21 + 290 and len(set(areas)) == len(areas)


def test_estimate_run_all_areas_command(settings: Settings, world: Path) -> None:
    args = _linked_workspace(settings, world)
    res = runner.invoke(
        app, [*args, "estimate", "run", "--area", "all", "--year", "2024", "--draws", "200", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert [p["area"] for p in payload] == all_areas()
    res = runner.invoke(app, [*args, "estimate", "run", "--area", "all", "--year", "2024", "--draws", "200"])
    assert res.exit_code == 0 and "Linköping" in res.stdout


def test_hidden_population_for_counties_not_municipalities(linked: Store) -> None:
    county, kommun = run_estimates_for(linked, ["05", "0580"], *Y2024, seed=3, n_draws=500, save=False)
    crc = county.result("persons_crc")
    assert crc is not None, county.notes
    assert crc.level == 0.9 and crc.low <= crc.estimate <= crc.high
    assert "dependent lists" in crc.method and "profile likelihood" in crc.method
    assert kommun.result("persons_crc") is None
    assert any(n.startswith("persons_crc: not computed for a municipality") for n in kommun.notes)
