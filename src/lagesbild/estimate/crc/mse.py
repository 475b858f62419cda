"""Multiple systems estimation for sparse lists (Chan, Silverman & Vincent 2021; SparseMSE 2.0.1).

The observed list combinations form an incomplete ``2**t`` table (the cell of units on no list is
missing). A Poisson log-linear model with one main effect per list and chosen two-list parameters
(dependence between two lists) is fitted to the ``2**t - 1`` observable cells, unlisted combinations
counting zero; the unseen count is ``exp(intercept)`` and ``N = n + exp(intercept)``.

* **main**: main effects only, i.e. independent lists.
* **stepwise**: starting from main effects, two-list parameters are added one at a time. For each
  pair not yet in the model, the units on both lists (whatever their other lists) are counted; under
  the current model this count is Poisson with mean the sum of the fitted values of those cells. The
  pair whose count is least likely (the smaller of the two one-sided Poisson p-values) is added if
  that p-value is below ``pthresh`` (0.02) and the enlarged model passes :func:`check_model`; a pair
  that fails the check is passed over for the next one. Selection stops when no pair qualifies.
* **Pairs of lists without a common unit**: their parameter's maximum likelihood estimate is minus
  infinity (an extended estimate): every cell holding both lists is fitted as zero. The fit is done
  on the other cells, without that parameter, which is the exact limit.
* **Existence and identifiability** (:func:`check_model`): the estimate exists when the observed
  sufficient statistics ``A'y`` can be reproduced by a table that is strictly positive on the
  fitted cells, tested with the linear program of Fienberg & Rinaldo (2012): maximize ``s`` with
  ``A'x = A'y``, ``x >= s``, ``s <= 1``; the estimate exists when the optimum is positive. The
  parameters are identifiable when the design matrix of the fitted cells has full column rank.
* **Interval**: as SparseMSE's ``estimatepopulation.0``, the intercept is taken as normal, so the
  quantile ``q`` of ``N`` is ``n + exp(b0 + z_q se(b0))``. It conditions on the chosen model (model
  selection is not accounted for; SparseMSE's bootstrap does that, not reproduced here).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

from lagesbild.errors import EstimateInputError, NotEstimableError
from lagesbild.estimate.crc._types import FloatArray, IntArray, MSEResult, MSEStep
from lagesbild.estimate.crc.loglinear import _check_size, _poisson_glm
from lagesbild.records.capture import CaptureHistories

__all__ = ["DEFAULT_PTHRESH", "ModelCheck", "check_model", "fit_mse", "mse_all", "stepwise_mse"]

DEFAULT_PTHRESH = 0.02
"""SparseMSE's default p-value threshold for adding a two-list parameter."""

Pair = tuple[int, int]


@dataclass(frozen=True)
class ModelCheck:
    """Whether a log-linear model can be estimated from the data (SparseMSE's ``checkident``).

    Attributes:
        exists: the (extended) maximum likelihood estimate exists.
        identifiable: the parameters are identifiable (design of full column rank).
        lp_value: the optimum of the existence linear program (positive when the estimate exists).
    """

    exists: bool
    identifiable: bool
    lp_value: float

    @property
    def ok(self) -> bool:
        """Both tests passed."""
        return self.exists and self.identifiable


@dataclass(frozen=True)
class _Design:
    x: FloatArray  # fitted cells x parameters, intercept first
    y: FloatArray  # counts of the fitted cells
    keep: npt.NDArray[np.bool_]  # which of the 2**t - 1 cells are fitted
    names: tuple[str, ...]
    empty: tuple[Pair, ...]


def _pairs(pairs: Iterable[Sequence[int]], t: int) -> tuple[Pair, ...]:
    out: list[Pair] = []
    for pair in pairs:
        if len(pair) != 2:
            raise EstimateInputError(f"a two-list parameter names two lists, not {tuple(pair)}")
        i, j = sorted(int(v) for v in pair)
        if not (0 <= i < j < t):
            raise EstimateInputError(f"({pair[0]}, {pair[1]}) does not name two different lists of {t}")
        if (i, j) not in out:
            out.append((i, j))
    return tuple(out)


