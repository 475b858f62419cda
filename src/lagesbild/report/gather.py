"""Gather: what a report reads from the store besides the estimates (observed counts, series, campaigns).

The report is made in three steps: **gather** (this module: one period's observed activity per
municipality and day, read once per batch, with small-number suppression planned for the whole
country), **compute** (the estimate suite, :mod:`lagesbild.estimate.suite`, computed and stored
once; the report computes no estimate) and **present** (:mod:`lagesbild.report.build`: the suite
and the gathered counts formatted into a :class:`~lagesbild.report.context.ReportContext`).

Example::

    data = load_report_data(store, date(2024, 1, 1), date(2024, 12, 31))
    data.ad_days["0580"]
"""

from __future__ import annotations

import csv
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lagesbild.campaigns.measures import CampaignData, load_campaign_data
from lagesbild.errors import InputError
from lagesbild.estimate.suite import population_for
from lagesbild.refdata import PopulationTable, municipalities
from lagesbild.report.context import CampaignPeriod
from lagesbild.report.suppress import SuppressionPlan, plan_period
from lagesbild.store import Store
from lagesbild.store.reports import ActivityRow, DailyRow, ReportStore

__all__ = ["ReportData", "load_report_data", "read_campaigns"]

log = logging.getLogger(__name__)


def _unplaced_key(lan: str) -> str:
    return f"{lan}?"


@dataclass(frozen=True)
class ReportData:
    """Activity for one period, read once and shared by every report of a batch.

    Attributes:
        start, end: the period (both days included).
        ads, ad_days: per municipality key (code, or ``"05?"`` for ads placed in a county only).
        unplaced_ads, unplaced_ad_days: ads placed in no county.
        daily: ad-days per (day, municipality key).
        observations: sightings in the period; observed_range: first and last day in the store.
        population: the population year used; campaigns: campaign periods to mark.
        threshold: the small-count threshold; plans: suppression per table (``ads``, ``ad_days``, ``week``;
            :func:`~lagesbild.report.suppress.plan_period`).
        campaign_data: the store's daily measures per county for evaluating the campaigns
            (:func:`~lagesbild.campaigns.measures.load_campaign_data`; read only when there are campaigns).
    """

    start: date
    end: date
    ads: dict[str, int]
    ad_days: dict[str, int]
    unplaced_ads: int
    unplaced_ad_days: int
    daily: dict[tuple[str, str], int]
    observations: int
    observed_range: tuple[str, str] | None
    population: PopulationTable
    campaigns: tuple[CampaignPeriod, ...]
    threshold: int
    kommun_lan: dict[str, str]
    plans: dict[str, SuppressionPlan] = field(default_factory=dict)
    campaign_data: CampaignData | None = None

    @property
    def period_days(self) -> int:
        return (self.end - self.start).days + 1


def _key(row: ActivityRow | DailyRow) -> str | None:
    if row.kommun_kod:
        return row.kommun_kod
    if row.lan_kod:
        return _unplaced_key(row.lan_kod)
    return None


def load_report_data(
    store: Store,
    start: date,
    end: date,
    *,
    threshold: int = 5,
    campaigns: Sequence[CampaignPeriod] = (),
    population: PopulationTable | None = None,
) -> ReportData:
    """Read the period's activity from the store and plan suppression for the whole country.

    Args:
        store: the workspace's store.
        start, end: the period, both days included.
        threshold: the small-count threshold (setting ``small_count_threshold``).
        campaigns: campaign periods to mark on the time series.
        population: the population year (default: the period's year, else the nearest one available).

    Raises:
        InputError: if the period ends before it starts.
    """
    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})", field="--to")
    rs = ReportStore(store)
    rows = rs.activity(start.isoformat(), end.isoformat())
    daily_rows = rs.daily(start.isoformat(), end.isoformat())
    if population is None:
        population, _ = population_for(store, end.year)  # the estimate suite's rule: the period's year
    ads: dict[str, int] = defaultdict(int)
    ad_days: dict[str, int] = defaultdict(int)
    unplaced_ads = unplaced_ad_days = observations = 0
    for r in rows:
        observations += r.observations
        k = _key(r)
        if k is None:
            unplaced_ads += r.ads
            unplaced_ad_days += r.ad_days
        else:
            ads[k] += r.ads
            ad_days[k] += r.ad_days
    daily: dict[tuple[str, str], int] = defaultdict(int)
    for d in daily_rows:
        daily[(d.day, _key(d) or "?")] += d.ad_days
    kommun_lan = {code: m.county_code for code, m in municipalities().items()}
    for k in list(ads):
        if k.endswith("?"):
            kommun_lan[k] = k[:2]
    # one plan for every table of the period: counts, weekly series (and, in organized.py, the
    # organised-activity figures), so no report or export of it publishes a cell another hides
    plans = plan_period(
        ads=ads, ad_days=ad_days, daily=daily, kommun_lan=kommun_lan, start=start, end=end, threshold=threshold,
        unplaced_ads=unplaced_ads, unplaced_ad_days=unplaced_ad_days,
    )  # fmt: skip
    log.info("report data %s..%s: %d observations, %d municipalities", start, end, observations, len(ads))
    campaign_data = None
    if campaigns:
        try:  # every stored week, as `lagesbild campaigns evaluate` uses
            campaign_data = load_campaign_data(store)
        except InputError as exc:
            log.warning("campaigns not evaluated: %s", exc)
    return ReportData(
        start=start,
        end=end,
        ads=dict(ads),
        ad_days=dict(ad_days),
        unplaced_ads=unplaced_ads,
        unplaced_ad_days=unplaced_ad_days,
        daily=dict(daily),
        observations=observations,
        observed_range=rs.observed_range(),
        population=population,
        campaigns=tuple(campaigns),
        threshold=threshold,
        kommun_lan=kommun_lan,
        plans=plans,
        campaign_data=campaign_data,
    )


def read_campaigns(path: str | Path) -> list[CampaignPeriod]:
    """Campaign periods from a CSV with columns ``name, county, start, end`` (the campaign register's export).

    Rows of the same name and dates are merged (their counties listed together).

    Raises:
        InputError: for a missing column or a bad date (with the line number).
    """
    merged: dict[tuple[str, str, str], list[str]] = {}
    p = str(path)
    with open(p, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"name", "county", "start", "end"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(f"missing column(s) {', '.join(sorted(missing))}", path=p)
        for i, row in enumerate(reader, start=2):
            try:
                s, e = date.fromisoformat(row["start"]), date.fromisoformat(row["end"])
            except ValueError:
                raise InputError("start and end must be dates (YYYY-MM-DD)", path=p, line=i) from None
            merged.setdefault((row["name"], s.isoformat(), e.isoformat()), []).append(row["county"].strip())
    return [CampaignPeriod(n, s, e, tuple(sorted(c))) for (n, s, e), c in merged.items()]


