"""Counts per municipality and period as ``lagesbild stats`` publishes them: with the reports' suppression.

``stats`` lists observations and distinct ads per municipality for each year, month or day. A
report of the same period publishes the same ad counts, so the export must hide exactly what the
report hides: each period's cells take their marks from that period's one plan
(:func:`~lagesbild.report.suppress.plan_period`, via :func:`~lagesbild.report.gather.load_report_data`).
A row whose ad count is hidden hides its observations too (they bound the ads), and a small number
of observations is hidden as well.

Example::

    rows = published_counts(store, store.observation_counts(lan="05"), period="month", threshold=5)
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from lagesbild.report.context import Count
from lagesbild.report.fmt import fmt_int
from lagesbild.report.gather import load_report_data
from lagesbild.report.suppress import SuppressionPlan, is_small
from lagesbild.store import CountRow, Store

__all__ = ["PublishedCount", "period_bounds", "published_counts"]


@dataclass(frozen=True, slots=True)
class PublishedCount:
    """One row of ``stats``: its period, place and the two counts, each possibly hidden."""

    period: str
    lan_kod: str | None
    kommun_kod: str | None
    observations: Count
    ads: Count


def period_bounds(period: str, label: str) -> tuple[date, date]:
    """The first and last day of a ``stats`` period label (``2024``, ``2024-03`` or ``2024-03-05``)."""
    if period == "year":
        y = int(label)
        return date(y, 1, 1), date(y, 12, 31)
    if period == "month":
        y, m = int(label[:4]), int(label[5:7])
        return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
    d = date.fromisoformat(label)
    return d, d


def _key(row: CountRow) -> str:
    if row.kommun_kod:
        return row.kommun_kod
    return f"{row.lan_kod}?" if row.lan_kod else "?"


def _hidden(mark: str, threshold: int) -> Count:
    return Count(None, f"<{threshold}" if mark == "primary" else "..", "primary" if mark == "primary" else "secondary")


def published_counts(store: Store, rows: Sequence[CountRow], *, period: str, threshold: int) -> list[PublishedCount]:
    """``rows`` (from :meth:`Store.observation_counts`) with the period's suppression applied.

    Args:
        store: the store the rows came from (each period's plan is made from it).
        rows: the counts.
        period: ``year``, ``month`` or ``day``, as the rows were counted.
        threshold: the small-count threshold (setting ``small_count_threshold``).
    """
    plans: dict[str, SuppressionPlan] = {}
    out = []
    for r in rows:
        plan = plans.get(r.period)
        if plan is None:
            start, end = period_bounds(period, r.period)
            plan = plans[r.period] = load_report_data(store, start, end, threshold=threshold).plans["ads"]
        mark = plan.mark(_key(r))
        if mark is not None:
            ads = _hidden(mark, threshold)
            obs = _hidden("primary" if is_small(r.observations, threshold) else "secondary", threshold)
        else:
            ads = Count(r.ads, fmt_int(r.ads, "sv"))
            obs = (
                _hidden("primary", threshold)
                if is_small(r.observations, threshold)
                else Count(r.observations, fmt_int(r.observations, "sv"))
            )
        out.append(PublishedCount(r.period, r.lan_kod, r.kommun_kod, obs, ads))
    return out
