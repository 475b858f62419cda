"""Interrupted time series: a campaign's effect as a rate ratio from a Poisson GLM.

The model is the segmented Poisson regression of Lopez Bernal, Cummins & Gasparrini (2017,
IJE 46:348)::

    log E[y_t] = offset_t + b0 + b1 * t + b2 * I_t [+ b3 * I_t * (t - n_pre)] [+ Fourier terms]

with ``t = 1..n``, ``I_t = 1`` inside the intervention window and ``n_pre`` the number of points
before it. ``exp(b2)`` is the rate ratio of the campaign (level change). Quasi-Poisson scales the
standard errors by the Pearson dispersion ``X2 / df`` (R's ``quasipoisson``); intervals are Wald
intervals on the log scale with the normal quantile (R's ``ci.lin``/``confint.default``).
These reproduce R's ``glm`` to 1e-6 (``tests/campaigns/test_its_anchor.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from lagesbild.errors import InputError

__all__ = [
    "CampaignEffect",
    "Family",
    "TermRR",
    "fitted_effect",
    "fourier_terms",
    "its_effect",
    "poisson_fit",
    "t_or_z_quantile",
    "term_rr",
    "z_quantile",
]

Family = Literal["poisson", "quasipoisson"]


@dataclass(frozen=True, slots=True)
class TermRR:
    """One model term as a rate ratio with its interval (``exp`` of coefficient and Wald limits)."""

    name: str
    rr: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class CampaignEffect:
    """A campaign's estimated effect.

    Attributes:
        rate_ratio: ``exp(b)`` of the intervention term: activity during the campaign relative to
            what the model expects without it (0.85 = 15% lower).
        low, high: its interval at ``level``.
        level: the interval's coverage, e.g. 0.95.
        family: ``poisson`` or ``quasipoisson``.
        dispersion: the scale used (1 for Poisson, Pearson X2/df for quasi-Poisson).
        n: points in the series; n_intervention: points inside the intervention window.
        method: a one-line description of the model.
        terms: every model term (except the intercept and Fourier terms) as a rate ratio.
    """

    rate_ratio: float
    low: float
    high: float
    level: float
    family: str
    dispersion: float
    n: int
    n_intervention: int
    method: str
    terms: tuple[TermRR, ...]

    @property
    def percent_change(self) -> float:
        """``100 * (rate_ratio - 1)``: e.g. -15.0."""
        return 100.0 * (self.rate_ratio - 1.0)

    def term(self, name: str) -> TermRR:
        """The term called ``name`` (``intervention``, ``trend``, ``slope_change``, ``control`` ...)."""
        for t in self.terms:
            if t.name == name:
                return t
        raise KeyError(name)


def fourier_terms(t: npt.ArrayLike, pairs: int, period: float) -> npt.NDArray[np.float64]:
    """Columns ``sin(2 pi k t / period), cos(2 pi k t / period)`` for ``k = 1..pairs`` (tsModel's ``harmonic``)."""
    tt = np.asarray(t, dtype=np.float64)
    cols: list[npt.NDArray[np.float64]] = []
    for k in range(1, pairs + 1):
        cols.append(np.sin(2 * np.pi * k * tt / period))
        cols.append(np.cos(2 * np.pi * k * tt / period))
    if not cols:
        return np.empty((tt.shape[0], 0))
    return np.column_stack(cols)


def poisson_fit(
    y: npt.ArrayLike,
    x: npt.ArrayLike,
    *,
    offset: npt.ArrayLike | None = None,
    family: Family = "quasipoisson",
    epsilon: float = 1e-8,
    max_iter: int = 50,
    hac_lags: int = 0,
    time_index: npt.ArrayLike | None = None,
    dispersion_floor: float = 0.0,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
    """Fit a log-link Poisson GLM by R's ``glm.fit`` IRLS; return ``(coefficients, standard errors, dispersion)``.

    The iteration is R's own (start ``mu = y + 0.1``, stop when the deviance changes by less than
    ``epsilon`` relative, dispersion from the last iteration's working weights and final working
    residuals), so that quasi-Poisson dispersions match R's to 1e-9; statsmodels' ``GLM`` agrees on
    coefficients but its Pearson dispersion differs from R's in the sixth digit.

    Args:
        y: counts; x: the design matrix (with its intercept column); offset: log exposure.
        family: ``quasipoisson`` scales the standard errors by the dispersion ``X2 / df``.
        hac_lags: if > 0, standard errors are the larger of the model-based ones and Newey-West
            (Bartlett kernel, this many lags) ones, which allow for autocorrelation over time.
        time_index: the period of each row (integers 0..T-1) for the Newey-West scores; rows of
            the same period are summed first (default: each row is its own period, in order).
        dispersion_floor: the quasi-Poisson dispersion is at least this (0: R's estimate as it is);
            a few weeks can give a dispersion below the series' true overdispersion by chance.

    Raises:
        InputError: if the design is rank-deficient, there are no residual degrees of freedom,
            or the fit does not converge.
    """
    yy = np.asarray(y, dtype=np.float64)
    xx = np.asarray(x, dtype=np.float64)
    n, p = xx.shape
    off = np.zeros(n) if offset is None else np.asarray(offset, dtype=np.float64)
    if n <= p:
        raise InputError(f"{n} points are too few for a model with {p} parameters")
    if np.linalg.matrix_rank(xx) < p:
        raise InputError("the model's design is rank-deficient (too few points before, during or after?)")

    def deviance(mu: npt.NDArray[np.float64]) -> float:
        ratio = np.where(yy > 0, yy / mu, 1.0)
        return float(2 * np.sum(np.where(yy > 0, yy * np.log(ratio), 0.0) - (yy - mu)))

    mu = yy + 0.1
    eta = np.log(mu)
    dev_old = deviance(mu)
    r = np.eye(p)
    w = mu
    for _ in range(max_iter):
        z = (eta - off) + (yy - mu) / mu
        w = mu  # Poisson, log link: working weight mu.eta^2 / variance = mu
        sw = np.sqrt(w)
        q, r = np.linalg.qr(xx * sw[:, None])
        beta = np.linalg.solve(r, q.T @ (z * sw))
        eta = xx @ beta + off
        mu = np.exp(eta)
        dev = deviance(mu)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < epsilon:
            break
        dev_old = dev
    else:
        raise InputError("the Poisson regression did not converge")
    # R: sum(working weights * working residuals^2) / df, the weights from the last iteration's start
    disp = float(np.sum(w * ((yy - mu) / mu) ** 2) / (n - p)) if family == "quasipoisson" else 1.0
    if family == "quasipoisson":
        disp = max(disp, dispersion_floor)
    r_inv = np.asarray(np.linalg.inv(r), dtype=np.float64)
    se = np.sqrt(np.sum(r_inv**2, axis=1) * disp).astype(np.float64)
    if hac_lags > 0:
        se = np.maximum(se, _newey_west_se(xx, yy - mu, r_inv, hac_lags, time_index))
    return np.asarray(beta, dtype=np.float64), se, disp


def _newey_west_se(
    x: npt.NDArray[np.float64],
    resid: npt.NDArray[np.float64],
    r_inv: npt.NDArray[np.float64],
    lags: int,
    time_index: npt.ArrayLike | None,
) -> npt.NDArray[np.float64]:
    """Newey-West standard errors of a Poisson GLM (scores ``x * (y - mu)``, Bartlett weights)."""
    n, p = x.shape
    tix = np.arange(n) if time_index is None else np.asarray(time_index, dtype=np.int64)
    scores = np.zeros((int(tix.max()) + 1, p))
    np.add.at(scores, tix, x * resid[:, None])
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        g = scores[lag:].T @ scores[:-lag]
        meat += (1 - lag / (lags + 1)) * (g + g.T)
    bread = r_inv @ r_inv.T
    cov = bread @ meat @ bread * n / (n - p)
    return np.asarray(np.sqrt(np.clip(np.diag(cov), 0, None)), dtype=np.float64)


def term_rr(name: str, b: float, se: float, z: float) -> TermRR:
    """A GLM coefficient ``b`` (log scale, standard error ``se``) as a rate ratio with its interval at ``z``."""
    return TermRR(name, math.exp(b), math.exp(b - z * se), math.exp(b + z * se))


def fitted_effect(
    terms: tuple[TermRR, ...],
    *,
    level: float,
    family: Family,
    dispersion: float,
    n: int,
    n_intervention: int,
    design: str,
    hac_lags: int,
    df: int | None,
) -> CampaignEffect:
    """The effect of a fitted Poisson GLM whose first term is the intervention (the ITS and DiD designs).

    ``design`` says the model in words; the method adds how its errors were made: Newey-West lags
    (``hac_lags`` > 0) and the t quantile's degrees of freedom (``df``, ``None`` for the normal one).
    """
    main = terms[0]
    method = (
        design
        + (f", Newey-West errors ({hac_lags} lags)" if hac_lags else "")
        + (f", t quantile ({df} df)" if df is not None else "")
    )
    return CampaignEffect(
        rate_ratio=main.rr,
        low=main.low,
        high=main.high,
        level=level,
        family=family,
        dispersion=dispersion,
        n=n,
        n_intervention=n_intervention,
        method=method,
        terms=terms,
    )


def its_effect(
    series: Sequence[float] | npt.ArrayLike,
    intervention_start: int,
    intervention_end: int | None = None,
    *,
    seasonality: int = 0,
    period: float = 12.0,
    family: Family = "quasipoisson",
    offset: Sequence[float] | npt.ArrayLike | None = None,
    slope_change: bool = False,
    level: float = 0.95,
    hac_lags: int = 0,
    t_quantile: bool = False,
    dispersion_floor: float = 0.0,
) -> CampaignEffect:
    """Interrupted time series: the rate ratio of an intervention from a (quasi-)Poisson GLM with trend.

    Args:
        series: counts, one per equally spaced period (week, month), oldest first.
        intervention_start: index (0-based) of the first period inside the intervention.
        intervention_end: index one past the last period inside it (``None``: to the end; a
            campaign that ends before the series does leaves post-campaign points as controls).
        seasonality: number of Fourier sine/cosine pairs (0: none).
        period: the seasonal period in points (12 for months, 52.18 for weeks).
        family: ``poisson`` or ``quasipoisson`` (overdispersion-scaled intervals, the default).
        offset: log exposure per point (e.g. ``log(population)``), or ``None``.
        slope_change: also fit a change of trend from the intervention start (R's
            ``smokban:I(time - n_pre)``); then ``rate_ratio`` is the level change at the start.
        level: interval coverage.
        hac_lags: 0 for R's model-based intervals; > 0 widens them to Newey-West intervals with
            this many lags when those are wider (autocorrelated series, e.g. weekly ad-days).
        t_quantile: use Student's t with the residual degrees of freedom (``n - p``) instead of
            the normal quantile (wider with few points).
        dispersion_floor: the smallest quasi-Poisson dispersion used (see :func:`poisson_fit`).

    Returns:
        A :class:`CampaignEffect`; ``terms`` holds ``intervention``, ``trend`` and, if asked,
        ``slope_change``.

    Raises:
        InputError: if the window is empty or outside the series, or the fit fails.

    Example::

        eff = its_effect(weekly_counts, 52, 57, seasonality=1, period=52.18)
        print(f"{eff.percent_change:+.0f}% ({eff.low:.2f}-{eff.high:.2f})")
    """
    y = np.asarray(series, dtype=np.float64)
    n = int(y.shape[0])
    end = n if intervention_end is None else intervention_end
    if not 0 < intervention_start < end <= n:
        raise InputError(
            f"the intervention window [{intervention_start}, {end}) must lie inside the series of {n} points "
            "with at least one point before it"
        )
    if np.any(y < 0) or not np.all(np.isfinite(y)):
        raise InputError("counts must be finite and non-negative")
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1, not {level}")
    t = np.arange(1, n + 1, dtype=np.float64)
    ind = np.zeros(n)
    ind[intervention_start:end] = 1.0
    cols = [np.ones(n), ind, t]
    names = ["intervention", "trend"]
    if slope_change:
        cols.append(ind * (t - intervention_start))
        names.append("slope_change")
    x = np.column_stack([*cols, fourier_terms(t, seasonality, period)])
    off = None if offset is None else np.asarray(offset, dtype=np.float64)
    params, se, disp = poisson_fit(
        y, x, offset=off, family=family, hac_lags=hac_lags, dispersion_floor=dispersion_floor
    )
    df = n - x.shape[1] if t_quantile else None
    z = t_or_z_quantile(level, df)
    terms = tuple(term_rr(nm, float(params[i + 1]), float(se[i + 1]), z) for i, nm in enumerate(names))
    design = (
        f"interrupted time series, {family} GLM with linear trend"
        + (", slope change" if slope_change else "")
        + (f", {seasonality} Fourier pair(s) of period {period:g}" if seasonality else "")
    )
    return fitted_effect(
        terms,
        level=level,
        family=family,
        dispersion=disp,
        n=n,
        n_intervention=end - intervention_start,
        design=design,
        hac_lags=hac_lags,
        df=df,
    )


def z_quantile(level: float) -> float:
    """The normal quantile of a two-sided interval at ``level`` (1.96 for 0.95)."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def t_or_z_quantile(level: float, df: int | None) -> float:
    """Student's t quantile with ``df`` degrees of freedom (``None``: the normal quantile) at ``level``."""
    if df is None:
        return z_quantile(level)
    from scipy.stats import t

    return float(t.ppf(0.5 + level / 2, max(df, 1)))
