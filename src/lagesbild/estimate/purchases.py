"""From supply-side activity to sex purchases per year: a transparent calculation with intervals.

The model multiplies what monitoring sees by what we have to assume::

    purchases per year = person-days per year           (activity: from the linked ads)
                         x share_genuine                 (not fake or scam ads)
                         x working_day_share             (days with an ad online that are worked)
                         x clients_per_working_day       (purchases per worked day)
                         / monitored_share               (the monitored sites' part of the market)

where *person-days per year* is the number of (person, day) pairs with at least one ad online in
the area, scaled from the period to 365 days. When persons are not linked, activity can be given
as ad-days instead; they are then divided by ``ads_per_person_day``.

Every factor after the first is a named :class:`~lagesbild.estimate.assumptions.Assumption`
with a distribution. :func:`estimate_purchases` draws all of them (and the activity, within the
low/high that linking leaves) in a seeded Monte Carlo simulation and reports the median and an
equal-tailed interval; :func:`tornado` moves one input at a time to its low and high quantile,
the others at their medians, to show which assumption matters most.

Example::

    >>> act = ActivitySummary.from_numbers("05", person_days=1365)
    >>> est = estimate_purchases(act, default_assumptions(), seed=1)
    >>> 500 < est.median < 3000
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from lagesbild.errors import EstimateInputError, InputError
from lagesbild.estimate.assumptions import (
    AssumptionSet,
    Distribution,
    Fixed,
    Requirement,
    Triangular,
    check_requirements,
    default_assumptions,
)
from lagesbild.estimate.intervals import quantile_interval

__all__ = [
    "PARAMETER_RANGES",
    "PURCHASES_REQUIREMENTS",
    "ActivitySummary",
    "Basis",
    "PurchasesEstimate",
    "Tornado",
    "TornadoBar",
    "UncertainCount",
    "estimate_purchases",
    "parameter_errors",
    "purchases_formula",
    "tornado",
]

FloatArray = npt.NDArray[np.float64]
Basis = Literal["person_days", "ad_days"]

_FACTORS: tuple[str, ...] = ("share_genuine", "working_day_share", "clients_per_working_day")

PURCHASES_REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("share_genuine", "share", "share of person-days behind genuine ads"),
    Requirement("working_day_share", "share", "share of person-days with an ad online that are worked"),
    Requirement("clients_per_working_day", "positive", "purchases per worked day"),
    Requirement("monitored_share", "share", "the monitored sites' share of ad-arranged purchases"),
)
"""The parameters the purchases model reads from an assumption set (``ads_per_person_day`` too for ad-days)."""

_AD_DAYS_REQUIREMENT = Requirement("ads_per_person_day", "positive", "ads online per active person and day")

PARAMETER_RANGES: dict[str, tuple[float, float]] = {
    "share_genuine": (0.0, 1.0),
    "working_day_share": (0.0, 1.0),
    "clients_per_working_day": (0.0, 50.0),
    "monitored_share": (0.0, 1.0),
}
"""The values a user may fix each parameter of :data:`PURCHASES_REQUIREMENTS` at (more than the
first, at most the second): what the dashboard's assumptions editor, the API and the CLI's ``--set``
accept. Narrower than the requirement's domain where a value inside it is still absurd (50 clients a day)."""


def parameter_errors(values: Mapping[str, float]) -> list[InputError]:
    """An error naming each unknown parameter of the purchases model and each value outside its
    allowed range (:data:`PARAMETER_RANGES`), in the order given.

    Example::

        >>> [str(e) for e in parameter_errors({"share_genuine": 1.7, "clients_per_working_day": 2})]
        ["field 'share_genuine': must be more than 0 and at most 1"]
    """
    errors = []
    for name, value in values.items():
        lo, hi = PARAMETER_RANGES.get(name, (None, None))
        if lo is None or hi is None:
            errors.append(InputError("not a parameter of the purchases model", field=name))
        elif value != value or not lo < value <= hi:
            errors.append(InputError(f"must be more than {lo:g} and at most {hi:g}", field=name))
    return errors


