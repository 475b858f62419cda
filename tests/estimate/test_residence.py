"""Where purchases happen versus where buyers live: ad locations combined with the judgments' flows."""

from __future__ import annotations

import csv
import doctest
import json
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import lagesbild.estimate.residence as residence_module
from lagesbild.cli import app
from lagesbild.errors import InputError, RefdataError
from lagesbild.estimate.residence import where_buyers_live
from lagesbild.estimate.runner import run_residence
from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.privacy import Pseudonymizer
from lagesbild.refdata import bundled_population
from lagesbild.settings import Settings
from lagesbild.simulate import load_config, simulate
from lagesbild.store import Store
from lagesbild.store.verdicts import VerdictStore
from lagesbild.verdicts import Flow, VerdictRecord
from lagesbild.workspace import open_workspace

runner = CliRunner()


class Truth:
    """The simulated county's purchases: where they happened, where the buyers lived, and its judgments."""

    def __init__(self, root: Path) -> None:
        rows = list(csv.DictReader((root / "truth" / "od_flows.csv").open(encoding="utf-8")))
        self.pairs = [(r["buyer_kommun"], r["seller_kommun"], int(r["purchases"])) for r in rows]
        inside = [(b, s, n) for b, s, n in self.pairs if s.startswith("05")]
        self.inside = inside
        self.purchases_in = Counter[str]()
        self.by_residents = Counter[str]()
        self.outside = 0
        for b, s, n in inside:
            self.purchases_in[s] += n
            if b.startswith("05"):
                self.by_residents[b] += n
            else:
                self.outside += n
        self.total = sum(self.purchases_in.values())
        lines = (root / "truth" / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()
        verdicts = [json.loads(line) for line in lines]
        self.flows = [
            Flow(h, o, c)
            for (h, o), c in Counter((v["defendant_kommun"], v["offence_kommun"]) for v in verdicts).items()
        ]

    def sampled_flows(self, n: int, seed: int) -> list[Flow]:
        """``n`` judgments drawn like the purchases themselves (a representative sample)."""
        weights = np.array([c for _, _, c in self.inside], dtype=float)
        idx = np.random.default_rng(seed).choice(len(weights), size=n, p=weights / weights.sum())
        return [Flow(self.inside[i][0], self.inside[i][1], c) for i, c in Counter(idx.tolist()).items()]


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> Truth:
    root = tmp_path_factory.mktemp("residence-world")
    simulate(load_config("ostergotland"), seed=7, out_dir=root)
    return Truth(root)


def test_representative_judgments_recover_where_buyers_live(truth: Truth) -> None:
    """With many judgments drawn like the purchases, purchases by residents come back within the intervals."""
    r = where_buyers_live(
        np.full(500, float(truth.total)), dict(truth.purchases_in), truth.sampled_flows(2000, seed=1), "05"
    )
    covered = [row.by_residents.low <= truth.by_residents[row.kommun] <= row.by_residents.high for row in r.rows]
    assert sum(covered) >= 0.8 * len(covered)
    for big in ("0580", "0581"):  # Linköping, Norrköping
        assert r.row(big).by_residents.median == pytest.approx(truth.by_residents[big], rel=0.06)
    assert r.outside.median == pytest.approx(truth.outside, rel=0.2)
    assert r.judgments == 2000


def test_the_simulated_judgments_give_wide_but_honest_intervals(truth: Truth) -> None:
    """A county has few judgments (about a dozen): the intervals are wide and hold the truth of the large towns."""
    r = where_buyers_live(np.full(500, float(truth.total)), dict(truth.purchases_in), truth.flows, "05")
    assert r.judgments == sum(f.count for f in truth.flows if f.offence.startswith("05"))
    for big in ("0580", "0581"):
        row = r.row(big)
        assert row.by_residents.low <= truth.by_residents[big] <= row.by_residents.high
    many = where_buyers_live(
        np.full(500, float(truth.total)), dict(truth.purchases_in), truth.sampled_flows(2000, seed=2), "05"
    )
    width = r.row("0580").by_residents.high - r.row("0580").by_residents.low
    assert width > 3 * (many.row("0580").by_residents.high - many.row("0580").by_residents.low)


def test_purchases_are_conserved_and_follow_person_days() -> None:
    flows = [Flow("0580", "0580", 8), Flow("0583", "0580", 2), Flow("0581", "0581", 5), Flow("0180", "0581", 5)]
    r = where_buyers_live(np.full(200, 1000.0), {"0580": 300.0, "0581": 100.0, "0183": 50.0}, flows, "05")
    assert r.row("0580").purchases_in.central == pytest.approx(750)
    assert r.row("0581").purchases_in.central == pytest.approx(250)
    total = sum(row.by_residents.central for row in r.rows) + r.outside.central
    assert total == pytest.approx(1000)  # every purchase has a home, in the area or outside it
    with pytest.raises(KeyError):
        r.row("0183")  # Sundbyberg is not in Östergötland: its person-days are ignored
    # Norrköping: half its judged buyers came from outside the county
    assert r.row("0581").visitor_share.median == pytest.approx(0.5, abs=0.15)
    assert r.outside.median == pytest.approx(0.5 * 250, rel=0.3)
    # Motala has no ads but residents who bought in Linköping
    assert r.row("0583").purchases_in.central == 0
    assert r.row("0583").by_residents.median > 0


def test_a_municipality_without_judgments_borrows_the_area_pattern_with_a_wide_interval() -> None:
    flows = [Flow("0580", "0580", 40), Flow("0583", "0580", 10)]
    r = where_buyers_live(np.full(200, 1000.0), {"0580": 500.0, "0583": 500.0}, flows, "05", seed=3)
    judged, unjudged = r.row("0580").visitor_share, r.row("0583").visitor_share
    assert r.row("0583").judgments == 0
    assert (unjudged.high - unjudged.low) > 2 * (judged.high - judged.low)
    stronger = where_buyers_live(np.full(200, 1000.0), {"0580": 500.0, "0583": 500.0}, flows, "05", prior_weight=50)
    s = stronger.row("0583").visitor_share
    assert (s.high - s.low) < (unjudged.high - unjudged.low)


def test_the_demand_side_stands_beside_the_residents_purchases() -> None:
    pop = bundled_population()
    r = where_buyers_live(np.full(200, 1000.0), {"0580": 1.0}, [Flow("0580", "0580", 3)], "05", population=pop)
    row = r.row("0580")
    assert row.demand is not None and r.population_year == pop.year
    men = pop.count("0580", sex="m", age_min=18, age_max=65)
    assert row.demand.central == pytest.approx(men * 0.008 * 2.0)  # prevalence_12m x purchases per buyer
    assert row.demand.low < row.demand.central < row.demand.high
    assert where_buyers_live(np.full(200, 1.0), {"0580": 1.0}, [], "05").row("0580").demand is None


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="prior_weight"):
        where_buyers_live(np.ones(10), {}, [], "05", prior_weight=0)
    with pytest.raises(ValueError, match="negative"):
        where_buyers_live(np.ones(10), {"0580": -1.0}, [], "05")
    with pytest.raises(ValueError, match="draws"):
        where_buyers_live([], {}, [], "05")
    with pytest.raises(RefdataError):
        where_buyers_live(np.ones(10), {}, [], "99")


