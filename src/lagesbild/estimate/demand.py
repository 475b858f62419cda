"""Demand from population: how many men in an area have bought sex, from a survey share.

The number is ``prevalence x men in the age band``: a national survey share (7.5% of men 18-65
have ever bought sex; 0.8% in the last 12 months, Länsstyrelsen Stockholm 2015:10) applied to the
register count of men in a municipality, county or Sweden for a population year. The count of
men is a register figure and taken as exact; the interval comes from the survey share (Wilson's
interval from the survey's sample size, or the survey's published interval).

Applying a national share to a county or municipality assumes that men there buy sex as often as
men in the whole country. That is the weakest part of the calculation. The published figures
(the estimate suite) therefore widen the survey's interval twice (:func:`estimate_demand` with
``design_effect`` and ``transfer_sigma``):

* the **design effect** of a weighted web-panel survey: the survey is as precise as a simple random
  sample of ``n / design_effect`` (:data:`DEFAULT_DESIGN_EFFECT`, 1.5);
* the **transfer** of a national share to an area: the area's share is the national one times a
  log-normal factor with median 1 and ``sigma`` :data:`DEFAULT_TRANSFER_SIGMA` (0.25: the area's
  share lies within 0.66-1.51 times the national one with 90% probability). Not applied for Sweden.

The two are combined on the log scale: ``log(high / estimate)`` is
``sqrt(s_survey² + sigma²) z`` (and the same below), with ``s_survey`` from the survey's interval.
No simulation can check this interval: the simulator draws its buyers from the same survey share
(docs/methods/demand.md, "What the interval covers").

Example::

    >>> from lagesbild.refdata import bundled_population
    >>> est = estimate_demand(bundled_population(), "SE", Proportion.exact(0.075), AgeBand(18, 65))
    >>> round(est.estimate)
    237423
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from lagesbild.errors import EstimateInputError
from lagesbild.estimate.intervals import Proportion, z_value
from lagesbild.refdata import PopulationTable, area_name, municipalities, municipalities_in

__all__ = [
    "DEFAULT_DESIGN_EFFECT",
    "DEFAULT_TRANSFER_SIGMA",
    "MEASURE_LABELS",
    "AgeBand",
    "DemandEstimate",
    "Measure",
    "demand_by_area",
    "estimate_demand",
    "prevalence_times_population",
]

Measure = Literal["ever", "12m"]
"""``ever``: ever bought sex; ``12m``: bought in the last 12 months."""

MEASURE_LABELS: dict[str, str] = {"ever": "have ever bought sex", "12m": "bought sex in the last 12 months"}
"""What each measure counts, in words (the CLI's titles)."""

DEFAULT_DESIGN_EFFECT = 1.5
"""Design effect of the survey behind the default prevalences (assumption).

Länsstyrelsen Stockholm's 2014 survey was a weighted web-panel survey; weighting and panel
recruitment make such surveys less precise than a simple random sample of the same size, typically
by a factor 1.5-2 in variance. Its published report gives no design effect; 1.5 is the lower end."""

DEFAULT_TRANSFER_SIGMA = 0.25
"""Log-scale spread of an area's share around the national one (assumption).

County and municipal shares of men who buy sex are not published; urban areas are believed to have
higher shares. 0.25 puts an area's share within 0.66-1.51 times the national one with 90%
probability. Not applied to Sweden (the survey's own population)."""

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
        estimate, low, high: ``men x share`` and the interval (``men x`` the share's interval,
            widened by the design effect and the transfer to the area when given).
        design_effect: the survey's design effect applied (1: none).
        transfer_sigma: the log-scale spread of the area's share around the national one (0: none).
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
    design_effect: float = 1.0
    transfer_sigma: float = 0.0

    @property
    def has_interval(self) -> bool:
        """Whether any uncertainty is known (a bare share gives none)."""
        return self.high > self.low

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
            "design_effect": self.design_effect,
            "transfer_sigma": self.transfer_sigma,
        }


