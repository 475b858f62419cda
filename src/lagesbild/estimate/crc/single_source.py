"""Single-source frequency counts: Chao's lower bound and Zelterman's estimator.

``f_k`` is the number of units seen exactly ``k`` times, ``n = sum f_k`` the units seen.

* Chao (1987): ``N >= n + a f1**2 / (2 f2)`` with ``a = (t - 1)/t`` for ``t`` occasions (``a = 1``
  when the number of sightings is unbounded). Variance (delta method, Chao 1987 with the factor
  ``a``): ``f2 (a**2 r**4 / 4 + a**2 r**3 + a r**2 / 2)``, ``r = f1 / f2``. The bias-corrected
  form (Chao 1989) ``n + a f1 (f1 - 1) / (2 (f2 + 1))`` is used when ``f2 = 0`` or on request.
* Zelterman (1988): the Poisson rate ``lambda = 2 f2 / f1`` from units seen once or twice,
  ``N = n / (1 - exp(-lambda))``; variance (Böhning 2008)
  ``n e / (1 - e)**2 + [n e lambda / (1 - e)**2]**2 (1/f1 + 1/f2)``, ``e = exp(-lambda)``.

Both intervals are Chao's log-normal interval ``(n + f0/C, n + f0 C)``.
"""

from __future__ import annotations

import math

from scipy import stats

from lagesbild.errors import NotEstimableError
from lagesbild.estimate.crc._types import SingleSourceResult
from lagesbild.records.capture import FrequencyCounts

__all__ = ["chao_lower_bound", "zelterman"]


def _interval(n: int, big_n: float, se: float, level: float) -> tuple[float, float]:
    f0 = big_n - n
    if not (f0 > 0 and math.isfinite(se) and se > 0):
        return big_n, big_n
    z = float(stats.norm.ppf(0.5 + level / 2))
    c = math.exp(z * math.sqrt(math.log1p(se**2 / f0**2)))
    return n + f0 / c, n + f0 * c


def chao_lower_bound(
    freq: FrequencyCounts, *, bias_corrected: bool = False, ci_level: float = 0.95
) -> SingleSourceResult:
    """Chao's lower bound of the population size from frequency counts.

    It is a lower bound under any heterogeneity of catchability: the true size may be larger.
    """
    n = freq.n_observed
    f1, f2 = freq.f(1), freq.f(2)
    t = freq.n_occasions
    a = (t - 1) / t if t is not None else 1.0
    notes: list[str] = []
    if f2 == 0 or bias_corrected:
        if f2 == 0 and not bias_corrected:
            notes.append("f2 = 0: the bias-corrected form is used")
        f0 = a * f1 * (f1 - 1) / (2 * (f2 + 1))
        r = f1 / (f2 + 1)
        var = (f2 + 1) * (a**2 * r**4 / 4 + a**2 * r**3 + a * r**2 / 2)
        method = "Chao lower bound (bias-corrected)"
    else:
        f0 = a * f1**2 / (2 * f2)
        r = f1 / f2
        var = f2 * (a**2 * r**4 / 4 + a**2 * r**3 + a * r**2 / 2)
        method = "Chao lower bound"
    big_n = n + f0
    se = math.sqrt(var)
    low, high = _interval(n, big_n, se, ci_level)
    return SingleSourceResult(method, big_n, se, low, high, ci_level, n, tuple(notes))


def zelterman(freq: FrequencyCounts, *, ci_level: float = 0.95) -> SingleSourceResult:
    """Zelterman's estimator from frequency counts (needs units seen once and twice)."""
    n = freq.n_observed
    f1, f2 = freq.f(1), freq.f(2)
    if f1 == 0 or f2 == 0:
        raise NotEstimableError("Zelterman's estimator needs units seen once (f1 > 0) and twice (f2 > 0)")
    lam = 2 * f2 / f1
    e = math.exp(-lam)
    big_n = n / (1 - e)
    var = n * e / (1 - e) ** 2 + (n * e * lam / (1 - e) ** 2) ** 2 * (1 / f1 + 1 / f2)
    se = math.sqrt(var)
    low, high = _interval(n, big_n, se, ci_level)
    notes = ("assumes Poisson sightings for units seen once or twice",)
    return SingleSourceResult("Zelterman", big_n, se, low, high, ci_level, n, notes)
