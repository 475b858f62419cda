"""Power before a campaign runs: the minimum detectable effect for chosen areas, duration and series.

Method (analytic from the fitted noise model): a *placebo* campaign of the planned length is
placed on the last weeks of the history and evaluated with exactly the model the real campaign
will get (same family, controls, Newey-West lags). Its interval gives the standard error ``se``
of the effect on the log scale (glm) or the relative scale (sts); the minimum detectable
effect at two-sided level ``alpha`` and power ``power`` is ``(z(1-alpha/2) + z(power)) * se``,
reported as a percent decrease. Assumption: the campaign period will be as noisy as the most
recent weeks, and the placebo window's own realised effect does not enter (only its spread).

Example::

    mde = power_from_interval(0.80, 1.10, level=0.95)
    print(f"detectable: {mde.decrease_pct:.0f}% fewer")
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from lagesbild.campaigns.effect import CampaignEffect, z_quantile
from lagesbild.campaigns.evaluate import GlmSettings, evaluate_campaign
from lagesbild.campaigns.series import ExternalSeries, Method, evaluate_series
from lagesbild.campaigns.sts import StsEffect
from lagesbild.errors import InputError
from lagesbild.records.campaigns import Campaign

__all__ = ["MinimumDetectableEffect", "power_for_daily", "power_for_series", "power_from_interval"]


@dataclass(frozen=True, slots=True)
class MinimumDetectableEffect:
    """The smallest decrease the evaluation would detect with probability ``power`` at level ``alpha``.

    ``decrease_pct`` 15.0 reads "a campaign must cut the series by 15% to be detected 80% of the time".
    """

    decrease_pct: float
    se: float
    alpha: float
    power: float
    points: int
    method: str


def power_from_interval(
    low: float, high: float, *, level: float, alpha: float = 0.05, power: float = 0.8, log_scale: bool = True
) -> MinimumDetectableEffect:
    """The minimum detectable decrease from an effect interval (rate ratio, or relative change if not ``log_scale``).

    Raises:
        InputError: if ``alpha`` or ``power`` is not in (0, 1) or the interval is not positive.
    """
    if not (0 < alpha < 1 and 0 < power < 1):
        raise InputError(f"alpha and power must lie in (0, 1), not {alpha} and {power}")
    z = z_quantile(level)
    if log_scale:
        if not (0 < low <= high):
            raise InputError(f"a rate-ratio interval must be positive, not {low}-{high}")
        se = (math.log(high) - math.log(low)) / (2 * z)
    else:
        se = (high - low) / (2 * z)
    k = z_quantile(1 - alpha) + z_quantile(2 * power - 1)  # z(1-alpha/2) + z(power)
    dec = 100 * (1 - math.exp(-k * se)) if log_scale else 100 * k * se
    return MinimumDetectableEffect(min(dec, 100.0), se, alpha, power, 0, "")


def _mde(e: CampaignEffect | StsEffect, *, alpha: float, power: float, points: int) -> MinimumDetectableEffect:
    if isinstance(e, StsEffect):
        lo, hi = e.relative_low, e.relative_high
        m = power_from_interval(lo, hi, level=e.level, alpha=alpha, power=power, log_scale=False)
    else:
        m = power_from_interval(e.low, e.high, level=e.level, alpha=alpha, power=power)
    return MinimumDetectableEffect(m.decrease_pct, m.se, alpha, power, points, e.method)


def power_for_daily(
    daily_in_area: Mapping[date, float],
    weeks: int,
    control: Mapping[date, float] | None = None,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    hac_lags: int | None = None,
    settings: GlmSettings | None = None,
) -> MinimumDetectableEffect:
    """Minimum detectable effect of a ``weeks``-long campaign on weekly counts (e.g. stored ad-days).

    The placebo campaign covers the last ``weeks`` whole weeks of the data; it is evaluated with
    ``settings`` (default: the calibrated :data:`~lagesbild.campaigns.evaluate.CALIBRATED`, the
    evaluation's own), ``hac_lags`` overriding its Newey-West lags.

    Raises:
        InputError: if there are no counts or too few weeks before the placebo window.
    """
    if weeks < 1:
        raise InputError(f"the campaign must last at least one week, not {weeks}")
    days = set(daily_in_area) | set(control or {})
    if not days:
        raise InputError("no daily counts to compute power on")
    last = max(days)
    start = last - timedelta(days=7 * weeks - 1)
    placebo = Campaign("power placebo", ("01",), start, last)  # counties only name it; the counts are given
    e = evaluate_campaign(daily_in_area, placebo, control or None, hac_lags=hac_lags, settings=settings)
    return _mde(e, alpha=alpha, power=power, points=weeks)


def power_for_series(
    s: ExternalSeries,
    points: int,
    *,
    method: Method = "glm",
    alpha: float = 0.05,
    power: float = 0.8,
    hac_lags: int = 0,
) -> MinimumDetectableEffect:
    """Minimum detectable effect of a campaign covering ``points`` periods of an external series.

    Raises:
        InputError: if ``points`` leaves too little history before the placebo window.
    """
    if not 1 <= points < len(s.dates) - 2:
        raise InputError(f"the campaign must cover 1 to {len(s.dates) - 3} points of the series, not {points}")
    e = evaluate_series(s, s.dates[-points], None, method=method, hac_lags=hac_lags)
    return _mde(e, alpha=alpha, power=power, points=points)
