"""Sample-coverage estimators for three lists (Chao & Tsay 1998; Chao et al. 2001; CARE1's ``estN``).

The lists may depend on each other: a unit's chances ``P_jk`` of being on list ``j`` may vary between
units and go together across lists. The dependence between lists ``i`` and ``j`` is measured by the
coefficient of covariation ``gamma_ij = mean_k((P_ik - mu_i)(P_jk - mu_j)) / (mu_i mu_j)``, which is
zero for independent lists, positive when the same units tend to be on both.

With three lists, ``n_j`` units on list ``j``, ``Z_j`` units on list ``j`` only, ``n_ij`` on both ``i``
and ``j``, and ``M`` units on at least one list:

* sample coverage ``C = 1 - (1/3) sum_j Z_j / n_j``: the share of each list's units that the other two
  lists also found, averaged over the lists;
* ``D = (1/3) sum_j (M - Z_j)``: the average number of units on the two lists other than ``j``;
* independence (``Indep``): ``N0 = D / C``;
* with dependence, taking expectations and leaving out the three-way term gives
  ``N = D/C + (1/(3C)) sum_{i<j} a_ij gamma_ij`` with ``a_ij = (n_i - n_ik) + (n_j - n_jk)`` (``k`` the
  third list: units of ``i`` or of ``j`` not on ``k``) and ``gamma_ij(N) = N n_ij / (n_i n_j) - 1``;
* high sample coverage (``HSC``): the exact solution of that equation in ``N`` (it is linear),
  ``N = (D - S_a / 3) / (C - S_b / 3)`` with ``S_a = sum a_ij`` and ``S_b = sum a_ij n_ij / (n_i n_j)``;
  it has no finite solution when ``C <= S_b / 3``;
* low sample coverage (``LSC``, one-step): when coverage is low the exact solution is unstable, so the
  ``gamma_ij`` are not solved for but estimated by substitution: ``N1`` is the right-hand side with
  ``gamma_ij(N0)``, and the estimate is the right-hand side with ``gamma_ij(N1)``.

The standard error is a parametric bootstrap, as in CARE1: tables are drawn from the multinomial
with ``round(N)`` units and the cell shares of the observed table (the unseen cell holding ``N - M``),
and the estimator is recomputed on each. The interval is log-transformed (Chao 1987), so it never goes
below ``M``. The bootstrap is random: a ``seed`` makes it reproducible.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy import stats

from lagesbild.errors import EstimateInputError, NotEstimableError
from lagesbild.estimate.crc._types import FloatArray, SampleCoverageResult
from lagesbild.records.capture import CaptureHistories, all_histories

__all__ = ["SAMPLE_COVERAGE_METHODS", "SampleCoverageMethod", "sample_coverage", "sample_coverage_all"]

SampleCoverageMethod = Literal["Indep", "HSC", "LSC"]
SAMPLE_COVERAGE_METHODS: tuple[SampleCoverageMethod, ...] = ("Indep", "HSC", "LSC")
_PAIRS = ((0, 1), (0, 2), (1, 2))


def _table(histories: CaptureHistories) -> FloatArray:
    """Counts of the seven observable histories of three lists, in the order of ``all_histories(3)``."""
    if histories.n_occasions != 3:
        raise EstimateInputError(
            f"the sample-coverage estimators need exactly three lists, not {histories.n_occasions}"
        )
    return histories.cell_counts()[1]


def _estimate(y: FloatArray, method: SampleCoverageMethod) -> tuple[float, float, float, tuple[float, ...]]:
    """``(N, C, D, gammas)`` from the seven counts; raises NotEstimableError when a list is empty or C <= 0."""
    hist = all_histories(3).astype(np.float64)
    m = float(y.sum())
    n = hist.T @ y  # list sizes
    only = (hist.sum(axis=1) == 1).astype(np.float64)
    z = (hist * only[:, None]).T @ y  # units on one list only
    both = {(i, j): float(y @ (hist[:, i] * hist[:, j])) for i, j in _PAIRS}
    if np.any(n <= 0):
        raise NotEstimableError("every list must hold at least one unit")
    coverage = 1.0 - float(np.mean(z / n))
    d = float(np.mean(m - z))
    if coverage <= 0:
        raise NotEstimableError("no unit is on more than one list: the sample coverage is zero")
    n0 = d / coverage
    if method == "Indep":
        return n0, coverage, d, (0.0, 0.0, 0.0)
    a: list[float] = []  # units of list i or of list j that are not on the third list
    b: list[float] = []  # n_ij / (n_i n_j)
    for i, j in _PAIRS:
        k = 3 - i - j
        a.append(float(n[i] - both[(min(i, k), max(i, k))] + n[j] - both[(min(j, k), max(j, k))]))
        b.append(both[(i, j)] / float(n[i] * n[j]))

    def gammas(size: float) -> tuple[float, ...]:
        return tuple(size * bij - 1.0 for bij in b)

    def rhs(size: float) -> float:
        return d / coverage + sum(aij * g for aij, g in zip(a, gammas(size), strict=True)) / (3.0 * coverage)

    if method == "HSC":
        denominator = coverage - sum(aij * bij for aij, bij in zip(a, b, strict=True)) / 3.0
        big_n = (d - sum(a) / 3.0) / denominator if denominator > 0 else math.inf
        return big_n, coverage, d, gammas(big_n) if math.isfinite(big_n) else (math.inf,) * 3
    n1 = rhs(n0)
    return rhs(n1), coverage, d, gammas(n1)


def sample_coverage(
    histories: CaptureHistories,
    method: SampleCoverageMethod,
    *,
    ci_level: float = 0.95,
    n_bootstrap: int = 200,
    seed: int | None = 0,
) -> SampleCoverageResult:
    """Population size from three lists by the sample-coverage approach.

    Args:
        histories: capture histories of exactly three lists.
        method: ``"Indep"`` (lists independent), ``"HSC"`` (dependent lists, high sample coverage) or
            ``"LSC"`` (dependent lists, low sample coverage; one-step). See the module docstring.
        ci_level: coverage of the log-transformed interval.
        n_bootstrap: bootstrap replicates for the standard error (0: no standard error or interval).
        seed: seed of the bootstrap (``None``: a different draw every time, as CARE1).

    Raises:
        EstimateInputError: not three lists, or a bad argument.
        NotEstimableError: an empty list, or no unit on two lists.
    """
    if method not in SAMPLE_COVERAGE_METHODS:
        raise EstimateInputError(
            f"unknown sample-coverage method {method!r}; known: {', '.join(SAMPLE_COVERAGE_METHODS)}"
        )
    if not 0 < ci_level < 1:
        raise EstimateInputError("ci_level must be between 0 and 1")
    if n_bootstrap < 0:
        raise EstimateInputError("n_bootstrap must be non-negative")
    y = _table(histories)
    big_n, coverage, d, gam = _estimate(y, method)
    m = histories.n_observed
    notes: list[str] = []
    if not math.isfinite(big_n):
        notes.append("the HSC equation has no finite solution (the lists overlap too little): use LSC")
    elif big_n < m:
        notes.append("the estimate is below the number of units seen: the dependence terms are not reliable")
    se = math.nan
    used = 0
    if n_bootstrap > 0 and math.isfinite(big_n) and big_n >= m:
        rng = np.random.default_rng(seed)
        size = round(big_n)
        probs = np.append(y, max(size - m, 0)) / max(size, m)
        probs /= probs.sum()
        draws = rng.multinomial(size, probs, size=n_bootstrap)[:, :-1].astype(np.float64)
        values: list[float] = []
        for draw in draws:
            try:
                value = _estimate(draw, method)[0]
            except ValueError:
                continue
            if math.isfinite(value):
                values.append(value)
        used = len(values)
        if used >= 2:
            se = float(np.std(values, ddof=1))
        if used < n_bootstrap:
            notes.append(f"{n_bootstrap - used} of {n_bootstrap} bootstrap tables gave no finite estimate")
    low, high = math.nan, math.nan
    f0 = big_n - m
    if method == "HSC" and math.isfinite(se) and se > f0:
        notes.append("the standard error exceeds the estimated unseen count: HSC is unstable here, prefer LSC")
    if math.isfinite(se) and f0 > 0:
        zq = float(stats.norm.ppf(0.5 + ci_level / 2))
        c = math.exp(zq * math.sqrt(math.log1p(se**2 / f0**2)))
        low, high = m + f0 / c, m + f0 * c
    elif math.isfinite(se):
        low = high = big_n
    names = histories.sources
    return SampleCoverageResult(
        method=method,
        abundance=big_n,
        stderr=se,
        ci_low=low,
        ci_high=high,
        ci_level=ci_level,
        n_observed=m,
        coverage=coverage,
        d=d,
        gammas=tuple((names[i], names[j], g) for (i, j), g in zip(_PAIRS, gam, strict=True)),
        n_bootstrap=used,
        method_notes=tuple(notes),
    )


def sample_coverage_all(
    histories: CaptureHistories, *, ci_level: float = 0.95, n_bootstrap: int = 200, seed: int | None = 0
) -> list[SampleCoverageResult]:
    """The three sample-coverage estimates (``Indep``, ``HSC``, ``LSC``) of three lists."""
    return [
        sample_coverage(histories, method, ci_level=ci_level, n_bootstrap=n_bootstrap, seed=seed)
        for method in SAMPLE_COVERAGE_METHODS
    ]
