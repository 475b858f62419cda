"""One estimate suite per area and period: the numbers every output reads.

``lagesbild estimate run``, the report, the demo and the dashboard all print the figures of a
stored :class:`EstimateSuite`, so one area and period has one value per quantity everywhere.
:func:`compute_suite` runs every estimate and stores the suite; :func:`load_suite` reads the
newest stored one; :func:`ensure_suite` reads it if it is still current for the store's data and
parameters, and computes it otherwise.

What a suite holds:

* **coverage** (:class:`Coverage`): the data behind the estimates: sites, days monitored, first
  and last day, observations, ads, ad-days and judgments in the area and period. Without any
  observation (``has_data`` False) no monitoring-based figure has a value: it says *no data*
  (the report: "inga data"), never zero, and no change is computed from it.
* **figures** (:class:`Figure`): one per quantity, with its interval at one level
  (:data:`~lagesbild.estimate.intervals.DEFAULT_LEVEL`, 0.90, unless asked otherwise), how it was
  made, and whether it is **published**. A quantity outside :data:`PUBLISHED_QUANTITIES` (the
  capture-recapture hidden population until it is calibrated) is computed and stored but marked
  not published, with the reason in its note; the report leaves it out, the CLI labels it.
* **by_kommun** (a county's or Sweden's suite): per-municipality figures, allocated so they add
  up to the area's figure; **by_lan** (Sweden's suite): the same per county.

The allocation rule (purchases). Purchases are estimated once for Sweden in the period (the
Monte Carlo model of :mod:`lagesbild.estimate.purchases` on Sweden's linked person-days, or on
ad-days when nothing is linked). Every area's purchases are those draws times the area's share
of the activity: the person-days (ad-days) of its municipalities, plus those of ads placed only
in the county, over the sum across Sweden. A share is a constant, so the median and interval
bounds scale with it and the municipalities and the county-only ads add up exactly to the
county, the counties and unplaced ads to Sweden, and a municipality has the same number in its
own report, its county's report and ``estimate run``. (Count noise is scaled too, which makes the
interval of a very small area slightly narrower than an estimate of its own would be.)

Demand (men 18-65 x survey share) uses the population of the period's year; if that year was not
imported, the nearest year the store or the bundle has, said in the figure's note.

Example::

    suite = ensure_suite(store, "05", date(2024, 1, 1), date(2024, 12, 31))
    suite.figure("purchases").estimate, suite.coverage.days_monitored
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from lagesbild.errors import InputError
from lagesbild.estimate.activity import (
    LinkedFrame,
    in_period,
    linked_frame,
    summarize_activity,
    with_measured_returns,
)
from lagesbild.estimate.assumptions import AssumptionSet, check_requirements, default_assumptions
from lagesbild.estimate.demand import DEFAULT_DESIGN_EFFECT, DEFAULT_TRANSFER_SIGMA, AgeBand, Measure, estimate_demand
from lagesbild.estimate.intervals import DEFAULT_LEVEL
from lagesbild.estimate.purchases import ActivitySummary, PurchasesEstimate, UncertainCount, estimate_purchases, tornado
from lagesbild.estimate.residence import Residence, where_buyers_live
from lagesbild.estimate.triangulate import Summary, triangulate
from lagesbild.link.succession import Persona, personas_from_ads, succession_count
from lagesbild.records.estimates import QUANTITIES
from lagesbild.refdata import (
    PROJECTION_END,
    PopulationTable,
    area_name,
    bundled_population,
    counties,
    municipalities,
    projected_population,
)
from lagesbild.store import Store
from lagesbild.store.estimates import EstimateStore, has_links, linked_ads, linked_person_ads
from lagesbild.store.reports import ReportStore
from lagesbild.store.suites import StoredSuite, SuiteStore
from lagesbild.store.verdicts import VerdictStore
from lagesbild.verdicts.analyze import travel_flows

__all__ = [
    "AGE_BAND",
    "DEFAULT_SEED",
    "NO_DATA",
    "PUBLISHED_QUANTITIES",
    "SUITE_QUANTITIES",
    "Coverage",
    "EstimateSuite",
    "Figure",
    "compute_suite",
    "compute_suites",
    "ensure_suite",
    "ensure_suites",
    "linked_personas",
    "load_suite",
    "population_for",
    "residence",
]

log = logging.getLogger(__name__)

SUITE_QUANTITIES: tuple[str, ...] = QUANTITIES
"""Every quantity of a suite, in the order outputs list them (the records' one list)."""

PUBLISHED_QUANTITIES: frozenset[str] = frozenset(
    {"persons", "personas", "person_days", "advertisers", "ads", "ad_days", "purchases", "demand_12m", "demand_ever"}
)
"""The quantities published in reports and shown without a caveat.

``persons_crc`` (the hidden population by capture-recapture) is left out: its interval covered the
simulated truth 0 of 48 times (issue #19). Add it here once its calibration meets the nominal
coverage (docs/methods/calibration.md).
"""

MONITORED_QUANTITIES: frozenset[str] = frozenset(SUITE_QUANTITIES) - {"demand_12m", "demand_ever"}
"""Quantities made from monitoring data: without observations they have no value ("no data")."""

NO_DATA = "no data: nothing was monitored in the area and period"
"""The note of a figure without data (outputs in Swedish say "inga data")."""

NOT_PUBLISHED = "not published: not yet calibrated (its interval does not cover the truth in simulations)"
"""The note of a computed figure outside :data:`PUBLISHED_QUANTITIES`."""

DEFAULT_SEED = 1
"""The Monte Carlo seed of a suite when none is given (the same in CLI, report and demo)."""

DEFAULT_DRAWS = 20_000
"""Monte Carlo draws of a suite when none is given."""

AGE_BAND = AgeBand(18, 65)
"""The survey's base: men 18-65 (Länsstyrelsen Stockholm, rapport 2015:10)."""

_DEMAND: tuple[tuple[str, str, Measure], ...] = (
    ("demand_12m", "prevalence_12m", "12m"),
    ("demand_ever", "prevalence_ever", "ever"),
)


# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """The data behind an area's estimates in a period.

    Attributes:
        sites: the sites with at least one observation in the area and period.
        days_monitored: days with at least one observation in the area.
        first_day, last_day: the first and last such day (``None`` without data).
        observations: sightings stored; ads: distinct site ads; ad_days: distinct (site ad, day).
        judgments: stored judgments with the offence in the area, dated in the period.
    """

    sites: tuple[str, ...]
    days_monitored: int
    first_day: date | None
    last_day: date | None
    observations: int
    ads: int
    judgments: int
    ad_days: int = 0

    @property
    def has_data(self) -> bool:
        """False when nothing was monitored in the area and period."""
        return self.observations > 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {
            "sites": list(self.sites),
            "days_monitored": self.days_monitored,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "observations": self.observations,
            "ads": self.ads,
            "ad_days": self.ad_days,
            "judgments": self.judgments,
            "has_data": self.has_data,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Coverage:
        """The inverse of :meth:`to_dict`."""
        return cls(
            tuple(d["sites"]),
            int(d["days_monitored"]),
            date.fromisoformat(d["first_day"]) if d.get("first_day") else None,
            date.fromisoformat(d["last_day"]) if d.get("last_day") else None,
            int(d["observations"]),
            int(d["ads"]),
            int(d["judgments"]),
            int(d.get("ad_days", 0)),
        )


@dataclass(frozen=True)
class Figure:
    """One quantity of a suite.

    Attributes:
        quantity: one of :data:`SUITE_QUANTITIES`.
        estimate, low, high: the value and its interval; all ``None`` when there is no value
            (no data, or it could not be estimated: see ``note``).
        level: the interval's coverage (0.9), or ``None`` for a range that is not a confidence
            interval (the activity counts other than persons).
        method: how it was made, in words.
        published: False when it is not to be shown as a result (not calibrated, no data).
        note: why it is not published or has no value, or a caveat (the population year used).
    """

    quantity: str
    estimate: float | None
    low: float | None
    high: float | None
    level: float | None
    method: str
    published: bool
    note: str | None = None

    @property
    def has_value(self) -> bool:
        """Whether there is a number (False for no data or not estimable)."""
        return self.estimate is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {
            "quantity": self.quantity,
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "level": self.level,
            "method": self.method,
            "published": self.published,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Figure:
        """The inverse of :meth:`to_dict`."""

        def f(x: Any) -> float | None:
            return None if x is None else float(x)

        return cls(
            str(d["quantity"]), f(d["estimate"]), f(d["low"]), f(d["high"]), f(d["level"]), str(d["method"]),
            bool(d["published"]), d.get("note"),
        )  # fmt: skip

    def scaled(self, share: float, method: str) -> Figure:
        """This figure times a constant share (an allocation), with another method text."""
        if self.estimate is None or self.low is None or self.high is None:
            return replace(self, method=method)
        return replace(self, estimate=self.estimate * share, low=self.low * share, high=self.high * share,
                       method=method)  # fmt: skip


def _no_value(quantity: str, method: str, note: str, published: bool = False) -> Figure:
    return Figure(quantity, None, None, None, None, method, published, note)


@dataclass(frozen=True)
class EstimateSuite:
    """Every figure of one area and period, with the data coverage behind them.

    Attributes:
        area, start, end: ``"SE"``, a county or a municipality code, and the period (both included).
        run_id, created_at: the stored suite's id and when it was computed (ISO 8601 UTC).
        level: the interval level of every figure that has one.
        coverage: the data behind the figures.
        figures: quantity -> :class:`Figure`.
        by_kommun: a county's or Sweden's suite: municipality code (and ``"05?"`` for ads placed only
            in county 05, ``"?"`` for ads placed nowhere) -> quantity -> figure; allocations that
            add up to the area's figure. Empty for a municipality.
        by_lan: Sweden's suite: county code -> quantity -> figure (the same allocation).
        seed, n_draws, assumptions_name: how the Monte Carlo simulations were run.
        basis: ``person_days`` (linked) or ``ad_days`` (nothing linked yet).
        details: what a report shows beside the figures (the purchases model's inputs and
            sensitivity, the demand side's population, triangulation, where buyers live).
        notes: what could not be estimated and why.
        data_key: the store's data when it was computed (:meth:`SuiteStore.data_key`).
        simulated: the store's data came from the simulator (the demo).
    """

    area: str
    start: date
    end: date
    run_id: str
    created_at: str
    level: float
    coverage: Coverage
    figures: Mapping[str, Figure]
    by_kommun: Mapping[str, Mapping[str, Figure]] = field(default_factory=dict)
    by_lan: Mapping[str, Mapping[str, Figure]] = field(default_factory=dict)
    seed: int = DEFAULT_SEED
    n_draws: int = DEFAULT_DRAWS
    assumptions_name: str = "default"
    basis: str = "person_days"
    details: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    data_key: str = ""
    simulated: bool = False

    def figure(self, quantity: str) -> Figure | None:
        """The figure of one quantity, or ``None`` if the suite has none."""
        return self.figures.get(quantity)

    @property
    def has_data(self) -> bool:
        """False when nothing was monitored in the area and period."""
        return self.coverage.has_data

    @property
    def area_name(self) -> str:
        """The area's name (``Sverige`` for SE)."""
        return area_name(self.area)

    def to_dict(self) -> dict[str, Any]:
        """The suite as JSON-friendly data (what ``estimate run --format json`` prints)."""

        def figs(m: Mapping[str, Figure]) -> dict[str, Any]:
            return {q: f.to_dict() for q, f in m.items()}

        return {
            "area": self.area,
            "area_name": self.area_name,
            "period_start": self.start.isoformat(),
            "period_end": self.end.isoformat(),
            "run_id": self.run_id,
            "created_at": self.created_at,
            "level": self.level,
            "seed": self.seed,
            "n_draws": self.n_draws,
            "assumptions": self.assumptions_name,
            "basis": self.basis,
            "has_data": self.has_data,
            "simulated": self.simulated,
            "coverage": self.coverage.to_dict(),
            "figures": figs(self.figures),
            "by_kommun": {k: figs(v) for k, v in self.by_kommun.items()},
            "by_lan": {k: figs(v) for k, v in self.by_lan.items()},
            "details": dict(self.details),
            "notes": list(self.notes),
            "data_key": self.data_key,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EstimateSuite:
        """The inverse of :meth:`to_dict`."""

        def figs(m: Mapping[str, Any]) -> dict[str, Figure]:
            return {q: Figure.from_dict(f) for q, f in m.items()}

        return cls(
            area=str(d["area"]),
            start=date.fromisoformat(d["period_start"]),
            end=date.fromisoformat(d["period_end"]),
            run_id=str(d["run_id"]),
            created_at=str(d["created_at"]),
            level=float(d["level"]),
            coverage=Coverage.from_dict(d["coverage"]),
            figures=figs(d["figures"]),
            by_kommun={k: figs(v) for k, v in d.get("by_kommun", {}).items()},
            by_lan={k: figs(v) for k, v in d.get("by_lan", {}).items()},
            seed=int(d["seed"]),
            n_draws=int(d["n_draws"]),
            assumptions_name=str(d["assumptions"]),
            basis=str(d.get("basis", "person_days")),
            details=dict(d.get("details", {})),
            notes=tuple(d.get("notes", ())),
            data_key=str(d.get("data_key", "")),
            simulated=bool(d.get("simulated", False)),
        )

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per figure (``estimate run --format csv``): area, period, coverage, the figure."""
        base = {
            "area": self.area,
            "period_start": self.start.isoformat(),
            "period_end": self.end.isoformat(),
            "sites": len(self.coverage.sites),
            "days_monitored": self.coverage.days_monitored,
            "observations": self.coverage.observations,
            "judgments": self.coverage.judgments,
        }
        return [{**base, **f.to_dict()} for f in self.figures.values()]


# --- parameters and population -------------------------------------------------------------------


def _assumptions_json(a: AssumptionSet) -> dict[str, Any]:
    return {p.name: {k: v for k, v in p.distribution.to_dict().items() if v is not None} for p in a}


def _params_key(a: AssumptionSet, seed: int, level: float, n_draws: int) -> str:
    blob = json.dumps(
        {"assumptions": _assumptions_json(a), "seed": seed, "level": level, "n_draws": n_draws}, sort_keys=True
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def population_for(store: Store, year: int) -> tuple[PopulationTable, str | None]:
    """The population of ``year``: imported into the store, else the bundled table carried forward.

    An imported SCB table of the year wins. Otherwise the bundled 2019 table is carried forward to the
    year by each municipality's change to 2025 (:func:`~lagesbild.refdata.projected_population`), so
    year-over-year demand follows the population; outside 2019-2025 the nearest year available is used.

    Returns:
        The table and a note when it is not an SCB table of ``year`` (projected, or another year).
    """
    years = store.population_years()
    if year in years:
        table = store.population_table(year)
        if table is not None:
            return table, None
    bundled = bundled_population()
    projected = range(bundled.year + 1, PROJECTION_END + 1)
    candidates = sorted({*years, bundled.year, *projected}, key=lambda y: (abs(y - year), y not in years, -y))
    best = candidates[0]
    if best in years and (table := store.population_table(best)) is not None:
        return table, f"population of {best} used (no population for {year} loaded)"
    table = projected_population(best)
    if table.year == year and year != bundled.year:
        return table, f"population of {year} projected from SCB {bundled.year} (no SCB table for {year} loaded)"
    if table.year == year:
        return table, None
    return table, f"population of {table.year} used (no population for {year} loaded)"


# --- coverage --------------------------------------------------------------------------------------

_Key = tuple[str | None, str | None]  # (lan, kommun)


def _in_area(key: _Key, area: str) -> bool:
    lan, kommun = key
    if area == "SE":
        return True
    if len(area) == 2:
        return lan == area
    return kommun == area


@dataclass
class _CoverageData:
    """The store's counts for a period, indexed by (lan, kommun), read once per run."""

    observations: dict[_Key, int]
    ads: dict[_Key, int]
    ad_days: dict[_Key, int]
    days: dict[_Key, set[str]]
    sites: dict[_Key, set[str]]
    judgments: Sequence[tuple[str | None, str | None]]  # offence (lan, kommun) of the period's judgments

    def coverage(self, area: str) -> Coverage:
        keys = [k for k in self.observations if _in_area(k, area)]
        days: set[str] = set()
        sites: set[str] = set()
        for k in keys:
            days |= self.days.get(k, set())
            sites |= self.sites.get(k, set())
        ordered = sorted(days)
        return Coverage(
            sites=tuple(sorted(sites)),
            days_monitored=len(days),
            first_day=date.fromisoformat(ordered[0]) if ordered else None,
            last_day=date.fromisoformat(ordered[-1]) if ordered else None,
            observations=sum(self.observations[k] for k in keys),
            ads=sum(self.ads.get(k, 0) for k in keys),
            judgments=sum(1 for j in self.judgments if _in_area(j, area)),
            ad_days=sum(self.ad_days.get(k, 0) for k in keys),
        )


def _coverage_data(store: Store, start: date, end: date) -> _CoverageData:
    s, e = start.isoformat(), end.isoformat()
    rs = ReportStore(store)
    obs: dict[_Key, int] = defaultdict(int)
    ads: dict[_Key, int] = defaultdict(int)
    ad_days: dict[_Key, int] = defaultdict(int)
    for r in rs.activity(s, e):
        k = (r.lan_kod, r.kommun_kod)
        obs[k] += r.observations
        ads[k] += r.ads
        ad_days[k] += r.ad_days
    days: dict[_Key, set[str]] = defaultdict(set)
    for d in rs.daily(s, e):
        days[(d.lan_kod, d.kommun_kod)].add(d.day)
    sites: dict[_Key, set[str]] = defaultdict(set)
    for sa in SuiteStore(store).site_areas(s, e):
        sites[(sa.lan_kod, sa.kommun_kod)].add(sa.site)
    judgments = [
        (v.offence_lan, v.offence_kommun) for v in VerdictStore(store).records(start=s, end=e) if v.offence_kommun
    ]
    return _CoverageData(dict(obs), dict(ads), dict(ad_days), dict(days), dict(sites), judgments)


# --- the Sweden-wide purchases and the allocation -------------------------------------------------


def _bucket(lan: Any, kommun: Any) -> str:
    if isinstance(kommun, str) and kommun:
        return kommun
    if isinstance(lan, str) and lan:
        return lan + "?"
    return "?"


@dataclass(frozen=True)
class _Allocation:
    """Sweden's purchases draws and each bucket's activity (municipality, ``05?``, ``?``)."""

    estimate: PurchasesEstimate | None
    weights: dict[str, float]
    kommun_lan: dict[str, str]

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    def buckets(self, area: str) -> list[str]:
        if area == "SE":
            return list(self.weights)
        if len(area) == 2:
            return [b for b in self.weights if (b[:2] == area and b.endswith("?")) or self.kommun_lan.get(b) == area]
        return [area] if area in self.weights else []

    def share(self, area: str) -> float:
        total = self.total
        if total <= 0:
            return 0.0
        return sum(self.weights[b] for b in self.buckets(area)) / total


def _allocation(
    store: Store, frame: LinkedFrame | None, start: date, end: date, a: AssumptionSet, seed: int, n_draws: int,
    level: float,
) -> _Allocation:  # fmt: skip
    kommun_lan = {code: m.county_code for code, m in municipalities().items()}
    weights: dict[str, float] = defaultdict(float)
    if frame is not None:
        df = frame.df[~frame.df["fake"]]
        if len(df):
            keys = [_bucket(lan, k) for lan, k in zip(df["lan"], df["kommun"], strict=True)]
            pd_ = pd.DataFrame({"b": keys, "person": df["person"].to_numpy(), "day": df["day"].to_numpy()})
            for b, n in pd_.drop_duplicates().groupby("b").size().items():
                weights[str(b)] += float(n)
        act = summarize_activity(frame, "SE", start, end, assumptions=a, seed=seed, n_draws=n_draws, level=level)
    else:
        for r in ReportStore(store).activity(start.isoformat(), end.isoformat()):
            weights[_bucket(r.lan_kod, r.kommun_kod)] += float(r.ad_days)
        act = ActivitySummary("SE", start, end, ad_days=UncertainCount.exact(sum(weights.values())))
    est = None
    if sum(weights.values()) > 0:
        est = estimate_purchases(act, a, seed=seed, n_draws=n_draws, level=level)
    return _Allocation(est, dict(weights), kommun_lan)


def _purchases_method(est: PurchasesEstimate) -> str:
    return (
        f"Sweden's Monte Carlo median of {est.n_draws} draws (seed {est.seed}): {est.basis} per year x share_genuine "
        "x working_day_share x clients_per_working_day / monitored_share, times the area's share of the "
        f"{est.basis.replace('_', '-')}"
    )


def _purchases(alloc: _Allocation, area: str, has_data: bool, level: float) -> Figure:
    est = alloc.estimate
    if est is None or not has_data:
        return _no_value("purchases", "purchases model", NO_DATA)
    share = alloc.share(area)
    base = Figure("purchases", est.median, est.low, est.high, level, "", True)
    return base.scaled(share, _purchases_method(est))


# --- the composition ---------------------------------------------------------------------------------


@dataclass
class _Context:
    store: Store
    start: date
    end: date
    a: AssumptionSet
    seed: int
    n_draws: int
    level: float
    frame: LinkedFrame | None
    cov: _CoverageData
    alloc: _Allocation
    pop: PopulationTable
    pop_note: str | None
    data_key: str
    simulated: bool
    snapshot: Any = None
    returns_note: str | None = None


def _demand(ctx: _Context, area: str) -> dict[str, Figure]:
    """Men 18-65 x survey share, as the runner composes it (design effect, transfer to the area)."""
    from lagesbild.estimate.runner import _demand as demand_result
    from lagesbild.estimate.runner import prevalence_of

    out: dict[str, Figure] = {}
    for quantity, name, measure in _DEMAND:
        p = prevalence_of(ctx.a, name, ctx.level)
        d = estimate_demand(ctx.pop, area, p, AGE_BAND, measure=measure, design_effect=DEFAULT_DESIGN_EFFECT,
                            transfer_sigma=DEFAULT_TRANSFER_SIGMA)  # fmt: skip
        r = demand_result(quantity, d)
        out[quantity] = Figure(quantity, r.estimate, r.low, r.high, r.level, r.method,
                               quantity in PUBLISHED_QUANTITIES, ctx.pop_note)  # fmt: skip
    return out


def _activity_figures(
    ctx: _Context, area: str, frame: LinkedFrame | None, has_data: bool
) -> tuple[dict[str, Figure], list[str]]:
    """persons .. ad_days and persons_crc from the linked ads (the runner's composition)."""
    from lagesbild.estimate.runner import _estimate_area

    quantities = [q for q in SUITE_QUANTITIES if q in MONITORED_QUANTITIES and q != "purchases"]
    if not has_data:
        return {q: _no_value(q, "linked ads", NO_DATA) for q in quantities}, []
    if frame is None:
        note = "nothing linked yet: run `lagesbild link run`"
        return {q: _no_value(q, "linked ads", note) for q in quantities}, [note]
    if ctx.snapshot is None:  # read once per run (a scan of the normalized facts on a large store)
        ctx.snapshot = EstimateStore(ctx.store).snapshot()
    run = _estimate_area(frame, ctx.pop, ctx.snapshot, area, ctx.start, ctx.end, ctx.a, ctx.seed, ctx.n_draws)
    out: dict[str, Figure] = {}
    for q in quantities:
        r = run.result(q)
        published = q in PUBLISHED_QUANTITIES
        if r is None:
            note = next((n for n in run.notes if n.startswith(q)), f"{q}: not estimable")
            out[q] = _no_value(q, "capture-recapture" if q == "persons_crc" else "linked ads", note)
            continue
        vals = [None if x is None or math.isnan(x) else float(x) for x in (r.estimate, r.low, r.high)]
        why: str | None = None if published else NOT_PUBLISHED
        out[q] = Figure(q, vals[0], vals[1], vals[2], r.level, r.method, published, why)
    return out, list(run.notes)


def _details(
    ctx: _Context, area: str, purchases: Figure, by_kommun: Mapping[str, Mapping[str, Figure]]
) -> dict[str, Any]:
    """What a report shows beside the figures, all made here so the report computes nothing."""
    from lagesbild.estimate.runner import prevalence_of

    out: dict[str, Any] = {}
    p12, pever = prevalence_of(ctx.a, "prevalence_12m", ctx.level), prevalence_of(ctx.a, "prevalence_ever", ctx.level)
    out["demand"] = {
        "population_year": ctx.pop.year,
        "requested_year": ctx.end.year,
        "population_source": ctx.pop.source,
        "population_note": ctx.pop_note,
        "age_band": str(AGE_BAND),
        "men": ctx.pop.count(area, sex="m", age_min=AGE_BAND.min, age_max=AGE_BAND.max),
        "prevalence_12m": p12.estimate,
        "prevalence_ever": pever.estimate,
        "survey_n": p12.n,
    }
    est = ctx.alloc.estimate
    if est is None or purchases.estimate is None:
        return out
    share = ctx.alloc.share(area)
    act = est.activity.person_days if est.basis == "person_days" else est.activity.ad_days
    t = tornado(est.activity, ctx.a, basis=est.basis)
    out["purchases"] = {
        "basis": est.basis,
        "share": share,
        "central": est.central * share,
        "activity_days": (act.estimate if act is not None else math.nan) * share,
        "period_days": est.activity.period_days,
        "assumptions_name": est.assumptions_name,
        "n_draws": est.n_draws,
        "seed": est.seed,
        "inputs": [
            {"name": n, "distribution": d, "nominal": v, "median": m, "q05": lo, "q95": hi}
            for n, d, v, m, lo, hi in est.inputs
            if not n.startswith("activity.")
        ],
        "tornado_base": t.base * share,
        "tornado": [{"name": b.name, "result_low": b.result_low * share, "result_high": b.result_high * share}
                    for b in t.bars],
    }  # fmt: skip
    draws = est.draws * share
    supply = replace(est, median=purchases.estimate, low=purchases.low or 0.0, high=purchases.high or 0.0,
                     central=est.central * share, draws=draws)  # fmt: skip
    tri = triangulate(ctx.pop, area, supply, ctx.a, age_band=AGE_BAND, n_draws=ctx.n_draws, seed=ctx.seed,
                      level=ctx.level)  # fmt: skip
    out["triangulation"] = {
        "demand": tri.demand.to_dict(),
        "ratio": tri.ratio.to_dict(),
        "agreement": tri.agreement,
        "level": tri.level,
    }
    if len(area) == 2 and area != "SE":
        res = _residence(ctx, area, by_kommun)
        if res is not None:
            out["residence"] = res
    return out


def _residence(ctx: _Context, area: str, by_kommun: Mapping[str, Mapping[str, Figure]]) -> dict[str, Any] | None:
    """Where the county's purchases happen and where its buyers live (all stored judgments in the county)."""
    est = ctx.alloc.estimate
    records = VerdictStore(ctx.store).records(lan=area)
    flows = travel_flows(records).flows
    if est is None or not flows:
        return None
    kommuns = [b for b in ctx.alloc.buckets(area) if not b.endswith("?")]
    days = {k: ctx.alloc.weights[k] for k in kommuns}
    placed = sum(days.values())
    if placed <= 0:
        return None
    res = where_buyers_live(
        est.draws * (placed / ctx.alloc.total), days, flows, area, population=ctx.pop, assumptions=ctx.a,
        n_draws=min(ctx.n_draws, 4000), seed=ctx.seed, level=ctx.level,
    )  # fmt: skip

    def s(x: Any) -> dict[str, float] | None:
        return None if x is None else {"median": x.median, "low": x.low, "high": x.high}

    rows = []
    for r in res.rows:
        fig = by_kommun.get(r.kommun, {}).get("purchases")
        # a municipality without monitored ads has no purchases figure (no data), not zero
        purchases_in = (
            {"median": fig.estimate, "low": fig.low, "high": fig.high}
            if fig is not None and fig.estimate is not None
            else None
        )
        rows.append({"kommun": r.kommun, "name": r.name, "judgments": r.judgments, "purchases_in": purchases_in,
                     "by_residents": s(r.by_residents), "visitor_share": s(r.visitor_share)})  # fmt: skip
    return {"judgments": res.judgments, "level": res.level, "rows": rows, "outside": s(res.outside)}


def _sub_figures(ctx: _Context, area: str, codes: Iterable[str]) -> dict[str, dict[str, Figure]]:
    """Per-municipality (or per-county) purchases and demand, allocated from the same draws."""
    out: dict[str, dict[str, Figure]] = {}
    for code in codes:
        has_data = code.endswith("?") or ctx.cov.coverage(code).has_data
        figs: dict[str, Figure] = {"purchases": _purchases(ctx.alloc, code, has_data, ctx.level)}
        if not code.endswith("?"):
            figs["demand_12m"] = _demand(ctx, code)["demand_12m"]
        out[code] = figs
    return out


def _suite(ctx: _Context, area: str, frame: LinkedFrame | None) -> EstimateSuite:
    cov = ctx.cov.coverage(area)
    figures, notes = _activity_figures(ctx, area, frame, cov.has_data)
    purchases = _purchases(ctx.alloc, area, cov.has_data, ctx.level)
    demand = _demand(ctx, area)
    by_kommun: dict[str, dict[str, Figure]] = {}
    by_lan: dict[str, dict[str, Figure]] = {}
    if len(area) == 2:  # a county or SE
        codes = [k for k, lan in ctx.alloc.kommun_lan.items() if area == "SE" or lan == area]
        codes += [b for b in ctx.alloc.buckets(area) if b.endswith("?")]
        by_kommun = _sub_figures(ctx, area, codes)
    if area == "SE":
        by_lan = _sub_figures(ctx, area, list(counties()))
    all_figures = {**figures, "purchases": purchases, **demand}
    ordered = {q: all_figures[q] for q in SUITE_QUANTITIES if q in all_figures}
    if not cov.has_data:
        notes = [NO_DATA, *notes]
    if ctx.pop_note:
        notes.append(ctx.pop_note)
    if ctx.returns_note and frame is not None:
        notes.append(ctx.returns_note)
    details = _details(ctx, area, purchases, by_kommun)
    return EstimateSuite(
        area=area, start=ctx.start, end=ctx.end, run_id=uuid.uuid4().hex[:16],
        created_at=datetime.now(UTC).isoformat(), level=ctx.level, coverage=cov, figures=ordered,
        by_kommun=by_kommun, by_lan=by_lan, seed=ctx.seed, n_draws=ctx.n_draws, assumptions_name=ctx.a.name,
        basis=ctx.alloc.estimate.basis if ctx.alloc.estimate is not None else ("person_days" if frame else "ad_days"),
        details=details, notes=tuple(notes), data_key=ctx.data_key, simulated=ctx.simulated,
    )  # fmt: skip


SIMULATED_META = "data_source"
"""Store meta key the demo sets to ``simulator``: reports then say prominently that the data is simulated."""


Returns = Literal["assumption", "measured"]
"""Where the persons estimate's returning women come from: ``persona_return_share`` (the
assumption, the default) or the succession count of the data (:func:`measured_returns`)."""


def linked_personas(store: Store, start: date | None = None, end: date | None = None) -> list[Persona]:
    """The linked persons as the succession count of returning women sees them (suspected fakes left out).

    Home, median stated age, first and last day seen in ``start..end`` (both included; None: no
    bound) and first language offered (the normalizer's ``languages_offered`` of the first
    observation of each site ad that lists any; the rows come from
    :func:`lagesbild.store.estimates.linked_person_ads`):
    :func:`lagesbild.link.succession.personas_from_ads`.

    Returns:
        One :class:`~lagesbild.link.succession.Persona` per person seen in the period (empty when
        linking has not run).
    """
    ads, person, offered = linked_person_ads(store)
    if not person:
        return []
    lo = start.isoformat() if start is not None else "0000-00-00"
    hi = end.isoformat() if end is not None else "9999-99-99"
    return personas_from_ads(ads, person, offered, period=(lo, hi) if start or end else None)


def measured_returns(store: Store, start: date, end: date, a: AssumptionSet) -> tuple[AssumptionSet, str]:
    """``a`` with ``persona_return_share`` measured by the succession count of the period, and a note.

    The count runs over every linked persona seen in ``start..end`` (all of Sweden: one share for
    every area of the period), :func:`lagesbild.link.succession.succession_count` with its
    defaults; its standard error becomes the share's spread (docs/methods/persons.md).
    """
    c = succession_count(linked_personas(store, start, end))
    if c.personas == 0:
        return a, "persons: no linked personas in the period to measure returning women; persona_return_share assumed"
    source = (
        f"Measured: succession count of returning women over the {c.personas} linked personas of "
        f"{start}..{end}: {c.returning:.1f} (sd {c.sd:.1f}; {c.successive_compatible} compatible successive pairs, "
        f"{c.expected_by_chance:.1f} by chance), docs/methods/persons.md"
    )
    note = (
        f"persons: returning women measured from the data (succession count {c.returning:.1f} of {c.personas} "
        f"personas, sd {c.sd:.1f}) instead of the assumption persona_return_share"
    )
    return with_measured_returns(a, c.returning, c.sd, c.personas, source=source), note


def compute_suites(
    store: Store,
    areas: Sequence[str],
    start: date,
    end: date,
    *,
    assumptions: AssumptionSet | None = None,
    seed: int = DEFAULT_SEED,
    level: float = DEFAULT_LEVEL,
    n_draws: int = DEFAULT_DRAWS,
    save: bool = True,
    progress: Callable[[int, int], None] | None = None,
    returns: Returns = "assumption",
) -> list[EstimateSuite]:
    """:func:`compute_suite` for many areas, reading the store once (``estimate run --area all``).

    Raises:
        As :func:`compute_suite`.
    """
    from lagesbild.estimate.runner import DEMAND_REQUIREMENTS

    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})", field="--to")
    if not 0 < level < 1:
        raise InputError(f"the interval level must be between 0 and 1, not {level}", field="--level")
    for area in areas:
        area_name(area)  # RefdataError for an unknown code, before any work
    if returns not in ("assumption", "measured"):
        raise InputError(f"returns must be assumption or measured, not {returns!r}", field="--returns")
    a = assumptions if assumptions is not None else default_assumptions()
    check_requirements(a, DEMAND_REQUIREMENTS)
    ss = SuiteStore(store)
    key = ss.data_key()
    frame = in_period(linked_frame(linked_ads(store)), start, end) if has_links(store) else None
    returns_note = None
    if returns == "measured" and frame is not None:
        a, returns_note = measured_returns(store, start, end, a)
    pop, note = population_for(store, end.year)
    ctx = _Context(
        store, start, end, a, seed, n_draws, level, frame, _coverage_data(store, start, end),
        _allocation(store, frame, start, end, a, seed, n_draws, level), pop, note, key,
        store.get_meta(SIMULATED_META) == "simulator", returns_note=returns_note,
    )  # fmt: skip
    parts: dict[str, dict[str, pd.DataFrame]] = {}
    if frame is not None and len(areas) > 1:
        parts = {col: {str(k): g for k, g in frame.df.groupby(col, sort=False)} for col in ("lan", "kommun")}

    def rows_of(area: str) -> LinkedFrame | None:
        if frame is None or area == "SE" or not parts:
            return frame
        col = "lan" if len(area) == 2 else "kommun"
        return LinkedFrame(parts[col].get(area, frame.df.iloc[:0]), frame.sites)

    pkey = _params_key(a, seed, level, n_draws)
    suites: list[EstimateSuite] = []
    for n, area in enumerate(areas, 1):
        suites.append(_suite(ctx, area, rows_of(area)))
        if progress is not None:
            progress(n, len(areas))
    if save:
        ss.save_many([
            {"run_id": s.run_id, "area": s.area, "period_start": start.isoformat(), "period_end": end.isoformat(),
             "level": level, "seed": seed, "params_key": pkey, "data_key": key, "created_at": s.created_at,
             "payload": s.to_dict()}
            for s in suites
        ])  # fmt: skip
    log.info("estimate suites %s..%s: %d areas", start, end, len(suites))
    return suites


def compute_suite(
    store: Store,
    area: str,
    start: date,
    end: date,
    *,
    assumptions: AssumptionSet | None = None,
    seed: int = DEFAULT_SEED,
    level: float = DEFAULT_LEVEL,
    n_draws: int = DEFAULT_DRAWS,
    save: bool = True,
    returns: Returns = "assumption",
) -> EstimateSuite:
    """Run every estimate of ``area`` in ``start..end`` and store the suite.

    Args:
        store: the workspace's store (linked or not: without links, purchases come from ad-days
            and the activity figures say so).
        area: ``"SE"``, a county code (``"05"``) or a municipality code (``"0580"``).
        start, end: the period, both days included.
        assumptions: the assumption set (the bundled ``default.yaml`` if ``None``).
        seed, n_draws: the Monte Carlo simulations (same seed, same numbers).
        level: the interval level of every figure (:data:`DEFAULT_LEVEL`, 0.90).
        save: store it (``estimate_suites``); False computes only.
        returns: ``"assumption"`` (default): the persons estimate removes returning women by the
            assumption ``persona_return_share``; ``"measured"``: by the succession count of the
            period's linked personas (:func:`measured_returns`; an option: on the simulator's
            training worlds it does not beat the assumption, docs/methods/persons.md).

    Returns:
        The suite: figures with their coverage, per-municipality allocations and details.

    Raises:
        InputError: for a period that ends before it starts or a bad level.
        InputErrors: if the assumption set lacks a parameter a model needs.
        RefdataError: for an unknown area code.
    """
    return compute_suites(
        store,
        [area],
        start,
        end,
        assumptions=assumptions,
        seed=seed,
        level=level,
        n_draws=n_draws,
        save=save,
        returns=returns,
    )[0]


def residence(
    store: Store,
    area: str,
    start: date,
    end: date,
    *,
    assumptions: AssumptionSet | None = None,
    seed: int | None = None,
    level: float | None = None,
    n_draws: int = 4000,
    prior_weight: float = 2.0,
) -> Residence:
    """Where the area's purchases happen and where its buyers live, with the suite's purchases.

    The purchases in each municipality are the stored suite's allocation (:func:`ensure_suite`:
    the same figures as ``estimate run`` and the report); the buyers' homes come from every stored judgment with the
    offence in the area (:func:`~lagesbild.estimate.residence.where_buyers_live`). With no judgment
    the result has ``judgments == 0`` and says nothing about where buyers live.

    Raises:
        As :func:`compute_suite`.
    """
    suite = ensure_suite(store, area, start, end, assumptions=assumptions, seed=seed, level=level)
    a = assumptions if assumptions is not None else default_assumptions()
    frame = in_period(linked_frame(linked_ads(store)), start, end) if has_links(store) else None
    alloc = _allocation(store, frame, start, end, a, suite.seed, suite.n_draws, suite.level)
    pop, _ = population_for(store, end.year)
    records = VerdictStore(store).records(lan=None if area == "SE" else area)
    kommuns = [b for b in alloc.buckets(area) if not b.endswith("?")]
    days = {k: alloc.weights[k] for k in kommuns}
    placed = sum(days.values())
    est = alloc.estimate
    draws = est.draws * (placed / alloc.total) if est is not None and placed > 0 else np.zeros(1000)
    res = where_buyers_live(draws, days, travel_flows(records).flows, area, population=pop, assumptions=a,
                            prior_weight=prior_weight, n_draws=n_draws, seed=suite.seed, level=suite.level)  # fmt: skip
    figures = suite.by_kommun if suite.by_kommun else {area: suite.figures}
    rows = []
    for r in res.rows:
        f = figures.get(r.kommun, {}).get("purchases")
        if f is not None and f.estimate is not None and f.low is not None and f.high is not None:
            # the suite's figure, so the municipality has one number everywhere
            central = est.central * alloc.share(r.kommun) if est is not None else f.estimate
            r = replace(r, purchases_in=Summary(central, f.estimate, f.low, f.high))
        rows.append(r)
    return replace(res, rows=tuple(rows), start=start, end=end)


def _from_row(row: StoredSuite) -> EstimateSuite:
    return EstimateSuite.from_dict(row.payload)


def load_suite(store: Store, area: str, start: date, end: date) -> EstimateSuite | None:
    """The newest stored suite of ``area`` for exactly ``start..end``, or ``None`` if none was stored."""
    row = SuiteStore(store).newest(area, start.isoformat(), end.isoformat())
    return None if row is None else _from_row(row)


def _current(
    row: StoredSuite | None, key: str, assumptions: AssumptionSet | None, seed: int | None,
    level: float | None, n_draws: int | None,
) -> bool:  # fmt: skip
    if row is None or row.data_key != key:
        return False
    ok = (seed is None or seed == row.seed) and (level is None or math.isclose(level, row.level))
    ok = ok and (n_draws is None or n_draws == row.payload.get("n_draws"))
    if ok and assumptions is not None:
        stored_draws = int(row.payload.get("n_draws", DEFAULT_DRAWS))
        ok = _params_key(assumptions, row.seed, row.level, stored_draws) == row.params_key
    return ok


def ensure_suites(
    store: Store,
    areas: Sequence[str],
    start: date,
    end: date,
    *,
    assumptions: AssumptionSet | None = None,
    seed: int | None = None,
    level: float | None = None,
    n_draws: int | None = None,
) -> list[EstimateSuite]:
    """:func:`ensure_suite` for many areas: the current stored ones read, the others computed together.

    Suites returned together come from one simulation (the same parameters), so their figures agree:
    of the current stored suites, those with the newest one's parameters are read, and the missing
    areas are computed with those parameters (the same draws, so the same allocations). If the
    stored ones were made with other assumptions than ``assumptions``, all are recomputed.

    Example::

        county, kommun = ensure_suites(store, ["05", "0580"], date(2024, 1, 1), date(2024, 12, 31))
        county.by_kommun["0580"]["purchases"] == kommun.figure("purchases")   # True

    Raises:
        As :func:`compute_suite`.
    """
    ss = SuiteStore(store)
    key = ss.data_key()
    found: dict[str, EstimateSuite] = {}
    rows = {a: ss.newest(a, start.isoformat(), end.isoformat()) for a in dict.fromkeys(areas)}
    current = {
        a: r for a, r in rows.items() if r is not None and _current(r, key, assumptions, seed, level, n_draws)
    }
    if current:
        # suites used together must come from one simulation: those with the newest one's parameters
        newest = max(current.values(), key=lambda r: r.id)
        found = {a: _from_row(r) for a, r in current.items() if r.params_key == newest.params_key}
    missing = [a for a in rows if a not in found]
    if missing and found:
        # Compute the missing ones with the stored ones' parameters: the same simulation, so the
        # figures agree (a municipality's suite and its county's allocation). If the stored ones were
        # made with other assumptions than these, recompute them all instead.
        first = newest
        aset = assumptions if assumptions is not None else default_assumptions()
        n = int(first.payload.get("n_draws", DEFAULT_DRAWS))
        if _params_key(aset, first.seed, first.level, n) == first.params_key:
            new = compute_suites(store, missing, start, end, assumptions=aset, seed=first.seed, level=first.level,
                                 n_draws=n)  # fmt: skip
            found.update({s.area: s for s in new})
            missing = []
        else:
            missing, found = list(rows), {}
    if missing:
        new = compute_suites(
            store, missing, start, end, assumptions=assumptions, seed=DEFAULT_SEED if seed is None else seed,
            level=DEFAULT_LEVEL if level is None else level, n_draws=DEFAULT_DRAWS if n_draws is None else n_draws,
        )  # fmt: skip
        found.update({s.area: s for s in new})
    return [found[a] for a in areas]


def ensure_suite(
    store: Store,
    area: str,
    start: date,
    end: date,
    *,
    assumptions: AssumptionSet | None = None,
    seed: int | None = None,
    level: float | None = None,
    n_draws: int | None = None,
) -> EstimateSuite:
    """The stored suite if it is current, else a new one (:func:`compute_suite`, stored).

    Current means: computed from the same data (observations, imports, link run, rules, judgments,
    population years: :meth:`SuiteStore.data_key`) and, for each parameter given here, with the
    same value (an omitted parameter accepts what was stored; a new suite uses the defaults).
    """
    return ensure_suites(
        store, [area], start, end, assumptions=assumptions, seed=seed, level=level, n_draws=n_draws
    )[0]
