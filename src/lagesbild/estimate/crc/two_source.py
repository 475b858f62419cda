"""Two-source capture-recapture: Lincoln-Petersen and Chapman, Seber's variance, Chao's interval.

With ``n1`` units in source 1, ``n2`` in source 2 and ``m`` in both:

* Lincoln-Petersen: ``N = n1 n2 / m``;
* Chapman (1951): ``N = (n1 + 1)(n2 + 1)/(m + 1) - 1``, nearly unbiased;
* Seber (1982): ``Var = (n1 + 1)(n2 + 1)(n1 - m)(n2 - m) / ((m + 1)**2 (m + 2))``;
* Chao (1987) log-transformed interval: with ``M = n1 + n2 - m`` units seen and ``f0 = N - M``,
  ``C = exp(z sqrt(log(1 + Var / f0**2)))`` and the interval ``(M + f0 / C, M + f0 C)``, which
  never goes below the number of units actually seen.

Assumptions: closed population, correct matching, and independent sources (being in one source
does not change the chance of being in the other), see ``models.MODELS["Chapman"]``.
"""

from __future__ import annotations

import math

from scipy import stats

from lagesbild.errors import EstimateInputError
from lagesbild.estimate.crc._types import TwoSourceResult
from lagesbild.records.capture import CaptureHistories

__all__ = ["two_source", "two_source_from_histories"]


def two_source(n1: int, n2: int, m: int, *, ci_level: float = 0.95) -> TwoSourceResult:
    """Lincoln-Petersen and Chapman estimates from two sources.

    Args:
        n1: units in source 1.
        n2: units in source 2.
        m: units found in both sources.
        ci_level: coverage of Chao's log-transformed interval.

    Raises:
        EstimateInputError: negative counts, or an overlap larger than a source.
    """
    if min(n1, n2, m) < 0:
        raise EstimateInputError("counts must be non-negative")
    if m > min(n1, n2):
        raise EstimateInputError(f"overlap m={m} is larger than a source (n1={n1}, n2={n2})")
    if not 0 < ci_level < 1:
        raise EstimateInputError("ci_level must be between 0 and 1")
    notes: list[str] = []
    lp = n1 * n2 / m if m > 0 else math.inf
    if m == 0:
        notes.append("no unit in both sources: Lincoln-Petersen is infinite, Chapman is unreliable")
    elif m < 7:
        notes.append("fewer than 7 units in both sources: estimates are unstable (Seber 1982)")
    chapman = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    var = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    seen = n1 + n2 - m
    f0 = chapman - seen
    if f0 > 0 and var > 0:
        z = float(stats.norm.ppf(0.5 + ci_level / 2))
        c = math.exp(z * math.sqrt(math.log1p(var / f0**2)))
        low, high = seen + f0 / c, seen + f0 * c
    else:
        low = high = chapman
        notes.append("no unseen units estimated: the interval is degenerate")
    return TwoSourceResult(
        n1=n1,
        n2=n2,
        m=m,
        lincoln_petersen=lp,
        chapman=chapman,
        stderr=math.sqrt(var),
        ci_low=low,
        ci_high=high,
        ci_level=ci_level,
        method_notes=tuple(notes),
    )


def two_source_from_histories(
    histories: CaptureHistories, i: int = 0, j: int = 1, *, ci_level: float = 0.95
) -> TwoSourceResult:
    """Two-source estimate from sources ``i`` and ``j`` (0-based) of capture histories.

    Units seen only in other sources are ignored, as in CARE1's ``estN.pair``.
    """
    n1, n2, m = histories.pair(i, j)
    return two_source(n1, n2, m, ci_level=ci_level)
