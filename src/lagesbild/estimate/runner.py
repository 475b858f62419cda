"""One runner for every estimate of an area and period, stored with its parameters and data snapshot.

:func:`run_estimates` reads the linked ads from the store once and computes, for one area
(``SE``, a county or a municipality code) and period:

1. **activity** (:func:`~lagesbild.estimate.activity.summarize_activity`): persons (an estimate
   of women with a seeded Monte Carlo interval: the persona count corrected by
   ``persona_return_share`` and ``split_share``), person-days, advertisers, ads and ad-days (each
   with the range linking leaves);
2. **purchases** per year (:func:`~lagesbild.estimate.purchases.estimate_purchases`), a seeded
   Monte Carlo over the assumption set;
3. the **hidden population** (``persons_crc``): capture-recapture across the monitored sites as
   dependent lists (:func:`~lagesbild.estimate.hidden.hidden_population`, with its warnings; not
   published until calibrated; behavioural models left out, since
   sites have no order in time);
4. **demand** (``demand_12m``, ``demand_ever``): the survey shares ``prevalence_12m`` and
   ``prevalence_ever`` of the assumption set times the men 18-65 in the area
   (:func:`~lagesbild.estimate.demand.estimate_demand`, the survey's interval widened by its design
   effect and by the transfer of a national share to the area), for the population year of the
   period's end if the store has it, else the newest year loaded, else the bundled table.

Every result is stored (:class:`~lagesbild.store.estimates.EstimateStore`, table
``estimate_results``) with the assumptions, the seed and a :class:`DataSnapshot` of the data,
so a report can always say how a number was made. The same store, area, period, assumptions and
seed give the same numbers.

Example::

    run = run_estimates(store, "05", date(2024, 1, 1), date(2024, 12, 31), seed=1)
    run.result("purchases").estimate
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from lagesbild.errors import InputError
from lagesbild.estimate.activity import (
    LinkedFrame,
    activity_distributions,
    activity_shares,
    area_capture_histories,
    in_period,
    linked_frame,
    person_days_by_kommun,
    summarize_activity,
)
from lagesbild.estimate.assumptions import (
    AssumptionSet,
    Beta,
    Fixed,
    Requirement,
    check_requirements,
    default_assumptions,
)
from lagesbild.estimate.demand import (
    DEFAULT_DESIGN_EFFECT,
    DEFAULT_TRANSFER_SIGMA,
    AgeBand,
    DemandEstimate,
    Measure,
    estimate_demand,
)
from lagesbild.estimate.hidden import hidden_population
from lagesbild.estimate.intervals import DEFAULT_LEVEL, Proportion
from lagesbild.estimate.purchases import UncertainCount, estimate_purchases
from lagesbild.estimate.residence import Residence, where_buyers_live
from lagesbild.records.estimates import DataSnapshot, EstimateResult
from lagesbild.refdata import PopulationTable, counties, municipalities
from lagesbild.store import Store
from lagesbild.store.estimates import EstimateStore, has_links, linked_ads
from lagesbild.store.verdicts import VerdictStore
from lagesbild.verdicts.analyze import travel_flows

__all__ = [
    "AGE_BAND",
    "DEMAND_REQUIREMENTS",
    "EstimateRun",
    "all_areas",
    "prevalence_of",
    "run_estimates",
    "run_estimates_for",
    "run_residence",
]

log = logging.getLogger(__name__)

AGE_BAND = AgeBand(18, 65)
"""The survey's base: men 18-65 (Länsstyrelsen Stockholm, rapport 2015:10)."""

DEMAND_REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("prevalence_12m", "share", "share of men 18-65 who bought sex in the last 12 months"),
    Requirement("prevalence_ever", "share", "share of men 18-65 who ever bought sex"),
)
"""The survey shares the demand estimates read from an assumption set."""

CRC_LEVEL = 0.95
"""Coverage of the capture-recapture and demand intervals."""


