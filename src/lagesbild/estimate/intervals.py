"""Intervals for proportions and Monte Carlo draws.

Survey prevalences reach lagesbild in three forms: a share with the survey's sample size
(``7.5%, n = 2,000``), a share with the published interval (``11.0%, 95% CI 10.1-11.9``) or a
bare share (``0.8%``). :class:`Proportion` holds any of them; :func:`wilson_interval` gives the
interval when only the sample size is known, and :meth:`Proportion.effective_n` turns a
published interval back into the sample size of a simple random sample with the same precision
(smaller than the real sample when the survey was weighted: the design effect).

Example::

    >>> p = Proportion.from_sample(0.075, 2000)
    >>> round(p.low, 4), round(p.high, 4)
    (0.0643, 0.0874)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from lagesbild.errors import EstimateInputError

__all__ = [
    "DEFAULT_LEVEL",
    "Proportion",
    "clopper_pearson_interval",
    "quantile_interval",
    "wilson_interval",
    "z_value",
]


DEFAULT_LEVEL = 0.90
"""The one interval level every published estimate uses by default (report, CLI, demo, dashboard).

90 %: the level the purchases and persons intervals are calibrated at (docs/methods/calibration.md).
A caller may ask for another level; published figures never mix levels.
"""


def z_value(level: float) -> float:
    """The two-sided standard normal quantile for a confidence level (1.96 for 0.95).

    Raises:
        EstimateInputError: unless ``0 < level < 1``.
    """
    if not 0.0 < level < 1.0:
        raise EstimateInputError(f"confidence level must be between 0 and 1, not {level}")
    return float(stats.norm.ppf(0.5 + level / 2.0))


def wilson_interval(p_hat: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for a proportion ``p_hat`` observed in a sample of ``n``.

    Unlike the plain ``p ± z·se`` interval it stays inside 0..1 and behaves well for the small
    shares of sex-purchase surveys (0.8% of a few thousand men is a few dozen).

    Args:
        p_hat: the observed share, 0..1.
        n: the sample size (may be an effective, non-integer size).
        level: confidence level.

    Returns:
        ``(low, high)``.

    Raises:
        EstimateInputError: for a share outside 0..1 or a sample size that is not positive.
    """
    if not 0.0 <= p_hat <= 1.0:
        raise EstimateInputError(f"a proportion must be between 0 and 1, not {p_hat}")
    if not n > 0:
        raise EstimateInputError(f"the sample size must be positive, not {n}")
    z = z_value(level)
    z2 = z * z
    centre = (p_hat + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p_hat * (1 - p_hat) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def clopper_pearson_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The exact (conservative) Clopper-Pearson interval for ``k`` successes out of ``n``."""
    if n <= 0 or not 0 <= k <= n:
        raise EstimateInputError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
    alpha = 1.0 - level
    low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def quantile_interval(draws: npt.ArrayLike, level: float = 0.9) -> tuple[float, float]:
    """The equal-tailed interval of Monte Carlo draws (the 5% and 95% quantiles for 0.9)."""
    arr = np.asarray(draws, dtype=np.float64)
    lo, hi = np.quantile(arr, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


@dataclass(frozen=True)
class Proportion:
    """A survey share with its uncertainty.

    Attributes:
        estimate: the share, 0..1.
        low, high: the interval (equal to ``estimate`` when no uncertainty is known).
        level: confidence level of the interval.
        method: ``"wilson"`` (from a sample size), ``"published"`` (the survey's own interval)
            or ``"none"`` (no uncertainty given).
        n: the sample size, when known.
    """

    estimate: float
    low: float
    high: float
    level: float = 0.95
    method: str = "none"
    n: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.estimate <= 1.0:
            raise EstimateInputError(f"a proportion must be between 0 and 1, not {self.estimate}")
        if not 0.0 <= self.low <= self.estimate <= self.high <= 1.0:
            raise EstimateInputError(
                f"the interval {self.low}-{self.high} must lie in 0..1 and contain the estimate {self.estimate}"
            )

    @classmethod
    def exact(cls, p: float) -> Proportion:
        """A share taken as known (no interval)."""
        return cls(p, p, p, method="none")

    @classmethod
    def from_sample(cls, p: float, n: float, level: float = 0.95) -> Proportion:
        """A share observed in a simple random sample of ``n``, with Wilson's interval."""
        low, high = wilson_interval(p, n, level)
        return cls(p, min(low, p), max(high, p), level, "wilson", float(n))

    @classmethod
    def from_interval(cls, p: float, low: float, high: float, level: float = 0.95) -> Proportion:
        """A share with the interval the survey published (design effects included)."""
        return cls(p, low, high, level, "published")

    @property
    def has_interval(self) -> bool:
        """Whether any uncertainty is known."""
        return self.high > self.low

    def effective_n(self) -> float | None:
        """The simple-random-sample size with the same precision as this interval.

        For a published interval the standard error is ``(high - low) / (2 z)`` and
        ``n_eff = p (1 - p) / se²``. ``None`` without an interval.
        """
        if self.n is not None and self.method == "wilson":
            return self.n
        if not self.has_interval or self.estimate in (0.0, 1.0):
            return None
        se = (self.high - self.low) / (2.0 * z_value(self.level))
        return self.estimate * (1.0 - self.estimate) / (se * se)

    def beta_parameters(self) -> tuple[float, float] | None:
        """``(alpha, beta)`` of a beta distribution with this mean and precision, for Monte Carlo."""
        n = self.effective_n()
        if n is None:
            return None
        return self.estimate * n, (1.0 - self.estimate) * n

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "level": self.level,
            "method": self.method,
            "n": self.n,
        }