def _widened(prevalence: Proportion, design_effect: float, transfer_sigma: float) -> tuple[float, float]:
    """The share's interval widened by the design effect and the transfer (both on the log scale)."""
    p, low, high = prevalence.estimate, prevalence.low, prevalence.high
    if design_effect != 1.0 and prevalence.method == "wilson" and prevalence.n is not None:
        wider = Proportion.from_sample(p, prevalence.n / design_effect, prevalence.level)
        low, high = wider.low, wider.high
    if transfer_sigma <= 0 or p <= 0:
        return low, high
    z = z_value(prevalence.level)
    s_low = math.log(p / low) / z if low > 0 else math.inf
    s_high = math.log(high / p) / z if high > p else 0.0
    low = p * math.exp(-z * math.hypot(s_low, transfer_sigma)) if math.isfinite(s_low) else 0.0
    high = min(1.0, p * math.exp(z * math.hypot(s_high, transfer_sigma)))
    return low, high


def estimate_demand(
    population: PopulationTable,
    area: str,
    prevalence: Proportion,
    age_band: AgeBand,
    *,
    measure: Measure = "ever",
    design_effect: float = 1.0,
    transfer_sigma: float = 0.0,
) -> DemandEstimate:
    """Men in ``area`` and ``age_band`` times the survey share, with the share's interval.

    Args:
        population: a year of population (:func:`lagesbild.refdata.bundled_population` or
            ``Store.population_table(year)``).
        area: ``"SE"``, a county code or a municipality code.
        prevalence: the survey share (:class:`Proportion`).
        age_band: the men counted (use the survey's own base, usually 18-65).
        measure: what the share measures (``ever`` or ``12m``), carried into the result.
        design_effect: the survey's design effect (at least 1): a share given with its sample size is
            as precise as a simple random sample of ``n / design_effect``. Ignored for a published
            interval (it holds the design already) and for a bare share.
        transfer_sigma: the log-scale spread of the area's share around the national one (0: the
            national share applies as it is). Not applied to ``"SE"``. The published figures use
            :data:`DEFAULT_DESIGN_EFFECT` and :data:`DEFAULT_TRANSFER_SIGMA`.

    Raises:
        RefdataError: for an unknown area code.
        EstimateInputError: for a design effect below 1 or a negative transfer spread.
    """
    if design_effect < 1.0:
        raise EstimateInputError(f"the design effect must be at least 1, not {design_effect}")
    if transfer_sigma < 0.0:
        raise EstimateInputError(f"the transfer spread must not be negative, not {transfer_sigma}")
    men = population.count(area, sex="m", age_min=age_band.min, age_max=age_band.max)
    sigma = 0.0 if area == "SE" else transfer_sigma
    low, high = _widened(prevalence, design_effect, sigma)
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
        low=prevalence_times_population(low, men),
        high=prevalence_times_population(high, men),
        design_effect=design_effect if prevalence.method == "wilson" else 1.0,
        transfer_sigma=sigma,
    )


def demand_by_area(
    population: PopulationTable,
    prevalence: Proportion,
    age_band: AgeBand,
    *,
    within: str = "SE",
    measure: Measure = "ever",
    design_effect: float = 1.0,
    transfer_sigma: float = 0.0,
) -> list[DemandEstimate]:
    """The estimate for ``within`` followed by each municipality in it (all 290 for ``"SE"``).

    ``measure``, ``design_effect`` and ``transfer_sigma`` are passed to :func:`estimate_demand`.

    Raises:
        RefdataError: for an unknown area code.
    """
    if within == "SE":
        codes = list(municipalities())
    elif len(within) == 2:
        codes = [m.code for m in municipalities_in(within)]
    else:
        codes = []
    kw: dict[str, Any] = {"measure": measure, "design_effect": design_effect, "transfer_sigma": transfer_sigma}
    out = [estimate_demand(population, within, prevalence, age_band, **kw)]
    out += [estimate_demand(population, c, prevalence, age_band, **kw) for c in codes]
    return out
