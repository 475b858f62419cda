"""Evaluate a registered campaign on the ad-days in the store (the campaigns stage's one runner).

The store gives the register and the daily counts (:class:`~lagesbild.store.campaigns.CampaignStore`);
the evaluation is the pure :func:`~lagesbild.campaigns.evaluate.evaluate_campaign`.

Example::

    eff = evaluate_stored(store, "Du avgör")
    print(f"{eff.percent_change:+.0f}% ({eff.low:.2f}-{eff.high:.2f})")
"""

from __future__ import annotations

from lagesbild.campaigns.effect import CampaignEffect
from lagesbild.campaigns.evaluate import evaluate_campaign, weekly_series
from lagesbild.campaigns.sts import StsEffect, sts_effect
from lagesbild.errors import InputError
from lagesbild.store import Store
from lagesbild.store.campaigns import CampaignStore

__all__ = ["evaluate_stored", "evaluate_stored_sts"]


def evaluate_stored(store: Store, name: str, *, control: bool = True, level: float = 0.95) -> CampaignEffect:
    """Evaluate a registered campaign on the stored ad-days.

    Args:
        store: the store with the register and the observations.
        name: the campaign.
        control: use the other counties in the store as a control region (when they have
            ad-days); otherwise a plain interrupted time series.
        level: interval coverage.

    Raises:
        InputError: if the campaign is unknown or the data do not cover it.
    """
    cs = CampaignStore(store)
    c = cs.get(name)
    area = cs.daily_ad_days(c.counties)
    ctrl = cs.daily_ad_days(None, exclude=c.counties) if control else {}
    return evaluate_campaign(area, c, ctrl or None, level=level)


def evaluate_stored_sts(store: Store, name: str, *, level: float = 0.95) -> StsEffect:
    """Evaluate a registered campaign with the structural time-series counterfactual.

    Weekly ad-days in the campaign's counties against the weekly ad-days of all other counties
    (one control series), weeks aligned on the campaign's start; weeks after the campaign are not used.

    Raises:
        InputError: if the campaign is unknown, no other county has ad-days, or the data do not
            cover at least 3 weeks before and one week of the campaign.
    """
    cs = CampaignStore(store)
    c = cs.get(name)
    area = cs.daily_ad_days(c.counties)
    ctrl = cs.daily_ad_days(None, exclude=c.counties)
    if not ctrl:
        raise InputError(f"no other county has ad-days to serve as control for campaign {name!r}")
    ws = weekly_series(area, c, ctrl)
    inside = [i for i, v in enumerate(ws.in_campaign) if v]
    if not inside or ws.control is None:
        raise InputError(f"the data do not cover a whole week of campaign {name!r} ({c.period})")
    return sts_effect(ws.counts, ws.control, inside[0], inside[-1] + 1, level=level)
