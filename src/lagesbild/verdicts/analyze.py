"""Buyers' age profile and travel flows from extracted judgments: pure functions, no I/O.

The Östergötland report read every sex-purchase verdict: buyers were 19-69 years old (mean 37),
most bought in their own municipality, and more than 80% of the purchases took place in the two
largest municipalities, with buyers travelling in from the smaller ones. These functions give
the same figures for any set of judgments.

Example::

    >>> from lagesbild.records.verdicts import VerdictRecord
    >>> r = VerdictRecord(None, None, None, None, 41, "0583", "0580", True, 50, 100, False)
    >>> age_profile([r]).mean
    41.0
    >>> travel_flows([r], lan="05").share_into_largest
    1.0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import mean, median

from lagesbild.records.verdicts import VerdictRecord
from lagesbild.refdata import municipalities, municipalities_in

__all__ = ["AGE_BANDS", "AgeProfile", "Flow", "TravelFlows", "YearCount", "age_profile", "travel_flows", "yearly"]

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55-64", 55, 64),
    ("65-", 65, 200),
)
"""Age bands of the profile (label, lowest, highest age included)."""


@dataclass(frozen=True, slots=True)
class AgeProfile:
    """Defendants' ages: ``n`` judgments, ``n_with_age`` stating an age; ``None`` figures without ages."""

    n: int
    n_with_age: int
    min: int | None
    max: int | None
    mean: float | None
    median: float | None
    bands: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Flow:
    """Judgments of buyers living in ``home`` for purchases in ``offence`` (municipality codes)."""

    home: str
    offence: str
    count: int


@dataclass(frozen=True, slots=True)
class TravelFlows:
    """Origin-destination counts of judgments with both municipalities known.

    Attributes:
        n: judgments with both home and offence municipality.
        flows: counts per (home, offence), largest first.
        own_share: share bought in the buyer's own municipality (``None`` when ``n`` is 0).
        largest: the two most populous municipalities of the area.
        share_into_largest: share of purchases that took place in ``largest``.
        share_travelled_into_largest: of the purchases in ``largest``, the share by buyers living elsewhere.
    """

    n: int
    flows: tuple[Flow, ...]
    own_share: float | None
    largest: tuple[str, ...]
    share_into_largest: float | None
    share_travelled_into_largest: float | None


def age_profile(verdicts: Iterable[VerdictRecord]) -> AgeProfile:
    """Ages of the defendants, with the bands of :data:`AGE_BANDS`."""
    rows = list(verdicts)
    ages = [r.defendant_age for r in rows if r.defendant_age is not None]
    bands = tuple((label, sum(lo <= a <= hi for a in ages)) for label, lo, hi in AGE_BANDS)
    return AgeProfile(
        n=len(rows),
        n_with_age=len(ages),
        min=min(ages) if ages else None,
        max=max(ages) if ages else None,
        mean=float(mean(ages)) if ages else None,
        median=float(median(ages)) if ages else None,
        bands=bands,
    )


def _largest(lan: str | None, offences: Sequence[str]) -> tuple[str, ...]:
    ms = municipalities()
    pool = [m.code for m in municipalities_in(lan)] if lan else sorted(set(offences))
    return tuple(sorted(pool, key=lambda c: -ms[c].population_total)[:2])


def travel_flows(verdicts: Iterable[VerdictRecord], *, lan: str | None = None) -> TravelFlows:
    """Where buyers lived and where they bought.

    Args:
        verdicts: the judgments.
        lan: restrict to offences in this county (two-digit code) and take its two most populous
            municipalities as ``largest``; without it, all judgments and the two most populous
            offence municipalities.
    """
    pairs = [
        (r.defendant_kommun, r.offence_kommun)
        for r in verdicts
        if r.defendant_kommun and r.offence_kommun and (lan is None or r.offence_kommun.startswith(lan))
    ]
    counts = Counter(pairs)
    flows = tuple(Flow(h, o, c) for (h, o), c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    n = len(pairs)
    largest = _largest(lan, [o for _, o in pairs])
    into = [(h, o) for h, o in pairs if o in largest]
    return TravelFlows(
        n=n,
        flows=flows,
        own_share=sum(h == o for h, o in pairs) / n if n else None,
        largest=largest,
        share_into_largest=len(into) / n if n else None,
        share_travelled_into_largest=sum(h != o for h, o in into) / len(into) if into else None,
    )


@dataclass(frozen=True, slots=True)
class YearCount:
    """Judgments of one year (by offence date, else judgment date): how many, how many in the home municipality."""

    year: int
    n: int
    own_municipality: int


def yearly(verdicts: Iterable[VerdictRecord]) -> list[YearCount]:
    """Counts per year, oldest first, by the (first) offence date, else the judgment date.

    >>> r = VerdictRecord(None, None, "2024-02-01", "2023-12-30", 40, "0580", "0580", False, 50, 100, False)
    >>> yearly([r, r])
    [YearCount(year=2023, n=2, own_municipality=2)]
    """
    n: dict[int, int] = {}
    own: dict[int, int] = {}
    for v in verdicts:
        day = v.offence_date or v.date
        if not day:
            continue
        y = int(day[:4])
        n[y] = n.get(y, 0) + 1
        own[y] = own.get(y, 0) + (v.defendant_kommun is not None and v.defendant_kommun == v.offence_kommun)
    return [YearCount(y, n[y], own[y]) for y in sorted(n)]
