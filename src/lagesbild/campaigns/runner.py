"""Evaluate a registered campaign on the ad-days in the store (the campaigns stage's one runner).

The store gives the register and the daily counts (:class:`~lagesbild.store.campaigns.CampaignStore`);
the evaluation is the pure :func:`~lagesbild.campaigns.evaluate.evaluate_campaign`.

Example::

    eff = evaluate_stored(store, "Du avgör")
    print(f"{eff.percent_change:+.0f}% ({eff.low:.2f}-{eff.high:.2f})")
"""

from __future__ import annotations

from lagesbild.campaigns.effect import CampaignEffect
from lagesbild.campaigns.evaluate import evaluate_campaign
from lagesbild.store import Store
from lagesbild.store.campaigns import CampaignStore

__all__ = ["evaluate_stored"]


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
