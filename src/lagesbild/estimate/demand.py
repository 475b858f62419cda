"""Demand from population: how many men in an area have bought sex, from a survey share.

The number is ``prevalence x men in the age band``: a national survey share (7.5% of men 18-65
have ever bought sex; 0.8% in the last 12 months, Länsstyrelsen Stockholm 2015:10) applied to the
register count of men in a municipality, county or Sweden for a population year. The count of
men is a register figure and taken as exact; the interval comes from the survey share (Wilson's
interval from the survey's sample size, or the survey's published interval).

Applying a national share to a county or municipality assumes that men there buy sex as often as
men in the whole country. That is the weakest part of the calculation and no interval covers it.

Example::

    >>> from lagesbild.refdata import bundled_population
    >>> est = estimate_demand(bundled_population(), "SE", Proportion.exact(0.075), AgeBand(18, 65))
    >>> round(est.estimate)
    237423
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from lagesbild.errors import EstimateInputError
from lagesbild.estimate.intervals import Proportion
from lagesbild.refdata import PopulationTable, area_name, municipalities, municipalities_in

__all__ = [
    "AgeBand",
    "DemandEstimate",
    "Measure",
    "demand_by_area",
    "estimate_demand",
    "prevalence_times_population",
]

Measure = Literal["ever", "12m"]
"""``ever``: ever bought sex; ``12m``: bought in the last 12 months."""

_BAND = re.compile(r"^\s*(\d{1,3})\s*(?:-\s*(\d{1,3})|\+|-)?\s*$")


@dataclass(frozen=True)
class AgeBand:
    """Ages ``min``..``max``, both included; ``max=None`` for no upper limit ("18+")."""

    min: int
    max: int | None = None

    def __post_init__(self) -> None:
        if self.min < 0 or (self.max is not None and self.max < self.min):
            raise EstimateInputError(f"empty age band {self}")

    @classmethod
    def parse(cls, text: str) -> AgeBand:
        """Read ``"18-65"``, ``"18+"`` or ``"18"`` (18 and older).

        Raises:
            EstimateInputError: for anything else.
        """
        m = _BAND.match(text)
        if not m:
            raise EstimateInputError(f"age band must look like 18-65 or 18+, not {text!r}")
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else None
        return cls(lo, hi)

    def __str__(self) -> str:
        return f"{self.min}+" if self.max is None else f"{self.min}-{self.max}"


def prevalence_times_population(prevalence: float, population: float) -> float:
    """The arithmetic at the heart of every demand figure: ``prevalence x population``."""
    return prevalence * population


@dataclass(frozen=True)
class DemandEstimate:
    """Men in an area who have bought sex (ever, or in the last 12 months), with an interval.

    Attributes:
        area, area_name: the code (``"SE"``, ``"01"``, ``"0180"``) and its name.
        year: the population year; ``population_source`` names the table.
        age_band: the men counted.
        men: men in the age band (register count).
        prevalence: the survey share and its interval.
        measure: ``ever`` or ``12m``.
        estimate, low, high: ``men x share`` and the interval (``men x`` the share's interval).
    """

    area: str
    area_name: str
    year: int
    population_source: str
    age_band: AgeBand
    men: int
    prevalence: Proportion
    measure: Measure
    estimate: float
    low: float
    high: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {
            "area": self.area,
            "area_name": self.area_name,
            "year": self.year,
            "population_source": self.population_source,
            "age_band": str(self.age_band),
            "men": self.men,
            "measure": self.measure,
            "prevalence": self.prevalence.estimate,
            "prevalence_low": self.prevalence.low,
            "prevalence_high": self.prevalence.high,
            "prevalence_method": self.prevalence.method,
            "survey_n": self.prevalence.n,
            "level": self.prevalence.level,
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
        }


def estimate_demand(
    population: PopulationTable,
    area: str,
    prevalence: Proportion,
    age_band: AgeBand,
    *,
    measure: Measure = "ever",
) -> DemandEstimate:
    """Men in ``area`` and ``age_band`` times the survey share, with the share's interval.

    Args:
        population: a year of population (:func:`lagesbild.refdata.bundled_population` or
            ``Store.population_table(year)``).
        area: ``"SE"``, a county code or a municipality code.
        prevalence: the survey share (:class:`Proportion`).
        age_band: the men counted (use the survey's own base, usually 18-65).
        measure: what the share measures (``ever`` or ``12m``), carried into the result.

    Raises:
        RefdataError: for an unknown area code.
    """
    men = population.count(area, sex="m", age_min=age_band.min, age_max=age_band.max)
    return DemandEstimate(
        area=area,
        area_name=area_name(area),
        year=population.year,
        population_source=population.source,
        age_band=age_band,
        men=men,
        prevalence=prevalence,
        measure=measure,
        estimate=prevalence_times_population(prevalence.estimate, men),
        low=prevalence_times_population(prevalence.low, men),
        high=prevalence_times_population(prevalence.high, men),
    )


def demand_by_area(
    population: PopulationTable,
    prevalence: Proportion,
    age_band: AgeBand,
    *,
    within: str = "SE",
    measure: Measure = "ever",
) -> list[DemandEstimate]:
    """The estimate for ``within`` followed by each municipality in it (all 290 for ``"SE"``).

    Raises:
        RefdataError: for an unknown area code.
    """
    if within == "SE":
        codes = list(municipalities())
    elif len(within) == 2:
        codes = [m.code for m in municipalities_in(within)]
    else:
        codes = []
    out = [estimate_demand(population, within, prevalence, age_band, measure=measure)]
    out += [estimate_demand(population, c, prevalence, age_band, measure=measure) for c in codes]
    return out
