"""The demo: the whole chain on a simulated ad market, ending with estimates beside the truth.

``run_demo`` simulates a world (by default the ``ostergotland`` preset: one county, two years,
about 1,500 purchases a year), creates a workspace, imports what a daily crawl of its sites
would have seen, and estimates; every figure is returned beside the simulated truth in a typed
:class:`DemoResult` that the CLI renders. Steps are added here as pipeline stages land.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from lagesbild import refdata
from lagesbild.estimate.suite import SIMULATED_META, EstimateSuite, Figure, ensure_suites
from lagesbild.ingest import import_file
from lagesbild.monitor import Profile, crawl, shipped_profiles, with_base_url
from lagesbild.pipeline import Processed, process_new
from lagesbild.report.build import read_campaigns
from lagesbild.report.run import ReportResult, run_report
from lagesbild.settings import load_settings
from lagesbild.simulate import load_config, simulate
from lagesbild.simulate.server import SimServer
from lagesbild.store import CountRow, ImportSummary
from lagesbild.verdicts.importer import import_judgments
from lagesbild.workspace import init_workspace, open_workspace

__all__ = ["Comparison", "DemoResult", "LiveCrawl", "run_demo"]

log = logging.getLogger(__name__)


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
    published: bool = True

    @property
    def covered(self) -> bool | None:
        """Whether the interval contains the truth (None if either is missing)."""
        if self.truth is None or self.low is None or self.high is None:
            return None
        return self.low <= self.truth <= self.high


@dataclass(frozen=True)
class LiveCrawl:
    """The live part of the demo: the last simulated days crawled from the simulator's sites."""

    days: list[str]
    pages: int
    new_observations: int
    degraded: list[str]
    seconds: float


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
    live: LiveCrawl
    counts: list[CountRow]
    comparisons: list[Comparison] = field(default_factory=list)
    truth: dict[str, Any] = field(default_factory=dict)
    reports: list[ReportResult] = field(default_factory=list)
    processed: Processed | None = None
    suites: dict[str, EstimateSuite] = field(default_factory=dict)


def _demo_profile(p: Profile, base: str) -> Profile:
    """A shipped profile pointed at the local simulator, fast but still rate-limited (loopback only)."""
    p = with_base_url(p, f"{base}/{p.source}/")
    pol = p.politeness.model_copy(update={"rate_per_second": 500, "concurrency": 2, "obey_crawl_delay": False})
    return p.model_copy(update={"politeness": pol})


def _fixed(t: datetime) -> Callable[[], datetime]:
    """A clock that always says ``t`` (a crawl of a simulated day happens at that day's noon)."""
    return lambda: t


def _archive(world: Path, cutoff: date) -> Path:
    """The observations before ``cutoff``: the monitoring archive the demo imports as a file."""
    out = world / "archive.jsonl.gz"
    prefix = cutoff.isoformat()
    with gzip.open(world / "observations.jsonl.gz", "rb") as src, gzip.open(out, "wb", compresslevel=1) as dst:
        for line in src:
            i = line.find(b'"seen_at":"')
            if i >= 0 and line[i + 11 : i + 21].decode() < prefix:
                dst.write(line)
    return out


# What the demo sets beside the truth: (quantity, label, note). Every number is the stored suite's.
_SHOWN: tuple[tuple[str, str, str, str], ...] = (
    ("purchases", "sexköp per år (utbudssidan)", "purchases",
     "länkade persondagar × kunder per arbetsdag × andel äkta annonser …"),
    ("personas", "personer, länkade (sedda)", "active_persons",
     "sedda på minst en sajt; en kvinna som återkommer med nytt namn, nummer och bilder räknas två gånger"),
    ("persons", "personer (kvinnor), skattade", "active_persons",
     "länkade personor minus återkommande med ny persona och dubbletter"),
    ("persons_crc", "personer inkl. osedda (fångst–återfångst)", "active_persons",
     "EJ PUBLICERAD: metoden är inte kalibrerad (intervallet täcker inte sanningen i simuleringar)"),
    ("demand_12m", "sexköpare 12 mån (befolkning × andel)", "resident_buyers",
     "män 18–65 × andel som köpt sex; sanningen räknar bara köp via annonser"),
)  # fmt: skip


def _comparisons(suites: dict[str, EstimateSuite], county_truth: dict[str, Any]) -> list[Comparison]:
    """Each year's stored suite beside the simulated truth (the same figures the reports print)."""
    out: list[Comparison] = []
    for year, suite in sorted(suites.items()):
        truth = county_truth.get(year, {})
        c = suite.coverage
        out.append(Comparison("observationer i länet", year, c.observations, None, None, truth.get("observations"),
                              "arkiv + bevakning; orten i annonsen geokodad till kommun"))  # fmt: skip
        for quantity, what, truth_key, note in _SHOWN:
            f: Figure | None = suite.figure(quantity)
            if f is None or f.estimate is None:
                continue
            level = f" ({round(f.level * 100)} % intervall)" if f.level is not None else ""
            demand = suite.details.get("demand", {})
            if quantity.startswith("demand") and demand.get("population_note"):
                # say which population year was used when the period's year is not loaded
                if str(demand.get("population_year")) == str(year):
                    level += f"; befolkning {year} framskriven från SCB 2019"
                else:
                    level += f"; befolkning {demand['population_year']} (befolkning för {year} saknas)"
            out.append(Comparison(what, year, f.estimate, f.low, f.high, truth.get(truth_key), note + level,
                                  f.published))  # fmt: skip
    return out