@dataclass(frozen=True)
class UncertainCount:
    """A count with its uncertainty: the range linking leaves, or an interval.

    Attributes:
        estimate: the best count.
        low, high: the plausible range (both equal to ``estimate`` when the count is exact).
        level: ``None`` when ``low..high`` is a range (bounds, such as strict and loose linking);
            the coverage (e.g. 0.9) when it is an equal-tailed Monte Carlo interval around a median
            (the persons estimate of :func:`lagesbild.estimate.activity.estimate_persons`).

    In the purchases model's Monte Carlo simulation the count is drawn from a triangular
    distribution over ``low..high`` with its peak at ``estimate``.
    """

    estimate: float
    low: float
    high: float
    level: float | None = None

    def __post_init__(self) -> None:
        if not (0 <= self.low <= self.estimate <= self.high) or not math.isfinite(self.high):
            raise EstimateInputError(
                f"need 0 <= low <= estimate <= high, got {self.low:g} <= {self.estimate:g} <= {self.high:g}"
            )
        if self.level is not None and not 0 < self.level < 1:
            raise EstimateInputError(f"level must be between 0 and 1, not {self.level}")

    @classmethod
    def exact(cls, n: float) -> UncertainCount:
        """A count known exactly."""
        return cls(float(n), float(n), float(n))

    @classmethod
    def of(cls, value: float | tuple[float, float, float] | UncertainCount) -> UncertainCount:
        """Accept a number, ``(estimate, low, high)`` or an :class:`UncertainCount`."""
        if isinstance(value, UncertainCount):
            return value
        if isinstance(value, tuple):
            return cls(float(value[0]), float(value[1]), float(value[2]))
        return cls.exact(float(value))

    def distribution(self) -> Distribution:
        """The distribution the Monte Carlo simulation draws the count from."""
        if self.high == self.low:
            return Fixed(self.estimate)
        return Triangular(self.low, self.estimate, self.high)

    def to_dict(self) -> dict[str, float | None]:
        """A JSON-friendly dict (``level`` is None for a range)."""
        return {"estimate": self.estimate, "low": self.low, "high": self.high, "level": self.level}


@dataclass(frozen=True)
class ActivitySummary:
    """What monitoring saw of the supply side in one area and period (produced by the linking stage).

    Attributes:
        area: ``"SE"``, a county code (``"05"``) or a municipality code (``"0580"``).
        period_start, period_end: the period, both days included.
        person_days: (person, day) pairs with at least one ad online in the area.
        persons: distinct active persons (women): from linking, an estimate with an interval
            (:func:`lagesbild.estimate.activity.estimate_persons`), not the persona count.
        advertisers: distinct advertisers (phone numbers, agencies...).
        ads: distinct ads.
        ad_days: (ad, day) pairs online.
        personas: distinct personas linking counted (a woman under a new name, number and photos
            counts again), with the suspected fakes as the high end; ``persons`` is estimated from it.
    """

    area: str
    period_start: date
    period_end: date
    person_days: UncertainCount | None = None
    persons: UncertainCount | None = None
    advertisers: UncertainCount | None = None
    ads: UncertainCount | None = None
    ad_days: UncertainCount | None = None
    personas: UncertainCount | None = None

    def __post_init__(self) -> None:
        if self.period_end < self.period_start:
            raise EstimateInputError(f"the period ends ({self.period_end}) before it starts ({self.period_start})")

    @classmethod
    def from_numbers(
        cls,
        area: str,
        *,
        person_days: float | tuple[float, float, float] | None = None,
        persons: float | tuple[float, float, float] | None = None,
        advertisers: float | tuple[float, float, float] | None = None,
        ads: float | tuple[float, float, float] | None = None,
        ad_days: float | tuple[float, float, float] | None = None,
        period_start: date = date(2023, 1, 1),
        days: int = 365,
    ) -> ActivitySummary:
        """Build a summary from plain numbers (or ``(estimate, low, high)`` tuples) for a period of ``days``."""
        if days < 1:
            raise EstimateInputError("the period must be at least one day")

        def u(v: float | tuple[float, float, float] | None) -> UncertainCount | None:
            return None if v is None else UncertainCount.of(v)

        return cls(
            area,
            period_start,
            period_start + timedelta(days=days - 1),
            u(person_days),
            u(persons),
            u(advertisers),
            u(ads),
            u(ad_days),
        )

    @property
    def period_days(self) -> int:
        """Number of days in the period (both ends included)."""
        return (self.period_end - self.period_start).days + 1

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        out: dict[str, Any] = {
            "area": self.area,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "period_days": self.period_days,
        }
        for name in ("person_days", "persons", "advertisers", "ads", "ad_days", "personas"):
            v: UncertainCount | None = getattr(self, name)
            out[name] = None if v is None else v.to_dict()
        return out


