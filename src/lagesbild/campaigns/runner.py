"""Evaluate a registered campaign on the store's data (the campaigns stage's one runner).

The store gives the register and the daily counts (:class:`~lagesbild.store.campaigns.CampaignStore`,
:func:`~lagesbild.campaigns.measures.load_campaign_data`); the evaluation is pure
(:func:`~lagesbild.campaigns.measures.evaluate_all_series`, one row per measure;
:func:`~lagesbild.campaigns.evaluate.evaluate_campaign` for ad-days alone).

Example::

    for r in evaluate_stored_all(store, "Du avgör"):
        print(r.label_sv, r.verdict_sv)
"""

from __future__ import annotations

from lagesbild.campaigns.effect import CampaignEffect
from lagesbild.campaigns.evaluate import evaluate_campaign, weekly_series
from lagesbild.campaigns.measures import CampaignData, SeriesEffect, evaluate_all_series, load_campaign_data
from lagesbild.campaigns.sts import StsEffect, sts_effect, sts_inflation
from lagesbild.errors import InputError
from lagesbild.store import Store
from lagesbild.store.campaigns import CampaignStore

__all__ = ["evaluate_stored", "evaluate_stored_all", "evaluate_stored_sts"]


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


def evaluate_stored_all(
    store: Store, name: str, *, control: bool = True, level: float = 0.95, data: CampaignData | None = None
) -> tuple[SeriesEffect, ...]:
    """Evaluate a registered campaign on every measure (ad-days, new ads, active persons, estimated purchases).

    Args:
        store: the store with the register, the observations and (for persons) the linking.
        name: the campaign.
        control: the other counties as control region.
        level: interval coverage.
        data: the store's daily measures when already loaded (:func:`load_campaign_data`), to
            evaluate several campaigns without reading the store again.

    Raises:
        InputError: if the campaign is unknown or the store has no placed observations.
    """
    c = CampaignStore(store).get(name)
    return evaluate_all_series(data or load_campaign_data(store), c, control=control, level=level)


def evaluate_stored_sts(store: Store, name: str, *, level: float = 0.95) -> StsEffect:
    """Evaluate a registered campaign with the structural time-series counterfactual.

    The interval's standard deviations are multiplied by the calibrated
    :func:`~lagesbild.campaigns.sts.sts_inflation` of the weeks before the campaign.
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
    return sts_effect(ws.counts, ws.control, inside[0], inside[-1] + 1, level=level, inflation=sts_inflation(inside[0]))
