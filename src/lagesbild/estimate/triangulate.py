"""Triangulation: purchases seen from the ads (supply) beside purchases reported by men (demand).

Two independent pictures of the same market:

* **supply side**: purchases per year estimated from ad activity
  (:func:`lagesbild.estimate.purchases.estimate_purchases`, or a number with an interval);
* **demand side**: ``men in the area (18-65) x share who bought sex in the last 12 months
  x purchases per buyer per year x share of those purchases made in the area``.

Both are simulated with a seeded Monte Carlo simulation, and their ratio ``supply / demand`` is
reported with its interval. A ratio whose interval contains 1 means the two pictures agree within
what we know; a ratio clearly below 1 means the ads show fewer purchases than the men of the area
make (purchases elsewhere, through other channels, or ads that monitoring misses); clearly above
1 means more purchases than resident men account for (visitors, or assumptions set too high).

Example (Östergötland, 2019 population)::

    >>> from lagesbild.refdata import bundled_population
    >>> t = triangulate(bundled_population(), "05", SupplyInterval(1500, 1100, 2000), seed=1)
    >>> round(t.buyers.central)
    1152
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from lagesbild.errors import EstimateInputError
from lagesbild.estimate.assumptions import (
    AssumptionSet,
    Beta,
    Distribution,
    Fixed,
    LogNormal,
    Requirement,
    check_requirements,
    default_assumptions,
)
from lagesbild.estimate.demand import AgeBand
from lagesbild.estimate.intervals import Proportion, quantile_interval, z_value
from lagesbild.estimate.purchases import PurchasesEstimate
from lagesbild.refdata import PopulationTable, area_name

__all__ = [
    "TRIANGULATION_REQUIREMENTS",
    "Summary",
    "SupplyInterval",
    "Triangulation",
    "prevalence_distribution",
    "triangulate",
]

FloatArray = npt.NDArray[np.float64]

TRIANGULATION_REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("prevalence_12m", "share", "share of men who bought sex in the last 12 months"),
    Requirement("purchases_per_buyer_per_year", "positive", "purchases per buyer per year"),
    Requirement("share_bought_in_area", "share", "share of residents' purchases made in the area"),
)
"""The parameters the demand side reads from an assumption set."""


@dataclass(frozen=True)
class SupplyInterval:
    """Supply-side purchases per year given as a number and an interval (e.g. from a report).

    The Monte Carlo simulation draws from a log-normal distribution with median ``estimate`` whose
    ``level`` interval has the width of ``low..high`` on the log scale. ``low == high`` means
    the number is taken as exact.
    """

    estimate: float
    low: float
    high: float
    level: float = 0.9

    def __post_init__(self) -> None:
        if not 0 < self.low <= self.estimate <= self.high:
            raise EstimateInputError(
                f"need 0 < low <= estimate <= high, got {self.low:g}, {self.estimate:g}, {self.high:g}"
            )

    def distribution(self) -> Distribution:
        """The distribution drawn from."""
        if self.low == self.high:
            return Fixed(self.estimate)
        sigma = float(np.log(self.high / self.low)) / (2 * z_value(self.level))
        return LogNormal(self.estimate, sigma)


@dataclass(frozen=True)
class Summary:
    """A simulated quantity: its point value (inputs at their nominal values), median and interval."""

    central: float
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, draws: FloatArray, central: float, level: float) -> Summary:
        """Summarise Monte Carlo draws."""
        lo, hi = quantile_interval(draws, level)
        return cls(central, float(np.median(draws)), lo, hi)

    def to_dict(self) -> dict[str, float]:
        """A JSON-friendly dict."""
        return {"central": self.central, "median": self.median, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Triangulation:
    """The supply and demand pictures of purchases per year in one area, and their ratio.

    Attributes:
        area, area_name, year, age_band, men: the men counted on the demand side.
        buyers: men who bought sex in the last 12 months (men x prevalence_12m).
        demand: purchases per year by resident buyers (in the area).
        supply: purchases per year from the ads.
        ratio: supply / demand.
        level: level of the intervals.
        agreement: ``consistent``, ``supply lower`` or ``supply higher``.
        assumptions_name: the assumption set used on the demand side.
        inputs: the demand side's inputs as ``(name, distribution, nominal value)``.
    """

    area: str
    area_name: str
    year: int
    age_band: AgeBand
    men: int
    buyers: Summary
    demand: Summary
    supply: Summary
    ratio: Summary
    level: float
    agreement: str
    assumptions_name: str
    inputs: tuple[tuple[str, str, float], ...]
    n_draws: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {
            "area": self.area,
            "area_name": self.area_name,
            "year": self.year,
            "age_band": str(self.age_band),
            "men": self.men,
            "buyers_12m": self.buyers.to_dict(),
            "demand_purchases": self.demand.to_dict(),
            "supply_purchases": self.supply.to_dict(),
            "ratio_supply_to_demand": self.ratio.to_dict(),
            "level": self.level,
            "agreement": self.agreement,
            "assumptions": self.assumptions_name,
            "inputs": [{"name": n, "distribution": d, "nominal": v} for n, d, v in self.inputs],
            "n_draws": self.n_draws,
            "seed": self.seed,
        }


def prevalence_distribution(p: Proportion) -> Distribution:
    """A survey share as a distribution: a beta distribution with the share's precision, or fixed."""
    ab = p.beta_parameters()
    if ab is None:
        return Fixed(p.estimate)
    return Beta(*ab)