def purchases_formula(
    activity_days: FloatArray | float,
    period_days: float,
    values: Mapping[str, FloatArray | float],
    basis: Basis = "person_days",
) -> FloatArray:
    """The model itself, vectorised: expected purchases per year.

    Args:
        activity_days: person-days (or ad-days for ``basis="ad_days"``) in the period.
        period_days: length of the period in days.
        values: ``share_genuine``, ``working_day_share``, ``clients_per_working_day``,
            ``monitored_share`` and, for ad-days, ``ads_per_person_day``.
        basis: what ``activity_days`` counts.

    Returns:
        Purchases per year (an array broadcast over the inputs).
    """
    per_year = np.asarray(activity_days, dtype=np.float64) * (365.0 / period_days)
    if basis == "ad_days":
        per_year = per_year / np.asarray(values["ads_per_person_day"], dtype=np.float64)
    out = per_year
    for name in _FACTORS:
        out = out * np.asarray(values[name], dtype=np.float64)
    return np.asarray(out / np.asarray(values["monitored_share"], dtype=np.float64), dtype=np.float64)


def _inputs(
    activity: ActivitySummary, assumptions: AssumptionSet, basis: Basis | None
) -> tuple[Basis, dict[str, Distribution]]:
    """The model's uncertain inputs, by name, with the activity first."""
    if basis is None:
        basis = "person_days" if activity.person_days is not None else "ad_days"
    count = activity.person_days if basis == "person_days" else activity.ad_days
    if count is None:
        raise EstimateInputError(f"the activity summary has no {basis.replace('_', '-')}; give person-days or ad-days")
    reqs = PURCHASES_REQUIREMENTS + ((_AD_DAYS_REQUIREMENT,) if basis == "ad_days" else ())
    check_requirements(assumptions, reqs)
    dists: dict[str, Distribution] = {f"activity.{basis}": count.distribution()}
    for req in reqs:
        dists[req.name] = assumptions[req.name].distribution
    return basis, dists


def _evaluate(basis: Basis, period_days: int, draws: Mapping[str, FloatArray | float]) -> FloatArray:
    return purchases_formula(draws[f"activity.{basis}"], period_days, draws, basis)


