"""The estimate suite: one stored set of figures per area and period, with coverage, that every output reads."""

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
from lagesbild.estimate.intervals import DEFAULT_LEVEL
from lagesbild.estimate.suite import (
    NO_DATA,
    PUBLISHED_QUANTITIES,
    compute_suite,
    compute_suites,
    ensure_suite,
    load_suite,
    measured_returns,
    population_for,
)
from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.privacy import Pseudonymizer
from lagesbild.refdata import PopulationTable, bundled_population
from lagesbild.settings import Settings
from lagesbild.simulate import load_config, simulate
from lagesbild.store import Store
from lagesbild.workspace import open_workspace

runner = CliRunner()
Y2024 = (date(2024, 1, 1), date(2024, 12, 31))
RUN = ["estimate", "run", "--year", "2024"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("suite-world")
    simulate(load_config("tiny"), 7, root)
    return root / "observations.jsonl.gz"


@pytest.fixture
def linked(store: Store, pz: Pseudonymizer, world: Path) -> Store:
    import_file(store, pz, world, parallel=None)
    process_new(store)
    return store


def test_suite_is_stored_and_read_back_with_the_same_figures(linked: Store) -> None:
    suite = compute_suite(linked, "05", *Y2024, n_draws=1000)
    assert suite.level == DEFAULT_LEVEL and suite.has_data
    c = suite.coverage
    assert len(c.sites) >= 2 and c.days_monitored > 0 and c.first_day is not None and c.observations > c.ads > 0
    p = suite.figure("purchases")
    assert p is not None and p.published and p.low is not None and p.high is not None
    assert 0 < p.low < (p.estimate or 0) < p.high and p.level == DEFAULT_LEVEL
    back = load_suite(linked, "05", *Y2024)
    assert back is not None and back.run_id == suite.run_id
    assert back.figures == suite.figures and back.coverage == suite.coverage and back.by_kommun == suite.by_kommun
    assert ensure_suite(linked, "05", *Y2024).run_id == suite.run_id  # current: read, not recomputed
    assert ensure_suite(linked, "05", *Y2024, seed=99, n_draws=1000).run_id != suite.run_id  # other seed: new


def test_hidden_population_is_computed_but_not_published(linked: Store) -> None:
    suite = compute_suite(linked, "05", *Y2024, n_draws=1000)
    assert "persons_crc" not in PUBLISHED_QUANTITIES
    crc = suite.figure("persons_crc")
    assert crc is not None and not crc.published and crc.note
    assert all(f.published for q, f in suite.figures.items() if q != "persons_crc")


def test_per_municipality_purchases_add_up_to_the_area_and_match_their_own_suites(linked: Store) -> None:
    se, lan, kommun = compute_suites(linked, ["SE", "05", "0580"], *Y2024, n_draws=1000)
    for suite in (se, lan):
        total = suite.figure("purchases")
        assert total is not None and total.estimate is not None and total.low is not None and total.high is not None
        parts = [f["purchases"] for f in suite.by_kommun.values()]
        for attr in ("estimate", "low", "high"):
            assert math.isclose(sum(getattr(f, attr) or 0.0 for f in parts), getattr(total, attr), rel_tol=1e-9)
    # the municipality has one number: its own suite, its county's allocation and Sweden's
    own = kommun.figure("purchases")
    assert own is not None and own.estimate is not None
    assert lan.by_kommun["0580"]["purchases"].estimate == own.estimate == se.by_kommun["0580"]["purchases"].estimate
    assert se.by_lan["05"]["purchases"] == lan.figure("purchases")
    # demand adds up too (men x share), and a municipality's demand is the same everywhere
    d = lan.figure("demand_12m")
    assert d is not None and d.estimate is not None
    kommun_demand = sum(f["demand_12m"].estimate or 0 for k, f in lan.by_kommun.items() if not k.endswith("?"))
    assert math.isclose(kommun_demand, d.estimate, rel_tol=1e-9)
    assert kommun.figure("demand_12m") == lan.by_kommun["0580"]["demand_12m"]


def test_an_unmonitored_area_says_no_data_and_never_zero(linked: Store) -> None:
    suite = compute_suite(linked, "01", *Y2024, n_draws=1000)  # the tiny world has no ads in Stockholm
    assert not suite.has_data and suite.coverage.days_monitored == 0 and suite.coverage.sites == ()
    for q in ("persons", "purchases", "ads", "persons_crc"):
        f = suite.figure(q)
        assert f is not None and f.estimate is None and f.low is None and not f.published and f.note == NO_DATA
    demand = suite.figure("demand_12m")  # population-based: it does not need monitoring
    assert demand is not None and demand.estimate is not None and demand.estimate > 0
    empty = compute_suite(linked, "05", date(2031, 1, 1), date(2031, 12, 31), n_draws=1000)
    assert not empty.has_data and empty.figure("purchases").estimate is None  # type: ignore[union-attr]


def test_demand_uses_the_population_of_the_periods_year(store: Store) -> None:
    base = bundled_population()
    counts = base.counts.copy()
    store.put_population(PopulationTable(2024, counts * 2, "test 2024"))
    t2024, note = population_for(store, 2024)
    assert t2024.year == 2024 and note is None
    t2023, note = population_for(store, 2023)  # no SCB table of 2023: the bundled 2019 carried forward, said so
    assert t2023.year == 2023 and note is not None and "2023" in note and "projected" in note
    assert t2023.count("05", sex="m", age_min=18, age_max=65) != t2024.count("05", sex="m", age_min=18, age_max=65)
    t2019, note = population_for(store, 2019)
    assert t2019.year == 2019 and note is None  # the bundled SCB table is 2019's
    t2031, note = population_for(store, 2031)
    assert t2031.year == 2025 and note is not None and "2031" in note  # beyond the projection: the nearest, said


def test_without_imported_population_year_over_year_demand_follows_the_projection(linked: Store) -> None:
    y23 = compute_suite(linked, "05", date(2023, 1, 1), date(2023, 12, 31), n_draws=1000)
    y24 = compute_suite(linked, "05", *Y2024, n_draws=1000)
    d23, d24 = y23.figure("demand_12m"), y24.figure("demand_12m")
    assert d23 is not None and d24 is not None and d23.estimate and d24.estimate
    # Östergötland's men 18-65 grow from 2019 to 2025 (SCB): 2024's demand is above 2023's, not equal to it
    assert d24.estimate > d23.estimate
    assert y23.details["demand"]["population_year"] == 2023 and y24.details["demand"]["population_year"] == 2024
    assert "projected" in (d24.note or "") or any("projected" in n for n in y24.notes)


def test_year_over_year_demand_uses_each_years_population(linked: Store) -> None:
    base = bundled_population()
    linked.put_population(PopulationTable(2023, base.counts.copy(), "test 2023"))
    linked.put_population(PopulationTable(2024, base.counts * 2, "test 2024"))
    y23 = compute_suite(linked, "05", date(2023, 1, 1), date(2023, 12, 31), n_draws=1000)
    y24 = compute_suite(linked, "05", *Y2024, n_draws=1000)
    d23, d24 = y23.figure("demand_12m"), y24.figure("demand_12m")
    assert d23 is not None and d24 is not None and d23.estimate and d24.estimate
    assert math.isclose(d24.estimate, 2 * d23.estimate, rel_tol=0.01)
    assert y23.details["demand"]["population_year"] == 2023 and y24.details["demand"]["population_year"] == 2024
    assert d23.note is None and d24.note is None


def test_assumptions_change_the_stored_suite(linked: Store) -> None:
    a = compute_suite(linked, "05", *Y2024, n_draws=1000)
    changed = default_assumptions().with_fixed(persona_return_share=0.5)
    b = ensure_suite(linked, "05", *Y2024, assumptions=changed, n_draws=1000)
    assert b.run_id != a.run_id
    assert (b.figure("persons").estimate or 0) < (a.figure("persons").estimate or 0)  # type: ignore[union-attr]


def test_measured_returns_feed_the_persons_estimate_end_to_end(linked: Store, world: Path) -> None:
    from lagesbild.estimate.suite import linked_personas
    from lagesbild.link.evaluate import simulator_personas
    from lagesbild.link.succession import succession_count

    assumed = compute_suite(linked, "05", *Y2024, n_draws=1000)
    measured = compute_suite(linked, "05", *Y2024, n_draws=1000, returns="measured")
    assert measured.run_id != assumed.run_id and any("measured from the data" in n for n in measured.notes)
    assert not any("measured from the data" in n for n in assumed.notes)
    # the count over the period's linked personas, as the suite made it
    personas = linked_personas(linked, *Y2024)
    c = succession_count(personas)
    assert c.personas == len(personas) > 0 and f"succession count {c.returning:.1f} of {c.personas}" in " ".join(
        measured.notes
    )
    # the measured run is the assumption run with persona_return_share replaced by the measurement
    a, _ = measured_returns(linked, *Y2024, default_assumptions())
    assert a["persona_return_share"].source.startswith("Measured")
    same = compute_suite(linked, "05", *Y2024, n_draws=1000, assumptions=a)
    assert same.figure("persons") == measured.figure("persons")
    # the linked personas are about the simulator's personas (a 60-day world; a few splits and merges)
    true_personas, _ = simulator_personas(world.parent)
    assert abs(len(personas) - len(true_personas)) <= 0.1 * len(true_personas)
    # and the CLI option reaches it
    with pytest.raises(InputError):
        compute_suite(linked, "05", *Y2024, n_draws=1000, returns="guessed")  # type: ignore[arg-type]


def test_estimate_run_returns_measured(settings: Settings, world: Path) -> None:
    args = _linked_workspace(settings, world)
    res = runner.invoke(app, [*args, *RUN, "--area", "05", "--draws", "500", "--returns", "measured", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert any("measured from the data" in n for n in json.loads(res.stdout)["notes"])
    res = runner.invoke(app, [*args, *RUN, "--area", "05", "--draws", "500", "--returns", "guessed"])
    assert res.exit_code != 0


def test_without_links_purchases_come_from_ad_days_and_persons_say_why(
    store: Store, pz: Pseudonymizer, world: Path
) -> None:
    import_file(store, pz, world, parallel=None)
    suite = compute_suite(store, "05", *Y2024, n_draws=1000)
    assert suite.basis == "ad_days" and suite.has_data
    assert suite.figure("purchases").estimate is not None  # type: ignore[union-attr]
    persons = suite.figure("persons")
    assert persons is not None and persons.estimate is None and "link" in (persons.note or "")


def _linked_workspace(settings: Settings, world: Path) -> list[str]:
    args = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(app, [*args, "init"]).exit_code == 0
    with open_workspace(settings) as ws:
        import_file(ws.store, ws.pseudonymizer, world, parallel=None)
        process_new(ws.store)
    return args


def test_estimate_run_prints_the_stored_suite_and_no_data(settings: Settings, world: Path) -> None:
    args = _linked_workspace(settings, world)
    res = runner.invoke(app, [*args, *RUN, "--area", "05", "--draws", "500", "-f", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    with open_workspace(settings) as ws:
        stored = load_suite(ws.store, "05", *Y2024)
    assert stored is not None and payload["run_id"] == stored.run_id
    assert payload["figures"]["purchases"]["estimate"] == stored.figure("purchases").estimate  # type: ignore[union-attr]
    assert payload["figures"]["persons_crc"]["published"] is False
    assert payload["coverage"]["days_monitored"] == stored.coverage.days_monitored > 0
    res = runner.invoke(app, [*args, "estimate", "run", "--area", "05", "--year", "2024", "--draws", "500"])
    assert res.exit_code == 0 and "not published" in res.stdout and "days monitored" in res.stdout
    res = runner.invoke(app, [*args, "estimate", "run", "--area", "01", "--year", "2024", "--draws", "500"])
    assert res.exit_code == 0 and "no data" in res.stdout
    assert not any(tok in res.stdout for tok in ("0 (0-0)", "0 (0 - 0)"))
    res = runner.invoke(app, [*args, *RUN, "--area", "05", "--draws", "500", "-f", "csv"])
    assert res.exit_code == 0 and res.stdout.startswith("area,period_start,period_end,sites,days_monitored")


def test_estimate_run_all_says_no_data_for_unmonitored_counties(settings: Settings, world: Path) -> None:
    args = _linked_workspace(settings, world)
    res = runner.invoke(app, [*args, "estimate", "run", "--area", "all", "--year", "2024", "--draws", "200"])
    assert res.exit_code == 0, res.output
    stockholm = next(line for line in res.stdout.splitlines() if "Stockholms" in line)
    assert "no data" in stockholm and "0 (0" not in stockholm
    res = runner.invoke(app, [*args, *RUN, "--area", "all", "--draws", "200", "-f", "json"])
    payload = {p["area"]: p for p in json.loads(res.stdout)}
    assert payload["01"]["has_data"] is False and payload["01"]["figures"]["purchases"]["estimate"] is None
    assert payload["05"]["has_data"] is True


def test_estimate_residence_without_judgments_says_no_data(settings: Settings, world: Path) -> None:
    args = _linked_workspace(settings, world)
    res = runner.invoke(app, [*args, "estimate", "residence", "--area", "05", "--year", "2024"])
    assert res.exit_code == 0, res.output
    assert "no data" in res.stdout and "≈" not in res.stdout and "%" not in res.stdout
    res = runner.invoke(app, [*args, "estimate", "residence", "--area", "05", "--year", "2024", "-f", "json"])
    payload = json.loads(res.stdout)
    assert payload["has_data"] is False and payload["rows"] == [] and payload["judgments"] == 0


def test_suite_demand_is_the_runners(linked: Store) -> None:
    from lagesbild.estimate.runner import run_estimates

    suite = compute_suite(linked, "05", *Y2024, n_draws=1000, save=False)
    run = run_estimates(linked, "05", *Y2024, n_draws=1000, save=False)
    for q in ("demand_12m", "demand_ever"):
        f, r = suite.figure(q), run.result(q)
        assert f is not None and r is not None
        assert (f.estimate, f.low, f.high, f.level) == (r.estimate, r.low, r.high, r.level)