def _design(hist: IntArray, y: FloatArray, pairs: tuple[Pair, ...], sources: Sequence[str]) -> _Design:
    """Design over the cells that can be non-zero: pairs without a common unit are set to minus infinity."""
    both = {p: (hist[:, p[0]] * hist[:, p[1]]).astype(bool) for p in pairs}
    empty = tuple(p for p in pairs if float(y[both[p]].sum()) == 0.0)
    keep = np.ones(len(y), dtype=bool)
    for p in empty:
        keep &= ~both[p]
    cols = [np.ones(len(y))] + [hist[:, j].astype(np.float64) for j in range(hist.shape[1])]
    names = ["(Intercept)", *sources]
    for p in pairs:
        if p not in empty:
            cols.append(both[p].astype(np.float64))
            names.append(f"{sources[p[0]]}:{sources[p[1]]}")
    x = np.column_stack(cols)[keep]
    return _Design(x, y[keep], keep, tuple(names), empty)


def _check(design: _Design) -> ModelCheck:
    a = design.x
    identifiable = bool(np.linalg.matrix_rank(a) == a.shape[1])
    # Fienberg & Rinaldo's program, max s with A'x = A'y, x >= s, s <= 1, written with x = w + s, w >= 0
    # (only equality constraints, one per parameter, so it stays small for many cells). Its optimum is
    # positive exactly when a strictly positive table has the observed sufficient statistics.
    cells = a.shape[0]
    c = np.zeros(cells + 1)
    c[-1] = -1.0
    a_eq = np.hstack([a.T, a.sum(axis=0)[:, None]])
    bounds = [(0.0, None)] * cells + [(None, 1.0)]
    res = optimize.linprog(c, A_eq=a_eq, b_eq=a.T @ design.y, bounds=bounds, method="highs")
    value = float(-res.fun) if res.status == 0 else -math.inf
    return ModelCheck(exists=value > 1e-8, identifiable=identifiable, lp_value=value)


def check_model(histories: CaptureHistories, interactions: Iterable[Sequence[int]] = ()) -> ModelCheck:
    """Test a model (main effects + two-list parameters, 0-based list pairs) for existence and identifiability.

    Pairs of lists with no unit in common get a parameter of minus infinity and leave the fit with
    their cells, as in SparseMSE; the tests apply to what is left.
    """
    t = histories.n_occasions
    _check_size(t)
    hist, y = histories.cell_counts()
    return _check(_design(hist, y, _pairs(interactions, t), histories.sources))


def _fit(
    histories: CaptureHistories,
    pairs: tuple[Pair, ...],
    method: str,
    ci_level: float,
    steps: tuple[MSEStep, ...] = (),
) -> tuple[MSEResult, FloatArray]:
    """Fit the model; returns the result and the fitted values of all ``2**t - 1`` cells."""
    hist, y = histories.cell_counts()
    names = histories.sources
    design = _design(hist, y, pairs, names)
    check = _check(design)
    if not check.identifiable:
        raise NotEstimableError(
            "the model's parameters are not identifiable from these lists (design not of full rank)"
        )
    if not check.exists:
        raise NotEstimableError("the maximum likelihood estimate of this model does not exist for these lists")
    params, cov, deviance, llf, converged = _poisson_glm(design.y, design.x[:, 1:])
    n = histories.n_observed
    b0, se0 = float(params[0]), math.sqrt(float(cov[0, 0]))
    f0 = math.exp(b0)
    zq = float(stats.norm.ppf(0.5 + ci_level / 2))
    p_total = design.x.shape[1] + len(design.empty)
    mu = np.zeros(len(y))
    mu[design.keep] = np.exp(design.x @ params)
    notes: list[str] = []
    if design.empty:
        listed = ", ".join(f"{names[i]}:{names[j]}" for i, j in design.empty)
        notes.append(f"no unit in common, parameter set to minus infinity: {listed}")
    if not converged:
        notes.append("the fitting algorithm did not converge: do not use this estimate")
    result = MSEResult(
        method=method,
        abundance=n + f0,
        stderr=f0 * se0,
        ci_low=n + math.exp(b0 - zq * se0),
        ci_high=n + math.exp(b0 + zq * se0),
        ci_level=ci_level,
        deviance=max(float(deviance), 0.0),
        df=int(design.x.shape[0] - design.x.shape[1]),
        aic=-2.0 * llf + 2.0 * p_total,
        bic=-2.0 * llf + math.log(n) * p_total,
        interactions=tuple((names[i], names[j]) for i, j in pairs),
        empty_overlaps=tuple((names[i], names[j]) for i, j in design.empty),
        steps=steps,
        n_observed=n,
        n_parameters=p_total,
        converged=converged,
        parameters=tuple(zip(design.names, (float(v) for v in params), strict=True)),
        method_notes=tuple(notes),
    )
    return result, mu