@dataclass(frozen=True)
class EstimateRun:
    """The results of one :func:`run_estimates` call, as stored.

    Attributes:
        run_id: the id its stored rows share.
        area, start, end: the area code and period.
        seed: the Monte Carlo seed.
        assumptions: the assumption set used.
        snapshot: the data the results were computed from.
        results: one :class:`EstimateResult` per quantity that could be estimated.
        notes: what could not be estimated and why.
        created_at: when it was stored (ISO 8601, UTC).
    """

    run_id: str
    area: str
    start: date
    end: date
    seed: int
    assumptions: AssumptionSet
    snapshot: DataSnapshot
    results: tuple[EstimateResult, ...]
    notes: tuple[str, ...]
    created_at: str

    def result(self, quantity: str) -> EstimateResult | None:
        """The result for one quantity, or None if it was not estimated."""
        return next((r for r in self.results if r.quantity == quantity), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {
            "run_id": self.run_id,
            "area": self.area,
            "period_start": self.start.isoformat(),
            "period_end": self.end.isoformat(),
            "seed": self.seed,
            "assumptions": self.assumptions.name,
            "assumptions_file": self.assumptions.path,
            "snapshot": self.snapshot.to_dict(),
            "results": [r.to_dict() for r in self.results],
            "notes": list(self.notes),
            "created_at": self.created_at,
        }


def prevalence_of(assumptions: AssumptionSet, name: str, level: float = CRC_LEVEL) -> Proportion:
    """A survey share from an assumption: Wilson's interval for ``beta(mean, n)``, exact for ``fixed``,
    otherwise the distribution's equal-tailed ``level`` interval."""
    dist = assumptions[name].distribution
    if isinstance(dist, Fixed):
        return Proportion.exact(dist.value)
    if isinstance(dist, Beta):
        return Proportion.from_sample(dist.nominal(), dist.alpha + dist.beta, level)
    tail = (1 - level) / 2
    return Proportion.from_interval(dist.nominal(), dist.quantile(tail), dist.quantile(1 - tail), level)


def _population(store: Store, end: date) -> PopulationTable:
    """The period's population by the estimate suite's one rule (:func:`~lagesbild.estimate.suite.population_for`)."""
    from lagesbild.estimate.suite import population_for  # the suite reads the runner: imported when called

    return population_for(store, end.year)[0]


def _count(quantity: str, c: UncertainCount | None, method: str) -> EstimateResult | None:
    return None if c is None else EstimateResult(quantity, c.estimate, c.low, c.high, c.level, method)


def _demand(quantity: str, d: DemandEstimate) -> EstimateResult:
    p = d.prevalence
    return EstimateResult(
        quantity,
        d.estimate,
        d.low,
        d.high,
        p.level,
        f"{p.estimate:.2%} ({p.method}, n={p.n:g}) x {d.men} men {d.age_band} ({d.year}, {d.population_source})"
        if p.n is not None
        else f"{p.estimate:.2%} ({p.method}) x {d.men} men {d.age_band} ({d.year}, {d.population_source})",
    )


def _assumptions_json(a: AssumptionSet) -> dict[str, Any]:
    return {
        "name": a.name,
        "path": a.path,
        "parameters": {p.name: {k: v for k, v in p.distribution.to_dict().items() if v is not None} for p in a},
    }


def _check_period_and_links(store: Store, start: date, end: date) -> None:
    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})", field="--to")
    if not has_links(store):
        raise InputError("nothing has been linked yet: run `lagesbild link run` first", field="store")


def run_estimates(
    store: Store,
    area: str,
    start: date,
    end: date,
    *,
    assumptions: AssumptionSet | None = None,
    seed: int = 0,
    n_draws: int = 20_000,
    save: bool = True,
) -> EstimateRun:
    """Compute activity, purchases, hidden population and demand for an area and period; store them.

    Args:
        store: an open store with linked ads (``lagesbild link run``).
        area: ``"SE"``, a two-digit county code or a four-digit municipality code.
        start, end: the period (both included).
        assumptions: the assumption set (the bundled ``default.yaml`` if ``None``).
        seed: the Monte Carlo seed (same seed, same numbers).
        n_draws: Monte Carlo draws for persons and purchases.
        save: store the results (``estimate_results``); False computes only.

    Returns:
        The run: its results, notes, assumptions and data snapshot.

    Raises:
        InputError: if the period ends before it starts or nothing has been linked yet.
        InputErrors: if the assumption set lacks a parameter a model needs.
        RefdataError: for an unknown area code.
    """
    return run_estimates_for(store, [area], start, end, assumptions=assumptions, seed=seed, n_draws=n_draws, save=save)[
        0
    ]


