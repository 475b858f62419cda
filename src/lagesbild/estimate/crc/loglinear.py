"""Closed-population log-linear capture-recapture models (Cormack 1989; Rivest & Baillargeon 2007).

The observed capture histories of ``t`` occasions form an incomplete ``2**t`` contingency table:
the cell of units never captured is missing. A Poisson log-linear model is fitted to the
``2**t - 1`` observed cells; the intercept is the log of the expected number of units never
captured, so ``N = n + exp(intercept)`` (models M0, Mt, Mh, Mth and custom designs). Models Mb
and Mbh (behavioural response) are not log-linear in the missing cell; ``N`` is a smooth
function of their coefficients.

These are the models of Rcapture's ``closedp.t`` and ``closedpCI.t`` (Baillargeon & Rivest
2007), implemented from the published formulas:

* heterogeneity as a function ``h(k)`` of the number of captures ``k``: Poisson
  ``theta**k - 1``, Darroch ``k**2/2``, Gamma ``-log(theta + k) + log(theta)``; Chao's lower
  bound uses the columns ``max(k - j + 1, 0)``, ``j = 3..t``, whose coefficients must be
  non-negative (a negative one is set to zero, the first one first, and the model refitted);
* standard error ``sqrt(f0 + f0**2 Var(intercept))`` with ``f0 = exp(intercept)``, and for Mb/Mbh
  the delta method ``grad(N)' V grad(N) - N`` (Rivest & Lévesque 2001);
* the profile-likelihood interval of Cormack (1992): for a trial ``N`` the missing cell is set to
  ``N - n``, the model is refitted on the complete table, and the multinomial profile
  log-likelihood ``-(deviance - 2 c(N))/2`` with ``c(N) = log(n0**n0 N! / (N**N n0!))`` is compared
  with its maximum; the interval holds the ``N`` within ``chi2_1(level)/2`` of the maximum.

statsmodels is imported lazily (it is slow to import).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize, special, stats

from lagesbild.errors import EstimateInputError, NotEstimableError
from lagesbild.estimate.crc._types import CRCResult, FloatArray, IntArray
from lagesbild.records.capture import CaptureHistories

__all__ = [
    "MAX_OCCASIONS",
    "MAX_PROFILE_OCCASIONS",
    "STANDARD_MODELS",
    "Heterogeneity",
    "LoglinearSpec",
    "fit_model",
    "standard_model_names",
]

MAX_OCCASIONS = 12
"""Largest number of occasions fitted: the table has ``2**t - 1`` cells (4 095 for 12). Fitting every
standard model took 5 s at 12 occasions, 16 s at 14 and 45 s at 15 (one core, 800 units), and the
profile intervals several times that: more sources are refused with a clear message."""
MAX_PROFILE_OCCASIONS = 10
"""Above this many occasions the profile-likelihood interval (dozens of refits) is replaced by Chao's
log-normal interval, with a note: at 12 occasions it took 40 s for Mth Chao alone."""
_PROFILE_MAX_RATIO = 1000.0
"""No profile search for an abundance above this many times the units observed (a degenerate fit)."""

Heterogeneity = Literal["Chao", "Poisson", "Darroch", "Gamma"]
Base = Literal["M0", "Mt", "Mb", "Mbh"]


@dataclass(frozen=True)
class LoglinearSpec:
    """A closed-population log-linear model.

    Attributes:
        base: ``"M0"`` (one capture probability), ``"Mt"`` (one per occasion), ``"Mb"`` or ``"Mbh"``
            (behavioural response; no heterogeneity or extra terms allowed).
        heterogeneity: ``None`` or the form of the heterogeneity term (``M0`` + heterogeneity is
            model Mh, ``Mt`` + heterogeneity is Mth).
        theta: parameter of the Poisson (default 2) or Gamma (default 3.5) heterogeneity.
        interactions: pairs of source indices (0-based) whose two-way interaction is added
            (list dependence), e.g. ``((0, 1),)`` for Rcapture's ``mX = ~ . + c1:c2``.
        history_indicators: capture histories given their own parameter, which removes them from
            the fit (e.g. ``((1,) * 6,)`` for "Mt without 111111").
        name: display name; derived from the other fields when ``None``.
    """

    base: Base
    heterogeneity: Heterogeneity | None = None
    theta: float | None = None
    interactions: tuple[tuple[int, int], ...] = ()
    history_indicators: tuple[tuple[int, ...], ...] = ()
    name: str | None = None

    def __post_init__(self) -> None:
        if self.base not in ("M0", "Mt", "Mb", "Mbh"):
            raise EstimateInputError(f"unknown base model {self.base!r}")
        if self.base in ("Mb", "Mbh") and (self.heterogeneity or self.interactions or self.history_indicators):
            raise EstimateInputError("models Mb and Mbh take no heterogeneity, interaction or indicator terms")
        if self.heterogeneity not in (None, "Chao", "Poisson", "Darroch", "Gamma"):
            raise EstimateInputError(f"unknown heterogeneity {self.heterogeneity!r}")
        if self.theta is not None and (self.heterogeneity not in ("Poisson", "Gamma") or self.theta <= 0):
            raise EstimateInputError("theta must be positive and is only used with Poisson or Gamma heterogeneity")

    @property
    def theta_value(self) -> float:
        """``theta`` with its default (2 for Poisson, 3.5 for Gamma)."""
        if self.theta is not None:
            return self.theta
        return 2.0 if self.heterogeneity == "Poisson" else 3.5

    @property
    def label(self) -> str:
        """The display name (Rcapture's for the standard models)."""
        if self.name:
            return self.name
        if self.base in ("Mb", "Mbh"):
            return self.base
        label: str = self.base
        if self.heterogeneity is not None:
            label = "Mh" if self.base == "M0" else "Mth"
            het = {
                "Chao": "Chao (LB)",
                "Poisson": f"Poisson{_fmt(self.theta_value)}",
                "Darroch": "Darroch",
                "Gamma": f"Gamma{_fmt(self.theta_value)}",
            }[self.heterogeneity]
            label = f"{label} {het}"
        for i, j in self.interactions:
            label += f" + {i + 1}:{j + 1}"
        for h in self.history_indicators:
            label += f" without {''.join(map(str, h))}"
        return label


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


STANDARD_MODELS: dict[str, LoglinearSpec] = {
    s.label: s
    for s in (
        LoglinearSpec("M0"),
        LoglinearSpec("Mt"),
        LoglinearSpec("M0", "Chao"),
        LoglinearSpec("M0", "Poisson"),
        LoglinearSpec("M0", "Darroch"),
        LoglinearSpec("M0", "Gamma"),
        LoglinearSpec("Mt", "Chao"),
        LoglinearSpec("Mt", "Poisson"),
        LoglinearSpec("Mt", "Darroch"),
        LoglinearSpec("Mt", "Gamma"),
        LoglinearSpec("Mb"),
        LoglinearSpec("Mbh"),
    )
}
"""The twelve models of Rcapture's ``closedp.t``, by name."""


def standard_model_names(n_occasions: int) -> tuple[str, ...]:
    """The standard models that can be fitted with ``n_occasions`` occasions (Rcapture's choice)."""
    if n_occasions == 2:
        return ("M0", "Mt", "Mb")
    return tuple(STANDARD_MODELS)


# --------------------------------------------------------------------------- design matrices


def _design(spec: LoglinearSpec, hist: IntArray) -> tuple[FloatArray, list[str], int]:
    """Columns (no intercept), their names and the index of the first Chao ``eta`` column (-1 if none)."""
    t = hist.shape[1]
    k = hist.sum(axis=1).astype(np.float64)
    cols: list[FloatArray] = []
    names: list[str] = []
    if spec.base == "M0":
        cols.append(k)
        names.append("beta")
    elif spec.base == "Mt":
        cols.extend(hist[:, j].astype(np.float64) for j in range(t))
        names.extend(f"beta{j + 1}" for j in range(t))
    else:
        first = np.argmax(hist == 1, axis=1).astype(np.float64)  # occasions before the first capture
        if spec.base == "Mbh":
            cols.append((1 - hist[:, 0]).astype(np.float64))
            names.append("eta")
        cols += [first, k - 1.0]
        names += ["beta1", "beta2"]
    chao_start = -1
    if spec.heterogeneity == "Chao":
        chao_start = len(cols)
        for j in range(3, t + 1):
            cols.append(np.maximum(k - j + 1.0, 0.0))
            names.append(f"eta{j}")
    elif spec.heterogeneity is not None:
        theta = spec.theta_value
        if spec.heterogeneity == "Poisson":
            cols.append(theta**k - 1.0)
        elif spec.heterogeneity == "Darroch":
            cols.append(k**2 / 2.0)
        else:
            cols.append(np.log(theta) - np.log(theta + k))
        names.append("tau")
    for i, j in spec.interactions:
        if not (0 <= i < t and 0 <= j < t and i != j):
            raise EstimateInputError(f"interaction ({i}, {j}) does not name two different sources of {t}")
        cols.append((hist[:, i] * hist[:, j]).astype(np.float64))
        names.append(f"c{i + 1}:c{j + 1}")
    for h in spec.history_indicators:
        if len(h) != t or not any(h):
            raise EstimateInputError(f"history indicator {h} is not an observable history of {t} occasions")
        cols.append(np.all(hist == np.array(h), axis=1).astype(np.float64))
        names.append("hist" + "".join(map(str, h)))
    matrix = np.column_stack(cols) if cols else np.zeros((len(hist), 0))
    return matrix, names, chao_start


# --------------------------------------------------------------------------- Poisson GLM


@dataclass(frozen=True)
class _Fit:
    params: FloatArray
    cov: FloatArray
    deviance: float
    llf: float
    converged: bool
    names: tuple[str, ...]
    dropped: tuple[str, ...]


def _poisson_glm(
    y: FloatArray, x: FloatArray, start: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, float, float, bool]:
    import statsmodels.api as sm  # lazy: slow import

    xi = np.column_stack([np.ones(len(y)), x])
    if np.linalg.matrix_rank(xi) < xi.shape[1]:
        raise NotEstimableError("the design matrix is not of full rank: some model terms are not estimable")
    model = sm.GLM(y, xi, family=sm.families.Poisson())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(start_params=start, tol=1e-11, maxiter=200)
    params = np.asarray(res.params, dtype=np.float64)
    cov = np.asarray(res.cov_params(), dtype=np.float64)
    converged = bool(getattr(res, "converged", True))
    return params, cov, float(res.deviance), float(res.llf), converged


def _fit(y: FloatArray, x: FloatArray, names: list[str], chao_start: int, drop_negative: bool) -> _Fit:
    """Fit, then for Chao's lower bound set negative ``eta`` to zero one at a time (first first) and refit."""
    x = x.copy()
    names = list(names)
    dropped: list[str] = []
    while True:
        params, cov, dev, llf, conv = _poisson_glm(y, x)
        if chao_start < 0 or not drop_negative:
            break
        eta = params[1 + chao_start :]
        eta_names = names[chao_start:]
        negative = [i for i, v in enumerate(eta) if v < 0 and eta_names[i].startswith("eta")]
        if not negative:
            break
        pos = chao_start + negative[0]
        dropped.append(names.pop(pos))
        x = np.delete(x, pos, axis=1)
    return _Fit(params, cov, dev, llf, conv, ("(Intercept)", *names), tuple(dropped))


# --------------------------------------------------------------------------- abundance and SE


def _abundance(spec: LoglinearSpec, fit: _Fit, n: int, t: int, rcapture_mbh_se: bool) -> tuple[float, float]:
    b = fit.params
    v = fit.cov
    if spec.base == "Mb":
        a, b1, b2 = b[0], b[1], b[2]
        d = 1.0 + math.exp(b2) - math.exp(b1)
        big_n = math.exp(a) * (1.0 + math.exp(b2)) ** t / d
        grad = big_n * np.array([1.0, math.exp(b1) / d, t * special.expit(b2) - math.exp(b2) / d])
    elif spec.base == "Mbh":
        c1, c2, c3, c4 = b[0], b[1], b[2], b[3]
        d = 1.0 + math.exp(c4) - math.exp(c3)
        base = math.exp(c1) * (1.0 + math.exp(c4)) ** (t - 1)
        r = math.exp(c2 + c3) / d
        big_n = base * (1.0 + r)
        occ = (t - 1) * special.expit(c4)
        g4 = occ if rcapture_mbh_se else occ * (1.0 + r)
        g4 -= r * math.exp(c4) / d
        grad = base * np.array([1.0 + r, r, r + r * math.exp(c3) / d, g4])
    else:
        f0 = math.exp(b[0])
        return n + f0, math.sqrt(f0 + f0**2 * v[0, 0])
    var = float(grad @ v @ grad) - big_n
    return big_n, math.sqrt(var) if var > 0 else math.nan


# --------------------------------------------------------------------------- intervals


def _chao_lognormal(n: int, big_n: float, se: float, level: float) -> tuple[float, float]:
    """Chao's (1987) log-normal interval: ``n + f0/C, n + f0 C``, ``C = exp(z sqrt(log(1 + se²/f0²)))``."""
    f0 = big_n - n
    if not (f0 > 0 and math.isfinite(se)):
        return big_n, big_n
    z = float(stats.norm.ppf(0.5 + level / 2))
    c = math.exp(z * math.sqrt(math.log1p(se**2 / f0**2)))
    return n + f0 / c, n + f0 * c


def _xlogx(x: float) -> float:
    return x * math.log(x) if x > 0 else 0.0


def _profile_ci(
    y: FloatArray,
    x: FloatArray,
    names: list[str],
    chao_start: int,
    drop_negative: bool,
    n: int,
    big_n: float,
    level: float,
    fmax: float,
) -> tuple[float, float, float]:
    """Cormack's (1992) profile-likelihood interval; returns ``(mode, low, high)``."""
    ya = np.append(y, 0.0)
    xa = np.vstack([x, np.zeros((1, x.shape[1]))])

    def loglik(big: float) -> float:
        n0 = big - n
        ya[-1] = n0
        dev = _fit(ya, xa, names, chao_start, drop_negative).deviance
        ct = _xlogx(n0) + math.lgamma(big + 1.0) - _xlogx(big) - math.lgamma(n0 + 1.0)
        return -(dev - 2.0 * ct) / 2.0

    def safe(v: float) -> float:
        try:
            return loglik(v)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            return -math.inf

    # The fit can fail far from the estimate (overflow): shrink the search range until it works.
    hi_edge = fmax * big_n
    while not math.isfinite(safe(hi_edge)):
        hi_edge = big_n + (hi_edge - big_n) * 0.8
        if hi_edge - big_n < 1e-3 * big_n:
            raise NotEstimableError("the profile likelihood cannot be evaluated above the estimate")
    # Near N = n (almost no unseen units) the fit can fail as well: start a little higher.
    for power in range(6, 0, -1):
        lo_edge = n + 10.0**-power * max(1.0, big_n - n)
        if math.isfinite(safe(lo_edge)):
            break
    else:
        raise NotEstimableError("the profile likelihood cannot be evaluated below the estimate")

    def objective(v: float) -> float:
        value = safe(v)
        return -value if math.isfinite(value) else 1e300

    res = optimize.minimize_scalar(
        objective, bounds=(lo_edge, hi_edge), method="bounded", options={"xatol": 1e-6 * big_n}
    )
    mode = float(res.x)
    target = loglik(mode) - float(stats.chi2.ppf(level, 1)) / 2.0

    def g(v: float) -> float:
        return loglik(v) - target

    low = float(n) if safe(lo_edge) - target > 0 else float(optimize.brentq(g, lo_edge, mode, xtol=1e-8 * big_n))
    # A finite upper limit may lie beyond fmax x N: widen the search (doubling the distance from N)
    # while the likelihood can be evaluated, so that only a limit that is really not there is infinite.
    high = math.inf
    edge = hi_edge
    for _ in range(_PROFILE_WIDENINGS + 1):
        if safe(edge) - target <= 0:
            high = float(optimize.brentq(g, mode, edge, xtol=1e-8 * big_n))
            break
        wider = big_n + 2.0 * (edge - big_n)
        if not math.isfinite(safe(wider)):
            break
        edge = wider
    return mode, low, high


_PROFILE_WIDENINGS = 12
"""How often the upper profile search range is doubled beyond ``fmax_sup x N`` (to about 4096 x)."""


# --------------------------------------------------------------------------- public API


def _check_size(t: int) -> None:
    if t > MAX_OCCASIONS:
        raise EstimateInputError(
            f"{t} occasions give {2**t - 1} possible histories, more than a log-linear model can handle "
            f"(at most {MAX_OCCASIONS} occasions): aggregate occasions into periods first"
        )


def fit_model(
    histories: CaptureHistories,
    model: str | LoglinearSpec,
    *,
    ci_level: float = 0.95,
    profile_ci: bool = True,
    rcapture_mbh_se: bool = False,
    chao_drop_negative: bool = True,
    fmax_sup: float = 3.0,
) -> CRCResult:
    """Fit one closed-population log-linear model to capture histories.

    Args:
        histories: the capture histories.
        model: a standard model name (see :data:`STANDARD_MODELS`, e.g. ``"Mth Poisson2"``) or a
            :class:`LoglinearSpec` for a custom design (interactions, removed histories).
        ci_level: coverage of the interval.
        profile_ci: compute Cormack's profile-likelihood interval (M0, Mt, Mh, Mth and custom
            designs). When ``False``, and always for Mb and Mbh, Chao's log-normal interval is given.
        rcapture_mbh_se: reproduce Rcapture 1.4-4's standard error for Mbh, whose delta-method
            gradient omits the factor ``(1 + R)`` of the derivative in the recapture parameter.
            Off by default: the exact delta method is reported.
        chao_drop_negative: for Chao's lower bound, set negative ``eta`` to zero (Rcapture's
            ``neg=TRUE``).
        fmax_sup: the upper profile limit is searched up to ``fmax_sup * N``.

    Returns:
        The fitted model. Assumptions of each standard model are in
        :data:`lagesbild.estimate.crc.models.MODELS`.

    Raises:
        EstimateInputError: an unknown model, a bad ``ci_level``, or too many occasions.
        NotEstimableError: a design that cannot be estimated from these histories.
    """
    if isinstance(model, str) and model not in STANDARD_MODELS:
        raise EstimateInputError(f"unknown model {model!r}; known: {', '.join(STANDARD_MODELS)}")
    spec = STANDARD_MODELS[model] if isinstance(model, str) else model
    if not 0 < ci_level < 1:
        raise EstimateInputError("ci_level must be between 0 and 1")
    t = histories.n_occasions
    _check_size(t)
    hist, y = histories.cell_counts()
    n = histories.n_observed
    if not y[hist.sum(axis=1) >= 2].any():
        # Without a recapture every model's likelihood grows without bound in N.
        raise NotEstimableError("no unit was captured more than once: capture-recapture cannot estimate the total")
    x, names, chao_start = _design(spec, hist)
    if x.shape[1] + 1 > len(y):
        raise NotEstimableError(f"model {spec.label} has more parameters ({x.shape[1] + 1}) than histories ({len(y)})")
    fit = _fit(y, x, names, chao_start, chao_drop_negative)
    try:
        big_n, se = _abundance(spec, fit, n, t, rcapture_mbh_se)
    except ArithmeticError as exc:  # Mb/Mbh on a degenerate fit: 1 + e^b2 - e^b1 = 0, or exp() overflows
        raise NotEstimableError(f"model {spec.label}: abundance not estimable from these histories ({exc})") from None
    p = len(fit.params)
    aic = -2.0 * fit.llf + 2.0 * p
    bic = -2.0 * fit.llf + math.log(n) * p
    notes: list[str] = []
    if fit.dropped:
        notes.append(f"negative Chao parameters set to zero: {', '.join(fit.dropped)}")
    if spec.base == "Mbh":
        notes.append(
            "stderr: Rcapture 1.4-4 compatible (omits a delta-method term)"
            if rcapture_mbh_se
            else "stderr: exact delta method (Rcapture 1.4-4 reports a larger value; see rcapture_mbh_se)"
        )
    if not fit.converged:
        notes.append("the fitting algorithm did not converge: do not use this model")
    mode: float | None = None
    if profile_ci and spec.base not in ("Mb", "Mbh") and t > MAX_PROFILE_OCCASIONS:
        notes.append(f"profile likelihood not computed above {MAX_PROFILE_OCCASIONS} occasions (too slow)")
        profile_ci = False
    if profile_ci and not (math.isfinite(big_n) and big_n <= _PROFILE_MAX_RATIO * n):
        # a degenerate fit (too few recaptures): the profile search would widen for seconds to no purpose
        notes.append(f"profile likelihood not searched: abundance over {_PROFILE_MAX_RATIO:g} x observed")
        profile_ci = False
    if profile_ci and spec.base not in ("Mb", "Mbh"):
        try:
            mode, low, high = _profile_ci(y, x, names, chao_start, chao_drop_negative, n, big_n, ci_level, fmax_sup)
            method = "profile likelihood"
            if math.isinf(high):
                notes.append(
                    "upper profile limit not found "
                    f"(searched up to about {fmax_sup * 2**_PROFILE_WIDENINGS:g} x abundance)"
                )
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            low, high = _chao_lognormal(n, big_n, se, ci_level)
            method = "Chao log-normal"
            notes.append(f"profile likelihood failed ({exc}); Chao log-normal interval instead")
    else:
        low, high = _chao_lognormal(n, big_n, se, ci_level)
        method = "Chao log-normal"
    return CRCResult(
        model=spec.label,
        abundance=big_n,
        stderr=se,
        deviance=max(fit.deviance, 0.0),
        df=len(y) - p,
        aic=aic,
        bic=bic,
        ci_low=low,
        ci_high=high,
        ci_method=method,
        ci_level=ci_level,
        profile_mode=mode,
        n_observed=n,
        n_parameters=p,
        converged=fit.converged,
        parameters=tuple(zip(fit.names, (float(v) for v in fit.params), strict=True)),
        method_notes=tuple(notes),
    )