def _validate(histories: CaptureHistories, ci_level: float) -> None:
    if not 0 < ci_level < 1:
        raise EstimateInputError("ci_level must be between 0 and 1")
    if histories.n_occasions < 3:
        raise EstimateInputError("multiple systems estimation with two-list parameters needs at least three lists")
    _check_size(histories.n_occasions)


def fit_mse(
    histories: CaptureHistories, interactions: Iterable[Sequence[int]] = (), *, ci_level: float = 0.95
) -> MSEResult:
    """Fit main effects plus the given two-list parameters (0-based pairs of lists).

    Without ``interactions`` this is SparseMSE's ``method="main"`` (independent lists); with them,
    ``method="fixed"``.

    Raises:
        EstimateInputError: fewer than three lists, or a bad pair.
        NotEstimableError: a model whose estimate does not exist or is not identifiable (see :func:`check_model`).
    """
    _validate(histories, ci_level)
    pairs = _pairs(interactions, histories.n_occasions)
    return _fit(histories, pairs, "fixed" if pairs else "main", ci_level)[0]


def _p_value(observed: float, expected: float) -> float:
    """The smaller one-sided Poisson p-value of ``observed`` given the mean ``expected``."""
    if expected <= 0:
        return 1.0
    lower = float(stats.poisson.cdf(observed, expected))
    upper = float(stats.poisson.sf(observed - 1, expected))
    return min(lower, upper)


def stepwise_mse(histories: CaptureHistories, *, pthresh: float = DEFAULT_PTHRESH, ci_level: float = 0.95) -> MSEResult:
    """SparseMSE's stepwise model: two-list parameters added one at a time by Poisson p-value.

    Args:
        histories: capture histories of three or more lists.
        pthresh: a parameter is only added with a p-value below this (0 gives the main-effects model).
        ci_level: coverage of the interval.

    Raises:
        EstimateInputError: fewer than three lists.
        NotEstimableError: no estimate for the main-effects model.
    """
    _validate(histories, ci_level)
    if not 0 <= pthresh <= 1:
        raise EstimateInputError("pthresh must be between 0 and 1")
    t = histories.n_occasions
    hist, y = histories.cell_counts()
    names = histories.sources
    pairs: tuple[Pair, ...] = ()
    steps: list[MSEStep] = []
    passed_over: dict[Pair, str] = {}
    result, mu = _fit(histories, pairs, "stepwise", ci_level)
    while True:
        candidates: list[tuple[float, int, Pair, float, float]] = []
        for order, pair in enumerate(itertools.combinations(range(t), 2)):
            if pair in pairs:
                continue
            cells = (hist[:, pair[0]] * hist[:, pair[1]]).astype(bool)
            observed, expected = float(y[cells].sum()), float(mu[cells].sum())
            candidates.append((_p_value(observed, expected), order, pair, observed, expected))
        candidates.sort()
        chosen = None
        for p_value, _, pair, observed, expected in candidates:
            if p_value >= pthresh:
                break
            check = _check(_design(hist, y, (*pairs, pair), names))
            if check.ok:
                chosen = (pair, MSEStep((names[pair[0]], names[pair[1]]), int(observed), expected, p_value))
                break
            why = "its estimate would not exist" if not check.exists else "it would not be identifiable"
            passed_over.setdefault(pair, f"{names[pair[0]]}:{names[pair[1]]} (p = {p_value:.2g}) passed over: {why}")
        if chosen is None:
            if passed_over:
                result = replace(result, method_notes=(*result.method_notes, *passed_over.values()))
            return result
        pairs = (*pairs, chosen[0])
        steps.append(chosen[1])
        result, mu = _fit(histories, pairs, "stepwise", ci_level, tuple(steps))


def mse_all(
    histories: CaptureHistories, *, pthresh: float = DEFAULT_PTHRESH, ci_level: float = 0.95
) -> list[MSEResult]:
    """The main-effects and the stepwise multiple systems estimates (three or more lists)."""
    return [fit_mse(histories, ci_level=ci_level), stepwise_mse(histories, pthresh=pthresh, ci_level=ci_level)]
