"""A campaign's effect on the ad market: weekly counts, with or without a control region.

Daily counts (ad-days or observations) are summed into weeks aligned on the campaign's first
day, so that the campaign covers whole weeks; partial weeks at the ends of the data are dropped.
Distinct counts (persons active in a week) are counted per week from daily sets
(:func:`weekly_distinct`).

* Without a control: an interrupted time series (:func:`~lagesbild.campaigns.effect.its_effect`)
  with a linear trend, Fourier seasonality when two years or more are available, and the weeks
  after the campaign as further reference weeks.
* With a control region (e.g. the other counties): a Poisson difference-in-differences with one
  parameter per week, which absorbs every trend and season the two regions share; the effect is
  the campaign-area x campaign-weeks interaction. Quasi-Poisson by default.

How the interval is computed (family, Newey-West lags, t or normal quantile, a dispersion floor,
the weeks used around the campaign) is a :class:`GlmSettings`; :data:`CALIBRATED` holds the
setting chosen by placebo calibration on training seeds (``bench/bench_campaigns.py``,
``docs/methods/campaigns.md``) and is the default with a control region, :data:`CALIBRATED_NO_CONTROL`
without one.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from lagesbild.campaigns.effect import (
    CampaignEffect,
    Family,
    TermRR,
    fitted_effect,
    its_effect,
    poisson_fit,
    t_or_z_quantile,
    term_rr,
)
from lagesbild.errors import InputError
from lagesbild.records.campaigns import Campaign

__all__ = [
    "CALIBRATED",
    "CALIBRATED_NO_CONTROL",
    "GlmSettings",
    "WeeklySeries",
    "evaluate_campaign",
    "evaluate_weekly",
    "weekly_distinct",
    "weekly_series",
]

WEEKS_PER_YEAR = 365.25 / 7
DEFAULT_HAC_LAGS = 4


@dataclass(frozen=True, slots=True)
class GlmSettings:
    """How a campaign's GLM interval is computed.

    Attributes:
        family: ``quasipoisson`` (dispersion-scaled) or ``poisson``.
        hac_lags: Newey-West lags (0: model-based errors only); the larger of the two is used.
        t_quantile: Student's t with the residual degrees of freedom instead of the normal quantile.
        dispersion_floor: the smallest quasi-Poisson dispersion used.
        window_weeks: weeks kept before and after the campaign (``None``: every week of the data).
        se_multiplier: widens the interval on the log scale by this factor (a small-sample
            correction for what Newey-West errors miss in short, strongly autocorrelated series:
            a county's level wanders with the few people active in it).
    """

    family: Family = "quasipoisson"
    hac_lags: int = DEFAULT_HAC_LAGS
    t_quantile: bool = False
    dispersion_floor: float = 0.0
    window_weeks: int | None = None
    se_multiplier: float = 1.0

    def describe(self) -> str:
        """One line, e.g. ``quasipoisson, Newey-West 4 lags, t quantile, 26 weeks either side``."""
        parts = [self.family, f"Newey-West {self.hac_lags} lags" if self.hac_lags else "model-based errors"]
        if self.t_quantile:
            parts.append("t quantile")
        if self.dispersion_floor > 0:
            parts.append(f"dispersion >= {self.dispersion_floor:g}")
        parts.append("all weeks" if self.window_weeks is None else f"{self.window_weeks} weeks either side")
        if self.se_multiplier != 1:
            parts.append(f"standard error x {self.se_multiplier:g}")
        return ", ".join(parts)


CALIBRATED = GlmSettings(hac_lags=0, window_weeks=26, se_multiplier=1.85)
"""The setting for ad-days with a control region (and any daily count given to :func:`evaluate_campaign`
with control counts). Round 5 (``bench/bench_campaigns.py round5``; training seeds 1-40, 5001-5050,
6001-6050, 7001-7050 and 8001-8100, 290 pairs with and without the campaign, 2,320 placebos): over the fits
(Newey-West lags 0/4/8 x all weeks/52/26 either side), normal or t quantile and multipliers 1 to 5 by 0.05,
among the settings with at most 6% placebo false positives and 87-93% coverage pooled and at most 7% / at
least 85% in each of the five seed blocks, the one nearest to 90% coverage and (only above it) 5% false
positives in binomial standard errors, then the narrowest: model-based errors, 26 weeks either side, x 1.85
(4.7% of 2,320 placebos, 90.0% of 290 pairs; blocks 2.8-5.8% and 85-96%). Round 4: Newey-West 4 lags, all
weeks, x 1.8; rounds 1-3: Newey-West 8 lags, 52 weeks either side, x 1.75-1.9. The other measures' settings
are in :data:`lagesbild.campaigns.measures.CALIBRATED_BY_SERIES`; ``docs/methods/campaigns.md``."""

CALIBRATED_NO_CONTROL = GlmSettings(hac_lags=8, window_weeks=52, se_multiplier=1.9)
"""The setting for ad-days without a control region (an interrupted time series of the campaign's
counties alone, ``--no-control`` or a campaign in every county): round 5's rule on the same training seeds,
the campaign county's series alone: Newey-West 8 lags, 52 weeks either side (with one Fourier pair), x 1.9
(5.0% of 2,320 placebos, 90.0% of 290 pairs; round 4: model-based errors, same window and multiplier, which
scores the same on these seeds). Before round 4 the series without control used :data:`CALIBRATED`, which
was not calibrated for them."""


@dataclass(frozen=True, slots=True)
class WeeklySeries:
    """Counts per week (``starts``: each week's first day) and which weeks the campaign covers."""

    starts: tuple[date, ...]
    counts: npt.NDArray[np.float64]
    control: npt.NDArray[np.float64] | None
    in_campaign: npt.NDArray[np.bool_]


def _as_date(d: date | str) -> date:
    return d if isinstance(d, date) else date.fromisoformat(str(d)[:10])


def _week_starts(first: date, last: date, campaign: Campaign) -> list[date]:
    """The first days of the whole 7-day weeks inside ``first..last`` aligned on ``campaign.start``."""
    offset = (first - campaign.start).days
    k = -((-offset) // 7)  # first week start on or after `first`
    starts: list[date] = []
    while campaign.start + timedelta(days=7 * k + 6) <= last:
        starts.append(campaign.start + timedelta(days=7 * k))
        k += 1
    return starts


def weekly_distinct(
    daily: Mapping[date, Collection[str]],
    campaign: Campaign,
    control: Mapping[date, Collection[str]] | None = None,
    *,
    observed: tuple[date, date] | None = None,
) -> WeeklySeries:
    """Distinct ids per 7-day week aligned on ``campaign.start`` (e.g. persons with an ad online that week).

    Args:
        daily: the ids seen each day in the campaign's area.
        control: the same for the control region, or ``None``.
        observed: the first and last day of the data (default: the days present in ``daily``
            and ``control``); weeks not wholly inside it are dropped.

    Raises:
        InputError: if there are no days.
    """
    days = set(daily) | set(control or {})
    if observed is None:
        if not days:
            raise InputError("no daily counts to evaluate the campaign on")
        observed = (min(days), max(days))
    starts = _week_starts(observed[0], observed[1], campaign)

    def count(src: Mapping[date, Collection[str]]) -> npt.NDArray[np.float64]:
        out = []
        for s in starts:
            ids: set[str] = set()
            for i in range(7):
                ids.update(src.get(s + timedelta(days=i), ()))
            out.append(float(len(ids)))
        return np.array(out, dtype=np.float64)

    inside = np.array([campaign.start <= s <= campaign.end for s in starts], dtype=bool)
    return WeeklySeries(tuple(starts), count(daily), None if control is None else count(control), inside)


def weekly_series(
    daily: Mapping[date, float] | Mapping[str, float],
    campaign: Campaign,
    control: Mapping[date, float] | Mapping[str, float] | None = None,
) -> WeeklySeries:
    """Sum daily counts into 7-day weeks aligned on ``campaign.start``.

    Days missing inside the observed range count as 0. The observed range is the union of the
    days present in ``daily`` and ``control``; weeks not wholly inside it are dropped.

    Raises:
        InputError: if there are no counts.
    """
    area = {_as_date(k): float(v) for k, v in daily.items()}
    ctrl = None if control is None else {_as_date(k): float(v) for k, v in control.items()}
    days = set(area) | set(ctrl or {})
    if not days:
        raise InputError("no daily counts to evaluate the campaign on")
    starts = _week_starts(min(days), max(days), campaign)
    counts = np.array([sum(area.get(s + timedelta(days=i), 0.0) for i in range(7)) for s in starts])
    cc = None
    if ctrl is not None:
        cc = np.array([sum(ctrl.get(s + timedelta(days=i), 0.0) for i in range(7)) for s in starts])
    inside = np.array([campaign.start <= s <= campaign.end for s in starts], dtype=bool)
    return WeeklySeries(tuple(starts), counts, cc, inside)


def evaluate_campaign(
    daily_counts_in_area: Mapping[date, float] | Mapping[str, float],
    campaign: Campaign,
    control_counts: Mapping[date, float] | Mapping[str, float] | None = None,
    *,
    family: Family | None = None,
    seasonality: int | None = None,
    level: float = 0.95,
    hac_lags: int | None = None,
    settings: GlmSettings | None = None,
) -> CampaignEffect:
    """Estimate a campaign's effect on weekly activity in its area.

    Args:
        daily_counts_in_area: ad-days (or observations) per day in the campaign's counties.
        campaign: the campaign.
        control_counts: the same measure per day in a control region not reached by the
            campaign (e.g. the other counties), or ``None`` for a plain interrupted time series.
        family: overrides ``settings.family`` (``quasipoisson`` or ``poisson``).
        seasonality: Fourier pairs of a yearly season for the series without control
            (``None``: one pair when at least two years of weeks are available, else none).
        level: interval coverage.
        hac_lags: overrides ``settings.hac_lags`` (0: the model-based quasi-Poisson intervals).
            Weekly activity is autocorrelated (a seller's spell spans weeks), and model-based
            intervals are then too narrow.
        settings: how the interval is computed (default :data:`CALIBRATED` with a control region,
            :data:`CALIBRATED_NO_CONTROL` without).

    Returns:
        A :class:`CampaignEffect`: ``rate_ratio`` 0.85 reads "15% fewer ad-days than expected".

    Raises:
        InputError: if the data do not cover weeks before and during the campaign.

    Example::

        eff = evaluate_campaign(area_days, Campaign("Du avgör", ("05",), date(2024, 4, 15), date(2024, 5, 19)),
                                control_counts=other_days)
    """
    st = settings or (CALIBRATED if control_counts is not None else CALIBRATED_NO_CONTROL)
    if family is not None:
        st = replace(st, family=family)
    if hac_lags is not None:
        st = replace(st, hac_lags=hac_lags)
    ws = weekly_series(daily_counts_in_area, campaign, control_counts)
    return evaluate_weekly(ws, campaign, settings=st, level=level, seasonality=seasonality)


def evaluate_weekly(
    ws: WeeklySeries,
    campaign: Campaign,
    *,
    settings: GlmSettings | None = None,
    level: float = 0.95,
    seasonality: int | None = None,
) -> CampaignEffect:
    """Estimate a campaign's effect on a weekly series (with its control, if any) with ``settings``.

    ``settings`` defaults to :data:`CALIBRATED` with a control series and :data:`CALIBRATED_NO_CONTROL`
    without one.

    Raises:
        InputError: if the weeks do not include one before and one inside the campaign.
    """
    st = settings or (CALIBRATED if ws.control is not None else CALIBRATED_NO_CONTROL)
    inside = np.flatnonzero(ws.in_campaign)
    if inside.size == 0:
        raise InputError(f"the data do not cover a whole week of campaign {campaign.name!r} ({campaign.period})")
    if inside[0] == 0:
        raise InputError(f"the data have no whole week before campaign {campaign.name!r} started ({campaign.start})")
    lo, hi = 0, len(ws.starts)
    if st.window_weeks is not None:
        lo, hi = max(0, int(inside[0]) - st.window_weeks), min(hi, int(inside[-1]) + 1 + st.window_weeks)
    counts = ws.counts[lo:hi]
    control = None if ws.control is None else ws.control[lo:hi]
    in_campaign = ws.in_campaign[lo:hi]
    inside = inside - lo
    n = hi - lo
    if control is None:
        s = seasonality if seasonality is not None else (1 if n >= 104 else 0)
        eff = its_effect(
            counts,
            int(inside[0]),
            int(inside[-1]) + 1,
            seasonality=s,
            period=WEEKS_PER_YEAR,
            family=st.family,
            level=level,
            hac_lags=st.hac_lags,
            t_quantile=st.t_quantile,
            dispersion_floor=st.dispersion_floor,
        )
    else:
        eff = _did(
            counts,
            control,
            in_campaign,
            family=st.family,
            level=level,
            hac_lags=st.hac_lags,
            t_quantile=st.t_quantile,
            dispersion_floor=st.dispersion_floor,
        )
    return _widen(eff, st.se_multiplier)


def _widen(e: CampaignEffect, k: float) -> CampaignEffect:
    """``e`` with every interval widened ``k``-fold on the log scale around its estimate."""
    if k == 1:
        return e

    def w(t: TermRR) -> TermRR:
        b = math.log(t.rr)
        return TermRR(t.name, t.rr, math.exp(b - k * (b - math.log(t.low))), math.exp(b + k * (math.log(t.high) - b)))

    terms = tuple(w(t) for t in e.terms)
    main = terms[0]
    return replace(e, low=main.low, high=main.high, terms=terms, method=f"{e.method}, standard error x {k:g}")


def _did(
    area: npt.NDArray[np.float64],
    control: npt.NDArray[np.float64],
    inside: npt.NDArray[np.bool_],
    *,
    family: Family,
    level: float,
    hac_lags: int,
    t_quantile: bool = False,
    dispersion_floor: float = 0.0,
) -> CampaignEffect:
    """Poisson difference-in-differences: week effects shared by both regions, a region effect, the interaction."""
    n = area.shape[0]
    if np.sum(control) <= 0 or np.sum(area) <= 0:
        raise InputError("the campaign area and the control region both need counts")
    y = np.concatenate([area, control])
    week = np.vstack([np.eye(n), np.eye(n)])  # one level per week (no separate intercept)
    region = np.concatenate([np.ones(n), np.zeros(n)])
    effect = np.concatenate([inside.astype(np.float64), np.zeros(n)])
    # weeks with no count in either region carry no information and would make the fit diverge
    keep_week = (area + control) > 0
    rows = np.concatenate([keep_week, keep_week])
    x = np.column_stack([week[:, keep_week], region, effect])[rows]
    tix = np.concatenate([np.arange(n), np.arange(n)])[rows]
    params, se, disp = poisson_fit(
        y[rows], x, family=family, hac_lags=hac_lags, time_index=tix, dispersion_floor=dispersion_floor
    )
    kept = int(keep_week.sum())
    df = kept - 2 if t_quantile else None
    z = t_or_z_quantile(level, df)
    main = term_rr("intervention", float(params[-1]), float(se[-1]), z)
    reg = term_rr("area_vs_control", float(params[-2]), float(se[-2]), z)
    return fitted_effect(
        (main, reg),
        level=level,
        family=family,
        dispersion=disp,
        n=kept,
        n_intervention=int((inside & keep_week).sum()),
        design=f"difference-in-differences against a control region, {family} GLM with week effects",
        hac_lags=hac_lags,
        df=df,
    )
