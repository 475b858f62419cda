"""Campaigns aimed at buyers: the register's spec and the evaluation of their effect on the ad market.

Pure functions of typed inputs; the register is stored by :mod:`lagesbild.store.campaigns` and
driven from ``lagesbild campaigns``. The method is described in ``docs/methods/campaigns.md``.

Example::

    from lagesbild.campaigns import Campaign, evaluate_campaign
    eff = evaluate_campaign(area_daily, campaign, control_counts=other_daily)
    print(f"{eff.percent_change:+.0f}% ({eff.low:.2f}-{eff.high:.2f})")
"""

from __future__ import annotations

from lagesbild.campaigns.effect import CampaignEffect, TermRR, fourier_terms, its_effect, poisson_fit
from lagesbild.campaigns.evaluate import WeeklySeries, evaluate_campaign, weekly_series
from lagesbild.campaigns.runner import evaluate_stored
from lagesbild.campaigns.series import ExternalSeries, evaluate_series, read_series_csv
from lagesbild.campaigns.spec import campaign_from_fields, read_campaign_csv
from lagesbild.campaigns.sts import StsEffect, sts_effect
from lagesbild.campaigns.verdict import verdict_difference, verdict_rate_ratio
from lagesbild.records.campaigns import Campaign

__all__ = [
    "Campaign",
    "CampaignEffect",
    "ExternalSeries",
    "StsEffect",
    "TermRR",
    "WeeklySeries",
    "campaign_from_fields",
    "evaluate_campaign",
    "evaluate_series",
    "evaluate_stored",
    "fourier_terms",
    "its_effect",
    "poisson_fit",
    "read_campaign_csv",
    "read_series_csv",
    "sts_effect",
    "verdict_difference",
    "verdict_rate_ratio",
    "weekly_series",
]
