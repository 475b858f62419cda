"""Where purchases happen versus where the buyers live: ad locations combined with verdict flows.

The ads tell where purchases happen: purchases per year in an area (the purchases model) spread
over its municipalities in proportion to the person-days advertised there. Court judgments tell
who travels: for each municipality where purchases were judged, where the buyers lived. Put
together, every municipality gets two numbers:

* **purchases here**: purchases that take place in the municipality (supply side);
* **purchases by residents**: purchases in the area made by men who live in the municipality,
  wherever in the area they bought: ``sum over offence municipalities o of purchases in o x
  P(buyer lives here | purchase in o)``, the probabilities from the judgments;

and the share of the purchases here made by visitors. Purchases in the area by men living
outside it are counted separately (``outside``). With a population table, the demand side's
purchases by the municipality's men (men 18-65 x ``prevalence_12m`` x
``purchases_per_buyer_per_year``) are set beside the purchases by residents, as in
:mod:`lagesbild.estimate.triangulate`.

Uncertainty is simulated: the area's purchases come as Monte Carlo draws, and each offence
municipality's distribution of buyers' homes is drawn from a Dirichlet posterior: its own
judgments plus a weak prior (``prior_weight`` judgments spread like the whole area's
judgments), so that a municipality with no judgments borrows the area's pattern with a wide
interval. Assumptions (docs/methods/residence.md): judged purchases are like other purchases in
where buyers live and buy (police priorities can make them differ); a person-day yields the same
purchases everywhere in the area.

Example::

    >>> import numpy as np
    >>> from lagesbild.verdicts import Flow
    >>> r = where_buyers_live(np.full(1000, 100.0), {"0580": 3.0, "0581": 1.0},
    ...                       [Flow("0580", "0580", 30), Flow("0583", "0580", 10), Flow("0581", "0581", 20)],
    ...                       "05", n_draws=1000)
    >>> round(r.row("0580").purchases_in.median)
    75
    >>> 0.1 < r.row("0580").visitor_share.median < 0.4
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from lagesbild.errors import EstimateInputError
from lagesbild.estimate.assumptions import AssumptionSet, check_requirements, default_assumptions
from lagesbild.estimate.demand import AgeBand
from lagesbild.estimate.triangulate import TRIANGULATION_REQUIREMENTS, Summary
from lagesbild.refdata import PopulationTable, area_name, municipalities, municipalities_in
from lagesbild.verdicts.analyze import Flow

__all__ = ["OUTSIDE", "Residence", "ResidenceRow", "where_buyers_live"]

FloatArray = npt.NDArray[np.float64]

OUTSIDE = "outside"
"""The home of buyers who live outside the area."""

DEMAND_SIDE = tuple(
    r for r in TRIANGULATION_REQUIREMENTS if r.name in ("prevalence_12m", "purchases_per_buyer_per_year")
)
"""The demand-side parameters read here (men x share who bought x purchases per buyer)."""


@dataclass(frozen=True)
class ResidenceRow:
    """One municipality: purchases that happen there and purchases its residents make in the area.

    Attributes:
        kommun, name: the municipality.
        person_days: advertised person-days there (the supply side's basis).
        judgments: judgments of purchases there with the buyer's home known.
        purchases_in: purchases per year that take place here.
        by_residents: purchases per year in the area by buyers living here.
        visitor_share: share of the purchases here made by buyers living elsewhere (``None``
            where no purchase happens).
        demand: the demand side: purchases per year by the men living here (anywhere), or
            ``None`` without a population table.
    """

    kommun: str
    name: str
    person_days: float
    judgments: int
    purchases_in: Summary
    by_residents: Summary
    visitor_share: Summary | None
    demand: Summary | None

    def flat(self) -> dict[str, Any]:
        """One flat row (median, low and high of each quantity side by side), e.g. for CSV."""
        row: dict[str, Any] = {"kommun": self.kommun, "name": self.name, "judgments": self.judgments}
        for key, s in (
            ("purchases_in", self.purchases_in),
            ("by_residents", self.by_residents),
            ("visitor_share", self.visitor_share),
            ("demand", self.demand),
        ):
            if s is not None:
                row |= {key: s.median, f"{key}_low": s.low, f"{key}_high": s.high}
        return row

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {
            "kommun": self.kommun,
            "name": self.name,
            "person_days": self.person_days,
            "judgments": self.judgments,
            "purchases_in": self.purchases_in.to_dict(),
            "by_residents": self.by_residents.to_dict(),
            "visitor_share": self.visitor_share.to_dict() if self.visitor_share else None,
            "demand": self.demand.to_dict() if self.demand else None,
        }


@dataclass(frozen=True)
class Residence:
    """Where the area's purchases happen and where its buyers live, per municipality.

    Attributes:
        area, area_name: the area (``SE``, a county or a municipality).
        rows: one per municipality of the area, most purchases first.
        outside: purchases per year in the area by buyers living outside it.
        judgments: judgments used (offence in the area, buyer's home known).
        prior_weight: the Dirichlet prior's weight in judgments.
        level, n_draws, seed: the simulation.
        population_year: the year men were counted in (``None`` without a population table).
    """

    area: str
    area_name: str
    rows: tuple[ResidenceRow, ...]
    outside: Summary
    judgments: int
    prior_weight: float
    level: float
    n_draws: int
    seed: int
    population_year: int | None
    start: date | None = None
    end: date | None = None

    def row(self, kommun: str) -> ResidenceRow:
        """The row of one municipality.

        Raises:
            KeyError: if the municipality is not in the area.
        """
        for r in self.rows:
            if r.kommun == kommun:
                return r
        raise KeyError(kommun)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {
            "area": self.area,
            "area_name": self.area_name,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "judgments": self.judgments,
            "prior_weight": self.prior_weight,
            "level": self.level,
            "n_draws": self.n_draws,
            "seed": self.seed,
            "population_year": self.population_year,
            "outside": self.outside.to_dict(),
            "rows": [r.to_dict() for r in self.rows],
        }


def _area_kommuns(area: str) -> list[str]:
    if area == "SE":
        return sorted(municipalities())
    if len(area) == 2:
        return [m.code for m in municipalities_in(area)]
    area_name(area)  # raises RefdataError for an unknown code
    return [area]


def where_buyers_live(
    purchase_draws: npt.ArrayLike,
    person_days: Mapping[str, float],
    flows: Sequence[Flow],
    area: str,
    *,
    population: PopulationTable | None = None,
    assumptions: AssumptionSet | None = None,
    age_band: AgeBand = AgeBand(18, 65),
    prior_weight: float = 2.0,
    level: float = 0.9,
    n_draws: int = 4000,
    seed: int = 0,
) -> Residence:
    """Combine the area's purchases, their locations and the judgments' travel flows.

    Args:
        purchase_draws: Monte Carlo draws of the area's purchases per year (e.g.
            :attr:`PurchasesEstimate.draws`); resampled to ``n_draws``.
        person_days: advertised person-days per municipality of the area (others are ignored).
        flows: judgments per (home, offence municipality); flows with the offence outside the
            area are ignored, homes outside it count as :data:`OUTSIDE`.
        area: ``"SE"``, a county or a municipality code.
        population: men are counted here for the demand side (left out if ``None``).
        assumptions: the demand side's assumptions (``prevalence_12m``,
            ``purchases_per_buyer_per_year``); the bundled defaults if ``None``.
        age_band: the men counted on the demand side.
        prior_weight: weight of the prior in judgments (> 0): the area's pattern, which an
            offence municipality's own judgments overrule as they grow in number.
        level, n_draws, seed: interval level, draws and seed of the simulation.

    Returns:
        The :class:`Residence`, one row per municipality of the area.

    Raises:
        EstimateInputError: for no draws, negative person-days or a non-positive ``prior_weight``.
        RefdataError: for an unknown area code.
        InputErrors: if the assumption set lacks a demand-side parameter.
    """
    if prior_weight <= 0:
        raise EstimateInputError(f"prior_weight must be positive, not {prior_weight}")
    if n_draws < 100:
        raise EstimateInputError("use at least 100 Monte Carlo draws")
    total = np.asarray(purchase_draws, dtype=np.float64)
    if total.size == 0:
        raise EstimateInputError("no purchase draws")
    kommuns = _area_kommuns(area)
    index = {k: i for i, k in enumerate(kommuns)}
    homes = len(kommuns) + 1  # the last column is OUTSIDE
    pdays = np.array([float(person_days.get(k, 0.0)) for k in kommuns])
    if (pdays < 0).any():
        raise EstimateInputError("person-days cannot be negative")

    counts = np.zeros((len(kommuns), homes))
    for f in flows:
        o = index.get(f.offence)
        if o is None:
            continue
        counts[o, index.get(f.home, homes - 1)] += f.count
    pooled = counts.sum(axis=0) + 0.5  # Jeffreys-like: every home possible
    alpha0 = prior_weight * pooled / pooled.sum()

    rng = np.random.default_rng(seed)
    t = rng.choice(total, size=n_draws, replace=True)
    share = pdays / pdays.sum() if pdays.sum() > 0 else np.zeros_like(pdays)
    central_total = float(np.median(total))
    by_home = np.zeros((n_draws, homes))
    by_home_c = np.zeros(homes)
    stay = np.full((n_draws, len(kommuns)), np.nan)
    for j in np.flatnonzero((share > 0) | (counts.sum(axis=1) > 0)):
        post = alpha0 + counts[j]
        p = rng.dirichlet(post, size=n_draws)
        stay[:, j] = p[:, j]
        if share[j] > 0:
            by_home += (t * share[j])[:, None] * p
            by_home_c += central_total * share[j] * post / post.sum()

    demand_draws: FloatArray | None = None
    dem_c = 0.0
    if population is not None:
        a = assumptions if assumptions is not None else default_assumptions()
        check_requirements(a, DEMAND_SIDE)
        prev, ppb = a["prevalence_12m"].distribution, a["purchases_per_buyer_per_year"].distribution
        demand_draws = prev.sample(rng, n_draws) * ppb.sample(rng, n_draws)
        dem_c = prev.nominal() * ppb.nominal()

    rows: list[ResidenceRow] = []
    for i, k in enumerate(kommuns):
        if share[i] == 0 and counts[i].sum() == 0 and by_home_c[i] == 0:
            continue
        post_i = alpha0 + counts[i]
        demand = None
        if demand_draws is not None and population is not None:
            men = population.count(k, sex="m", age_min=age_band.min, age_max=age_band.max)
            demand = Summary.of(men * demand_draws, men * dem_c, level)
        rows.append(
            ResidenceRow(
                kommun=k,
                name=area_name(k),
                person_days=float(pdays[i]),
                judgments=int(counts[i].sum()),
                purchases_in=Summary.of(t * share[i], central_total * share[i], level),
                by_residents=Summary.of(by_home[:, i], float(by_home_c[i]), level),
                visitor_share=(
                    Summary.of(1.0 - stay[:, i], 1.0 - float(post_i[i] / post_i.sum()), level)
                    if not np.isnan(stay[0, i])
                    else None
                ),
                demand=demand,
            )
        )
    rows.sort(key=lambda r: (-r.purchases_in.central, r.kommun))
    return Residence(
        area=area,
        area_name=area_name(area),
        rows=tuple(rows),
        outside=Summary.of(by_home[:, -1], float(by_home_c[-1]), level),
        judgments=int(counts.sum()),
        prior_weight=prior_weight,
        level=level,
        n_draws=n_draws,
        seed=seed,
        population_year=population.year if population is not None else None,
    )