def run_estimates_for(
    store: Store,
    areas: Sequence[str],
    start: date,
    end: date,
    *,
    assumptions: AssumptionSet | None = None,
    seed: int = 0,
    n_draws: int = 20_000,
    save: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[EstimateRun]:
    """:func:`run_estimates` for many areas, reading the linked ads and the population once.

    Args:
        areas: ``"SE"``, county and municipality codes (:func:`all_areas` for every one).
        progress: called with (areas done, areas) after each area.
        store, start, end, assumptions, seed, n_draws, save: as in :func:`run_estimates`.

    Raises:
        As :func:`run_estimates`.
    """
    _check_period_and_links(store, start, end)
    a = assumptions if assumptions is not None else default_assumptions()
    check_requirements(a, DEMAND_REQUIREMENTS)
    es = EstimateStore(store)
    snapshot = es.snapshot()
    period = in_period(linked_ads(store), start, end)
    df = period.df
    # each area's rows, split once (filtering the whole table per area costs ~0.3 s a time at 1M)
    parts = {
        col: {str(k): g for k, g in df.groupby(col, sort=False)} if len(areas) > 1 else {} for col in ("lan", "kommun")
    }

    def rows_of(area: str) -> LinkedFrame:
        col = "lan" if len(area) == 2 else "kommun"
        if area == "SE" or len(areas) == 1:
            return period
        return LinkedFrame(parts[col].get(area, df.iloc[:0]), period.sites)

    pop = _population(store, end)
    runs: list[EstimateRun] = []
    for n, area in enumerate(areas, 1):
        run = _estimate_area(rows_of(area), pop, snapshot, area, start, end, a, seed, n_draws)
        if save:
            es.save(
                run.run_id,
                area,
                start,
                end,
                run.results,
                assumptions=_assumptions_json(a),
                snapshot=snapshot,
                seed=seed,
                created_at=run.created_at,
            )
        log.info("estimate run %s: %s %s..%s, %d results", run.run_id, area, start, end, len(run.results))
        runs.append(run)
        if progress is not None:
            progress(n, len(areas))
    return runs


def all_areas() -> list[str]:
    """Sweden, every county and every municipality: the areas of a complete run."""
    return ["SE", *sorted(counties()), *sorted(municipalities())]


def _estimate_area(
    frame: LinkedFrame,
    pop: PopulationTable,
    snapshot: DataSnapshot,
    area: str,
    start: date,
    end: date,
    a: AssumptionSet,
    seed: int,
    n_draws: int,
) -> EstimateRun:
    _, split_share = activity_shares(a)
    persona_dist, split_dist = activity_distributions(a)
    results: list[EstimateResult] = []
    notes: list[str] = []

    # 1. activity
    act = summarize_activity(frame, area, start, end, assumptions=a, seed=seed, n_draws=n_draws)
    persons = (
        f"women: Monte Carlo median of {n_draws} draws (seed {seed}) of personas - returns - splits; "
        f"returns ~ Binomial(personas, persona_return_share ~ {persona_dist.describe()}), "
        f"splits ~ Binomial(personas - returns, split_share ~ {split_dist.describe()})"
    )
    for quantity, count, method in (
        ("persons", act.persons, persons),
        (
            "personas",
            act.personas,
            "linked ads, suspected fakes left out (a returning woman's new persona counts again); high end: with fakes",
        ),
        ("person_days", act.person_days, f"linked ads; low end: split_share={split_share:g}, high end: with fakes"),
        ("advertisers", act.advertisers, "linked ads; high end: with fakes"),
        ("ads", act.ads, "linked ads; high end: with fakes"),
        ("ad_days", act.ad_days, "linked ads; high end: with fakes"),
    ):
        r = _count(quantity, count, method)
        if r is not None:
            results.append(r)

    # 2. purchases
    p = estimate_purchases(act, a, seed=seed, n_draws=n_draws)
    results.append(
        EstimateResult(
            "purchases",
            p.median,
            p.low,
            p.high,
            p.level,
            f"Monte Carlo median of {p.n_draws} draws (seed {p.seed}): {p.basis} per year x share_genuine "
            "x working_day_share x clients_per_working_day / monitored_share",
        )
    )

    # 3. hidden population (computed and stored, not published: docs/methods/capture-recapture.md)
    # Not for municipalities: a few persons per site say nothing about the unseen, and the figure
    # (unpublished) would cost about 0.2 s per area, most of a run over every municipality.
    histories = area_capture_histories(frame, area, start, end) if len(area) != 4 else None
    hidden = None
    if len(area) == 4:
        notes.append("persons_crc: not computed for a municipality (too few persons per site; not published)")
    elif histories is None:
        notes.append("persons_crc: fewer than two monitored sites, or nobody seen in the area and period")
    else:
        # The sources are websites seen in the same period: dependent lists, no behavioural models.
        try:
            hidden = hidden_population(histories, level=DEFAULT_LEVEL, seed=seed, n_bootstrap=0)
        except ValueError as exc:
            notes.append(f"persons_crc: no usable capture-recapture model for these capture histories ({exc})")
    if hidden is not None:
        warning = f"; unstable: {'; '.join(hidden.warnings)}" if hidden.unstable else ""
        results.append(
            EstimateResult(
                "persons_crc",
                hidden.abundance,
                hidden.ci_low,
                hidden.ci_high,
                hidden.ci_level,
                f"capture-recapture across {len(histories.sources) if histories else 0} sites, "
                f"{hidden.method}; counts personas{warning}",
            )
        )

    # 4. demand
    measures: tuple[tuple[str, str, Measure], ...] = (
        ("demand_12m", "prevalence_12m", "12m"),
        ("demand_ever", "prevalence_ever", "ever"),
    )
    for quantity, name, measure in measures:
        d = estimate_demand(
            pop,
            area,
            prevalence_of(a, name, DEFAULT_LEVEL),
            AGE_BAND,
            measure=measure,
            design_effect=DEFAULT_DESIGN_EFFECT,
            transfer_sigma=DEFAULT_TRANSFER_SIGMA,
        )
        results.append(_demand(quantity, d))

    created = datetime.now(UTC).isoformat()
    run = EstimateRun(
        run_id=uuid.uuid4().hex[:16],
        area=area,
        start=start,
        end=end,
        seed=seed,
        assumptions=a,
        snapshot=snapshot,
        results=tuple(results),
        notes=tuple(notes),
        created_at=created,
    )
    return run


def run_residence(
    store: Store,
    area: str,
    start: date,
    end: date,
    *,
    assumptions: AssumptionSet | None = None,
    seed: int = 0,
    n_draws: int = 4000,
    prior_weight: float = 2.0,
) -> Residence:
    """Where the area's purchases happen and where its buyers live, from the linked ads and the judgments.

    The purchases per year come from the linked activity (as in :func:`run_estimates`), spread over
    the area's municipalities by their advertised person-days; the buyers' homes come from every
    stored judgment with the offence in the area (all years: travel patterns change slowly and
    judgments are few). See :mod:`lagesbild.estimate.residence`.

    Raises:
        InputError: if the period ends before it starts or nothing has been linked yet.
        RefdataError: for an unknown area code.
    """
    _check_period_and_links(store, start, end)
    a = assumptions if assumptions is not None else default_assumptions()
    frame = linked_frame(linked_ads(store))
    act = summarize_activity(frame, area, start, end, assumptions=a)
    p = estimate_purchases(act, a, seed=seed, n_draws=max(n_draws, 1000))
    records = VerdictStore(store).records(lan=None if area == "SE" else area)
    res = where_buyers_live(
        p.draws,
        person_days_by_kommun(frame, area, start, end),
        travel_flows(records).flows,
        area,
        population=_population(store, end),
        assumptions=a,
        prior_weight=prior_weight,
        n_draws=n_draws,
        seed=seed,
    )
    return replace(res, start=start, end=end)