@dataclass(frozen=True)
class PurchasesEstimate:
    """Estimated sex purchases per year, with the inputs it came from.

    Attributes:
        median: the median of the Monte Carlo draws (the headline number).
        mean: their mean.
        low, high: the equal-tailed ``level`` interval of the draws.
        level: e.g. 0.9 for the 5%-95% interval.
        central: the point estimate: the formula with every input at its stated (nominal) value,
            no simulation.
        basis: ``person_days`` or ``ad_days``.
        activity: the activity summary used.
        assumptions_name: the assumption set's name (and ``assumptions_path`` its file).
        inputs: per input, its distribution as text, nominal value, median, 5% and 95% quantiles.
        n_draws, seed, count_noise: how the simulation was run.
    """

    median: float
    mean: float
    low: float
    high: float
    level: float
    central: float
    basis: Basis
    activity: ActivitySummary
    assumptions_name: str
    assumptions_path: str | None
    inputs: tuple[tuple[str, str, float, float, float, float], ...]
    n_draws: int
    seed: int
    count_noise: bool
    draws: FloatArray = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (the draws themselves are left out)."""
        return {
            "quantity": "sex purchases per year",
            "area": self.activity.area,
            "median": self.median,
            "mean": self.mean,
            "low": self.low,
            "high": self.high,
            "level": self.level,
            "central": self.central,
            "basis": self.basis,
            "activity": self.activity.to_dict(),
            "assumptions": self.assumptions_name,
            "assumptions_file": self.assumptions_path,
            "inputs": [
                {"name": n, "distribution": d, "nominal": v, "median": m, "q05": lo, "q95": hi}
                for n, d, v, m, lo, hi in self.inputs
            ],
            "n_draws": self.n_draws,
            "seed": self.seed,
            "count_noise": self.count_noise,
        }


def estimate_purchases(
    activity: ActivitySummary,
    assumptions: AssumptionSet | None = None,
    *,
    basis: Basis | None = None,
    n_draws: int = 20_000,
    seed: int = 0,
    level: float = 0.9,
    count_noise: bool = True,
) -> PurchasesEstimate:
    """Monte Carlo estimate of sex purchases per year from supply-side activity.

    Args:
        activity: what monitoring saw (person-days, or ad-days).
        assumptions: the assumption set (the bundled ``default.yaml`` if ``None``).
        basis: ``person_days`` or ``ad_days``; by default person-days if the summary has them.
        n_draws: Monte Carlo draws.
        seed: seed of the numpy random generator (same seed, same result).
        level: level of the equal-tailed interval.
        count_noise: add Poisson noise around the expected number, so the interval covers the
            purchases that actually happened rather than their expected number.

    Returns:
        The estimate with its interval and what it was made from.

    Raises:
        InputErrors: if the assumption set lacks a parameter the model needs or has one out of range.
        EstimateInputError: if the activity lacks the chosen basis, or for a bad ``n_draws``/``level``.
    """
    if n_draws < 100:
        raise EstimateInputError("use at least 100 Monte Carlo draws")
    if not 0 < level < 1:
        raise EstimateInputError(f"level must be between 0 and 1, not {level}")
    assumptions = assumptions if assumptions is not None else default_assumptions()
    basis, dists = _inputs(activity, assumptions, basis)
    rng = np.random.default_rng(seed)
    draws = {name: d.sample(rng, n_draws) for name, d in dists.items()}
    expected = _evaluate(basis, activity.period_days, draws)
    result = rng.poisson(expected).astype(np.float64) if count_noise else expected
    low, high = quantile_interval(result, level)
    nominal = {name: d.nominal() for name, d in dists.items()}
    central = float(_evaluate(basis, activity.period_days, nominal)[()])
    inputs = tuple(
        (name, d.describe(), d.nominal(), d.median(), d.quantile(0.05), d.quantile(0.95)) for name, d in dists.items()
    )
    return PurchasesEstimate(
        median=float(np.median(result)),
        mean=float(np.mean(result)),
        low=low,
        high=high,
        level=level,
        central=central,
        basis=basis,
        activity=activity,
        assumptions_name=assumptions.name,
        assumptions_path=assumptions.path,
        inputs=inputs,
        n_draws=n_draws,
        seed=seed,
        count_noise=count_noise,
        draws=result,
    )


@dataclass(frozen=True)
class TornadoBar:
    """The result with one input at its low and at its high quantile, the others at their medians."""

    name: str
    input_low: float
    input_high: float
    result_low: float
    result_high: float

    @property
    def swing(self) -> float:
        """How far the result moves between the two ends."""
        return abs(self.result_high - self.result_low)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {
            "name": self.name,
            "input_low": self.input_low,
            "input_high": self.input_high,
            "result_low": self.result_low,
            "result_high": self.result_high,
            "swing": self.swing,
        }


@dataclass(frozen=True)
class Tornado:
    """A one-at-a-time sensitivity analysis: bars sorted by swing, largest first."""

    base: float
    q_low: float
    q_high: float
    bars: tuple[TornadoBar, ...]
    quantity: str = "purchases per year"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {
            "quantity": self.quantity,
            "base": self.base,
            "q_low": self.q_low,
            "q_high": self.q_high,
            "bars": [b.to_dict() for b in self.bars],
        }


def tornado(
    activity: ActivitySummary,
    assumptions: AssumptionSet | None = None,
    *,
    basis: Basis | None = None,
    q_low: float = 0.05,
    q_high: float = 0.95,
) -> Tornado:
    """Which input moves purchases per year the most (one at a time, no simulation).

    Each uncertain input (the activity count and every assumption that is not fixed) is set to
    its ``q_low`` and ``q_high`` quantile while the others stay at their medians. Fixed inputs
    have no bar.

    Returns:
        The base (every input at its median) and the bars, largest swing first.
    """
    if not 0 <= q_low < 0.5 < q_high <= 1:
        raise EstimateInputError("need 0 <= q_low < 0.5 < q_high <= 1")
    assumptions = assumptions if assumptions is not None else default_assumptions()
    basis, dists = _inputs(activity, assumptions, basis)
    medians: dict[str, FloatArray | float] = {name: d.median() for name, d in dists.items()}
    base = float(_evaluate(basis, activity.period_days, medians)[()])
    bars: list[TornadoBar] = []
    for name, d in dists.items():
        if isinstance(d, Fixed):
            continue
        lo_in, hi_in = d.quantile(q_low), d.quantile(q_high)
        res = []
        for v in (lo_in, hi_in):
            res.append(float(_evaluate(basis, activity.period_days, {**medians, name: v})[()]))
        bars.append(TornadoBar(name, lo_in, hi_in, res[0], res[1]))
    bars.sort(key=lambda b: -b.swing)
    return Tornado(base, q_low, q_high, tuple(bars))
