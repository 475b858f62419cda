"""The demo: the whole chain on a simulated ad market, ending with estimates beside the truth.

``run_demo`` simulates a world (by default the ``ostergotland`` preset: one county, two years,
about 1,500 purchases a year), creates a workspace, imports what a daily crawl of its sites
would have seen, and estimates; every figure is returned beside the simulated truth in a typed
:class:`DemoResult` that the CLI renders. Steps are added here as pipeline stages land.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lagesbild import refdata
from lagesbild.estimate.demand import AgeBand, estimate_demand
from lagesbild.estimate.intervals import Proportion
from lagesbild.ingest import import_file
from lagesbild.settings import load_settings
from lagesbild.simulate import load_config, simulate
from lagesbild.store import CountRow, ImportSummary
from lagesbild.workspace import init_workspace, open_workspace

__all__ = ["Comparison", "DemoResult", "run_demo"]

log = logging.getLogger(__name__)

# Survey shares used by the demo's demand step (see docs/methods/demand.md for their sources).
PREVALENCE_12M = Proportion.from_sample(0.008, 2_500)  # men 18-65 who bought sex in the last 12 months, 2014 survey


@dataclass(frozen=True)
class Comparison:
    """One estimate beside the simulated truth."""

    what: str
    period: str
    estimate: float
    low: float | None
    high: float | None
    truth: float | None
    note: str = ""

    @property
    def covered(self) -> bool | None:
        """Whether the interval contains the truth (None if either is missing)."""
        if self.truth is None or self.low is None or self.high is None:
            return None
        return self.low <= self.truth <= self.high


@dataclass(frozen=True)
class DemoResult:
    """What the demo did and found."""

    out: Path
    world: Path
    home: Path
    preset: str
    seed: int
    county: str
    imported: ImportSummary
    counts: list[CountRow]
    comparisons: list[Comparison] = field(default_factory=list)
    truth: dict[str, Any] = field(default_factory=dict)


def run_demo(
    out: Path,
    *,
    preset: str = "ostergotland",
    seed: int = 7,
    county: str = "05",
    db: str | None = None,
    step: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the demo into ``out`` (``out/world``: the simulated world; ``out/data``: the workspace).

    Args:
        out: the demo's folder (created; a previous demo there is reused, nothing is duplicated).
        preset: a simulator preset (``tiny``, ``ostergotland``, ``national``).
        seed: the simulator's seed.
        county: the county the summary is about.
        db: a database URL instead of SQLite in ``out/data``.
        step: called with a short description as each step starts (for progress display).
    """
    say = step or (lambda _msg: None)
    out = Path(out)
    world = out / "world"
    say(f"Simulating the '{preset}' market (seed {seed})")
    simulate(load_config(preset), seed=seed, out_dir=world)
    truth: dict[str, Any] = json.loads((world / "truth" / "summary.json").read_text(encoding="utf-8"))

    say("Creating the workspace and importing the observations of a daily crawl")
    settings = load_settings(home=str(out / "data"), db=db)
    init_workspace(settings)
    with open_workspace(settings) as ws:
        imported = import_file(ws.store, ws.pseudonymizer, world / "observations.jsonl.gz", parallel=None)
        counts = ws.store.observation_counts(lan=county, period="year")

    say("Estimating demand from the population")
    comparisons: list[Comparison] = []
    county_truth = truth.get("counties", {}).get(county, {})
    years = sorted(county_truth)
    for year in years:
        n_obs = sum(r.observations for r in counts if r.period == year)
        comparisons.append(
            Comparison(
                "observationer i länet (importerade)",
                year,
                n_obs,
                None,
                None,
                county_truth[year].get("observations"),
                "geokodning av annonsernas orter",
            )
        )
    pop = refdata.bundled_population()
    demand = estimate_demand(pop, county, PREVALENCE_12M, AgeBand(18, 65), measure="12m")
    for year in years:
        comparisons.append(
            Comparison(
                "sexköpare senaste 12 mån (befolkning x andel)",
                year,
                demand.estimate,
                demand.low,
                demand.high,
                county_truth[year].get("resident_buyers"),
                "sanningen räknar bara köp via annonser",
            )
        )
    return DemoResult(
        out=out,
        world=world,
        home=settings.home,
        preset=preset,
        seed=seed,
        county=county,
        imported=imported,
        counts=counts,
        comparisons=comparisons,
        truth=truth,
    )
