"""Where to aim a campaign: rank areas by demand, activity and buyer inflow.

Pure functions of typed inputs. Each area has up to three components:

* ``demand``: the estimate suite's ``demand_12m`` figure (buyers in the area's population);
* ``activity``: the suite's ``purchases`` figure (purchases made in the area);
* ``inflow``: the share of the area's buyers who live in another municipality (verdict travel
  flows via the suite's residence details). Based on fewer than ``threshold`` judgments it is
  suppressed (no data), as small counts are elsewhere (:func:`lagesbild.settings.is_small`).

The score is the mean of the component ranks (1 = highest) over the components that have data;
an area's row names the components it rests on. A missing component is "inga data", never 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lagesbild.refdata import area_name
from lagesbild.settings import is_small

if TYPE_CHECKING:
    from lagesbild.estimate.suite import EstimateSuite

COMPONENTS = ("demand", "activity", "inflow")
"""The ranked components, in display order."""


@dataclass(frozen=True)
class AreaInput:
    """One area's components (``None`` = no data).

    Attributes:
        code, name: the area.
        demand: estimated buyers (``demand_12m``) or ``None``.
        activity: estimated purchases in the area or ``None``.
        inflow: share (0-1) of the area's buyers living elsewhere, or ``None``.
        judgments: how many verdict judgments the inflow share rests on.
    """

    code: str
    name: str
    demand: float | None = None
    activity: float | None = None
    inflow: float | None = None
    judgments: int = 0


@dataclass(frozen=True)
class TargetRow:
    """One ranked area.

    Attributes:
        rank: 1 = the best target.
        score: mean rank over ``based_on`` (lower is better), ``None`` if no component has data.
        ranks: component -> rank among the areas with data for it.
        based_on: the components the score rests on.
        reasons: Swedish reasons, one per component ("inga data" where there is none).
    """

    rank: int
    code: str
    name: str
    score: float | None
    ranks: dict[str, int] = field(default_factory=dict)
    based_on: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    values: dict[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly dict."""
        return {
            "rank": self.rank, "code": self.code, "name": self.name, "score": self.score,
            "ranks": dict(self.ranks), "based_on": list(self.based_on), "reasons": list(self.reasons),
            "values": dict(self.values),
        }  # fmt: skip


def _component_ranks(values: dict[str, float]) -> dict[str, int]:
    """Competition ranks (1 = highest; ties share the best rank)."""
    ordered = sorted(values.values(), reverse=True)
    return {code: ordered.index(v) + 1 for code, v in values.items()}


def rank_targets(areas: Sequence[AreaInput], *, threshold: int = 5, top: int | None = None) -> list[TargetRow]:
    """Rank ``areas`` by the mean of their component ranks.

    Args:
        areas: the candidate areas (e.g. a county's municipalities).
        threshold: inflow shares resting on fewer judgments are suppressed (no data).
        top: keep only the best ``top`` rows (all if ``None``).

    Returns:
        Rows best first; areas without any data come last with ``score=None``.

    Raises:
        ValueError: ``threshold`` < 1, ``top`` < 1, a negative value or an inflow share outside 0-1.
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")
    if top is not None and top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    comp: dict[str, dict[str, float]] = {c: {} for c in COMPONENTS}
    for a in areas:
        for c in ("demand", "activity"):
            v = getattr(a, c)
            if v is not None:
                if v < 0:
                    raise ValueError(f"area {a.code}: {c} must not be negative, got {v}")
                comp[c][a.code] = float(v)
        if a.inflow is not None:
            if not 0.0 <= a.inflow <= 1.0:
                raise ValueError(f"area {a.code}: inflow must be a share between 0 and 1, got {a.inflow}")
            if a.judgments >= threshold:
                comp["inflow"][a.code] = float(a.inflow)
    ranks = {c: _component_ranks(v) for c, v in comp.items()}
    totals = {c: sum(v.values()) for c, v in comp.items()}
    rows: list[TargetRow] = []
    for a in areas:
        r = {c: ranks[c][a.code] for c in COMPONENTS if a.code in ranks[c]}
        based = tuple(c for c in COMPONENTS if c in r)
        score = sum(r.values()) / len(r) if r else None
        reasons = []
        if "demand" in r:
            share = comp["demand"][a.code] / totals["demand"] if totals["demand"] > 0 else 0.0
            reasons.append(f"efterfrågan: {share * 100:.0f} % av områdets köpare")
        else:
            reasons.append("efterfrågan: inga data")
        if "activity" in r:
            share = comp["activity"][a.code] / totals["activity"] if totals["activity"] > 0 else 0.0
            reasons.append(f"aktivitet: {share * 100:.0f} % av områdets köp")
        else:
            reasons.append("aktivitet: inga data")
        if "inflow" in r:
            reasons.append(f"inflöde: {comp['inflow'][a.code] * 100:.0f} % av köparna bor i andra kommuner")
        elif a.inflow is not None and is_small(a.judgments, threshold):
            reasons.append(f"inflöde: inga data (färre än {threshold} bedömningar)")
        else:
            reasons.append("inflöde: inga data")
        values = {"demand": a.demand, "activity": a.activity, "inflow": comp["inflow"].get(a.code)}
        rows.append(TargetRow(0, a.code, a.name, score, r, based, tuple(reasons), values))
    rows.sort(key=lambda t: (t.score is None, t.score if t.score is not None else 0.0, -len(t.based_on), t.code))
    out = [
        TargetRow(i + 1, t.code, t.name, t.score, t.ranks, t.based_on, t.reasons, t.values) for i, t in enumerate(rows)
    ]
    return out if top is None else out[:top]


def _est(figs: Mapping[str, Any], quantity: str) -> float | None:
    fig = figs.get(quantity)
    return None if fig is None else fig.estimate


def inputs_from_suite(suite: EstimateSuite) -> list[AreaInput]:
    """The candidate areas of a stored suite: a county's municipalities, or Sweden's counties.

    Demand and activity are the suite's per-area allocations (``demand_12m``, ``purchases``); the
    inflow share is the median visitor share of the county suite's residence details (verdict
    travel flows). Sweden's suite has no per-county residence, so counties have no inflow data.
    Buckets of ads placed in no municipality (``"05?"``, ``"?"``) are not candidates.
    """
    residence: dict[str, tuple[float | None, int]] = {}
    res = suite.details.get("residence") if suite.details else None
    if isinstance(res, Mapping):
        for row in res.get("rows") or []:
            share = row.get("visitor_share")
            residence[str(row["kommun"])] = (
                None if not share else float(share["median"]),
                int(row.get("judgments") or 0),
            )
    subs = suite.by_lan if suite.area == "SE" else suite.by_kommun
    out = []
    for code in sorted(subs):
        if code.endswith("?"):
            continue
        inflow, judgments = residence.get(code, (None, 0))
        out.append(AreaInput(code, area_name(code), _est(subs[code], "demand_12m"),
                             _est(subs[code], "purchases"), inflow, judgments))  # fmt: skip
    return out
