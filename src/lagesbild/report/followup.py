"""Follow-up: compare a report's key figures with the previous report's, and flag real changes only.

A change is *significant* when it is larger than chance gives at an unchanged underlying level
(two-sided, p < 0.05):

* **ads** (distinct ads): two Poisson counts, ``z = (x1 - x0) / sqrt(x1 + x0)``;
* **ad-days**: the same, with the variance inflated by the mean number of days per ad (ad-days
  come in clusters, one per ad, so they vary more than a Poisson count);
* **purchases**: modelled from ad-days with the same assumptions in both years, so the
  assumptions' uncertainty cancels and the change is judged by the ad-days' test; if the
  assumption set changed, by non-overlapping intervals;
* **buyers**: population times a survey share: significant only if the intervals do not overlap
  (they move with the population, which changes little).

A figure hidden by small-number protection in either year is compared as "unknown".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from lagesbild.report.context import Change, FollowUp, KeyFigure
from lagesbild.report.fmt import fmt_signed_pct
from lagesbild.report.strings import tr

__all__ = ["Z_CRITICAL", "compare", "count_change_z"]

Z_CRITICAL = 1.96
"""Two-sided 5% level."""


def count_change_z(previous: float, current: float, dispersion: float = 1.0) -> float:
    """The z statistic of a change between two counts under an unchanged (over-dispersed) Poisson level."""
    var = dispersion * (previous + current)
    return 0.0 if var <= 0 else (current - previous) / math.sqrt(var)


def _fig(figs: Sequence[Mapping[str, Any]], key: str) -> Mapping[str, Any] | None:
    return next((f for f in figs if f.get("key") == key), None)


def _dispersion(ads: float | None, ad_days: float | None) -> float:
    if not ads or not ad_days:
        return 1.0
    return max(1.0, ad_days / ads)


def compare(
    summary: Sequence[KeyFigure],
    previous: Mapping[str, Any],
    lang: str,
    previous_created_at: str = "",
    assumptions_name: str | None = None,
) -> FollowUp:
    """Compare ``summary`` with the ``previous`` report context (as stored: a JSON dict).

    Returns:
        A :class:`FollowUp` with one :class:`Change` per key figure present in both.
    """
    prev_figs: list[Mapping[str, Any]] = list(previous.get("summary", []))
    cur = {k.key: k for k in summary}
    prev_ads = (_fig(prev_figs, "ads") or {}).get("value")
    prev_days = (_fig(prev_figs, "ad_days") or {}).get("value")
    cur_ads, cur_days = cur["ads"].value if "ads" in cur else None, cur["ad_days"].value if "ad_days" in cur else None
    same_assumptions = (previous.get("purchases") or {}).get("assumptions_name") == assumptions_name
    days_sig: bool | None = None
    if prev_days is not None and cur_days is not None:
        phi = max(_dispersion(prev_ads, prev_days), _dispersion(cur_ads, cur_days))
        days_sig = abs(count_change_z(prev_days, cur_days, phi)) > Z_CRITICAL
    changes: list[Change] = []
    for k in summary:
        p = _fig(prev_figs, k.key)
        if p is None:
            continue
        pv, cv = p.get("value"), k.value
        method = "poisson"
        if pv is None or cv is None:
            changes.append(Change(k.key, k.label, pv, cv, None, False, "unknown", "–", "hidden"))
            continue
        if k.key == "ads":
            sig = abs(count_change_z(pv, cv)) > Z_CRITICAL
        elif k.key == "ad_days":
            sig = bool(days_sig)
            method = "overdispersed poisson"
        elif k.key == "purchases" and days_sig is not None and same_assumptions:
            sig = days_sig
            method = "via ad-days (same assumptions)"
        else:
            plo, phi_ = p.get("low"), p.get("high")
            sig = (
                plo is not None
                and phi_ is not None
                and k.low is not None
                and k.high is not None
                and (k.low > phi_ or k.high < plo)
            )
            method = "non-overlapping intervals"
        rel = (cv - pv) / pv if pv else None
        direction: Literal["up", "down", "same", "unknown"] = "up" if cv > pv else "down" if cv < pv else "same"
        display = fmt_signed_pct(rel, lang) if rel is not None else "–"
        changes.append(Change(k.key, k.label, pv, cv, rel, bool(sig), direction, display, method))
    return FollowUp(
        previous_period=str(previous.get("period_label", "")),
        previous_created_at=previous_created_at,
        changes=tuple(changes),
        note=tr(lang, "followup_note"),
    )