def triangulate(
    population: PopulationTable,
    area: str,
    supply: PurchasesEstimate | SupplyInterval,
    assumptions: AssumptionSet | None = None,
    *,
    age_band: AgeBand = AgeBand(18, 65),
    prevalence_12m: Proportion | None = None,
    n_draws: int = 20_000,
    seed: int = 0,
    level: float = 0.9,
) -> Triangulation:
    """Set supply-side purchases beside the demand side's for ``area``.

    Args:
        population: the population year to count men in.
        area: ``"SE"``, a county or a municipality code.
        supply: the purchases model's result (its draws are resampled) or a number with an interval.
        assumptions: demand-side assumptions (``prevalence_12m``, ``purchases_per_buyer_per_year``,
            ``share_bought_in_area``); the bundled defaults if ``None``.
        age_band: men counted (the survey's base, 18-65).
        prevalence_12m: overrides the assumption set's ``prevalence_12m`` (e.g. a survey share
            with its sample size).
        n_draws, seed, level: the Monte Carlo simulation and the interval level.

    Raises:
        InputErrors: if the assumption set lacks a demand-side parameter or has one out of range.
        RefdataError: for an unknown area code.
    """
    assumptions = assumptions if assumptions is not None else default_assumptions()
    check_requirements(assumptions, TRIANGULATION_REQUIREMENTS)
    dists: dict[str, Distribution] = {r.name: assumptions[r.name].distribution for r in TRIANGULATION_REQUIREMENTS}
    if prevalence_12m is not None:
        dists["prevalence_12m"] = prevalence_distribution(prevalence_12m)
    men = population.count(area, sex="m", age_min=age_band.min, age_max=age_band.max)
    rng = np.random.default_rng(seed)
    d = {name: dist.sample(rng, n_draws) for name, dist in dists.items()}
    m = {name: dist.nominal() for name, dist in dists.items()}
    buyers = men * d["prevalence_12m"]
    demand = buyers * d["purchases_per_buyer_per_year"] * d["share_bought_in_area"]
    buyers_c = men * m["prevalence_12m"]
    demand_c = buyers_c * m["purchases_per_buyer_per_year"] * m["share_bought_in_area"]
    if isinstance(supply, PurchasesEstimate):
        supply_draws = rng.choice(supply.draws, size=n_draws, replace=True)
        supply_c = supply.central
    else:
        sd = supply.distribution()
        supply_draws = sd.sample(rng, n_draws)
        supply_c = supply.estimate
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = supply_draws / demand
    ratio_s = Summary.of(ratio, supply_c / demand_c if demand_c > 0 else float("inf"), level)
    if ratio_s.low <= 1.0 <= ratio_s.high:
        agreement = "consistent"
    elif ratio_s.high < 1.0:
        agreement = "supply lower"
    else:
        agreement = "supply higher"
    return Triangulation(
        area=area,
        area_name=area_name(area),
        year=population.year,
        age_band=age_band,
        men=men,
        buyers=Summary.of(buyers, buyers_c, level),
        demand=Summary.of(demand, demand_c, level),
        supply=Summary.of(supply_draws, supply_c, level),
        ratio=ratio_s,
        level=level,
        agreement=agreement,
        assumptions_name=assumptions.name,
        inputs=tuple((n, dist.describe(), dist.nominal()) for n, dist in dists.items()),
        n_draws=n_draws,
        seed=seed,
    )