def test_docstring_example_runs() -> None:
    assert doctest.testmod(residence_module).failed == 0


def _verdict(home: str, offence: str) -> VerdictRecord:
    return VerdictRecord(None, None, "2024-06-01", "2024-03-01", 40, home, offence, True, 50, 100, False)


@pytest.fixture
def linked(store: Store, pz: Pseudonymizer, tmp_path: Path) -> Store:
    simulate(load_config("tiny"), 7, tmp_path / "tiny")
    import_file(store, pz, tmp_path / "tiny" / "observations.jsonl.gz", parallel=None)
    process_new(store)
    return store


def test_run_residence_reads_linked_ads_and_stored_judgments(linked: Store) -> None:
    judged = [_verdict("0580", "0580")] * 6 + [_verdict("0583", "0580")] * 3 + [_verdict("0581", "0581")] * 4
    VerdictStore(linked).add((f"{i:064x}", v) for i, v in enumerate(judged))
    r = run_residence(linked, "05", date(2024, 1, 1), date(2024, 12, 31), seed=1, n_draws=500)
    assert r.judgments == len(judged) and r.start == date(2024, 1, 1)
    assert {"0580", "0581"} <= {row.kommun for row in r.rows}
    assert all(row.person_days > 0 for row in r.rows if row.purchases_in.central > 0)
    # the same seed gives the same numbers
    again = run_residence(linked, "05", date(2024, 1, 1), date(2024, 12, 31), seed=1, n_draws=500)
    assert again.to_dict() == r.to_dict()


def test_run_residence_without_links_is_an_input_error(store: Store) -> None:
    with pytest.raises(InputError, match="link"):
        run_residence(store, "05", date(2024, 1, 1), date(2024, 12, 31))


def test_estimate_residence_command(settings: Settings, tmp_path: Path) -> None:
    simulate(load_config("tiny"), 7, tmp_path / "tiny")
    args = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(app, [*args, "init"]).exit_code == 0
    with open_workspace(settings) as ws:
        import_file(ws.store, ws.pseudonymizer, tmp_path / "tiny" / "observations.jsonl.gz", parallel=None)
        process_new(ws.store)
        VerdictStore(ws.store).add((f"{i:064x}", _verdict("0583", "0580")) for i in range(5))
    base = [*args, "estimate", "residence", "--area", "05", "--year", "2024", "--draws", "300"]
    res = runner.invoke(app, [*base, "-f", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["judgments"] == 5 and payload["rows"]
    res = runner.invoke(app, [*base, "-f", "csv"])
    assert res.exit_code == 0 and res.stdout.startswith("kommun,name,judgments,purchases_in")
    res = runner.invoke(app, base)
    assert res.exit_code == 0 and "Outside" in res.stdout and "Linköping" in res.stdout
    res = runner.invoke(app, [*args, "estimate", "residence", "--area", "05"])
    assert res.exit_code == 2 and "--year" in res.output