def run_demo(
    out: Path,
    *,
    preset: str = "ostergotland",
    seed: int = 7,
    county: str = "05",
    live_days: int = 3,
    db: str | None = None,
    step: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the demo into ``out`` (``out/world``: the simulated world; ``out/data``: the workspace).

    The simulated period is split in two: everything before the last ``live_days`` days is imported
    as a monitoring archive (a JSONL file), and the last days are crawled live from the simulator's
    websites on loopback with the shipped site profiles, as ``lagesbild crawl`` would.

    Args:
        out: the demo's folder (created; a previous demo there is reused, nothing is duplicated).
        preset: a simulator preset (``tiny``, ``ostergotland``, ``national``).
        seed: the simulator's seed.
        county: the county the summary is about.
        live_days: how many of the last simulated days are crawled live.
        db: a database URL instead of SQLite in ``out/data``.
        step: called with a short description as each step starts (for progress display).
    """
    say = step or (lambda _msg: None)
    out = Path(out)
    world = out / "world"
    say(f"Simulating the '{preset}' market (seed {seed})")
    cfg = load_config(preset)
    simulate(cfg, seed=seed, out_dir=world)
    truth: dict[str, Any] = json.loads((world / "truth" / "summary.json").read_text(encoding="utf-8"))
    start = cfg.world.start
    first_live = cfg.world.days - live_days

    say("Creating the workspace and importing the monitoring archive")
    settings = load_settings(home=str(out / "data"), db=db)
    init_workspace(settings)
    with open_workspace(settings) as ws:
        archive = _archive(world, start + timedelta(days=first_live))
        imported = import_file(ws.store, ws.pseudonymizer, archive, parallel=None)

        pages = new = 0
        degraded: list[str] = []
        days: list[str] = []
        t0 = datetime.now(UTC)
        with SimServer(world) as server:
            profiles = shipped_profiles()
            for day in range(first_live, cfg.world.days):
                server.app.set_day(day)
                noon = datetime.combine(start + timedelta(days=day), datetime.min.time(), UTC) + timedelta(hours=12)
                days.append(noon.date().isoformat())
                for name, profile in sorted(profiles.items()):
                    say(f"Crawling {name} for {noon.date().isoformat()} from the simulated site")
                    res = crawl(_demo_profile(profile, server.url), ws.store, ws.pseudonymizer, clock=_fixed(noon))
                    pages += res.pages
                    new += res.new_observations
                    if res.health is not None and res.health.degraded:
                        degraded.append(f"{name} {noon.date().isoformat()}")
        live = LiveCrawl(days, pages, new, degraded, (datetime.now(UTC) - t0).total_seconds())
        counts = ws.store.observation_counts(lan=county, period="year")

        say("Normalizing and linking: reposts into ads, ads into persons, advertisers and networks")
        processed = process_new(ws.store)

        say("Importing the court judgments (buyers' ages, home and offence municipalities)")
        import_judgments(ws.store, world / "truth" / "verdicts.jsonl")
        # Every report of this store says prominently that its data is simulated.
        ws.store.set_meta(SIMULATED_META, "simulator")

        # One estimate suite per year (the county, its municipalities, Sweden): the figures the
        # reports below and the summary printed after them both read.
        last_year = (start + timedelta(days=cfg.world.days - 1)).year
        suites: dict[str, EstimateSuite] = {}
        for year in range(start.year, last_year + 1):
            say(f"Estimating {refdata.area_name(county)} {year}: activity, purchases, persons, demand")
            suites[str(year)] = ensure_suites(ws.store, [county], date(year, 1, 1), date(year, 12, 31))[0]

        # The lägesbild per year, each followed up against the year before (stored report contexts).
        reports: list[ReportResult] = []
        campaigns = tuple(read_campaigns(world / "truth" / "campaigns.csv"))
        for year in range(start.year, last_year + 1):
            say(f"Writing the lägesbild for {refdata.area_name(county)} {year}")
            reports.append(
                run_report(
                    ws.store,
                    county,
                    date(year, 1, 1),
                    date(year, 12, 31),
                    out / "report" / str(year),
                    campaigns=campaigns,
                    threshold=settings.small_count_threshold,
                )
            )

    comparisons = _comparisons(suites, truth.get("counties", {}).get(county, {}))
    return DemoResult(
        out=out,
        world=world,
        home=settings.home,
        preset=preset,
        seed=seed,
        county=county,
        imported=imported,
        live=live,
        counts=counts,
        comparisons=comparisons,
        truth=truth,
        reports=reports,
        processed=processed,
        suites=suites,
    )
