"""Indicators of organised activity for the report: aggregated from the stored link results.

:func:`organized_ads` reads the linked site ads (``link_site_ads``: days, place, person and
network id) and the ad-level indicator codes of their observations (``normalized_observations``,
analyst-only data); :func:`organized_section` aggregates them for one area and period into
counts and shares. Nothing individual leaves this module: no network or person id, no name, no
text; only counts, and counts below the small-count threshold are shown as ``<5`` (a share whose
numerator is hidden is hidden too, since share times base gives it back; a part whose
complement, total minus part, is small is shown as ``..``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from lagesbild.refdata import municipalities
from lagesbild.report.context import Count, IndicatorShare, OrganizedSection
from lagesbild.report.fmt import fmt_int, fmt_pct
from lagesbild.report.strings import tr
from lagesbild.report.suppress import Cell, Mark, Relation, SuppressionPlan, area_relations, hidden_areas, protect
from lagesbild.store import Store
from lagesbild.store.organized import LinkedSiteAdRecord, OrganizedStore

__all__ = ["OrganizedAd", "OrganizedPlan", "organized_ads", "organized_section", "plan_organized"]


OrganizedAd = LinkedSiteAdRecord
"""One linked site ad as the organised-activity section needs it (ids stay inside the module's callers)."""


def organized_ads(store: Store) -> list[OrganizedAd]:
    """Every linked site ad with its network and ad-level indicator codes (empty when nothing was linked)."""
    return OrganizedStore(store).linked_site_ads()


_MEASURES = ("ads", "persons", "networks", "persons_in_networks", "ads_in_networks", "multi_municipality",
             "multi_county")  # fmt: skip
_OUTSIDE = {"ads_in_networks": ("ads", "ads_outside"), "persons_in_networks": ("persons", "persons_outside")}
"""A part, its whole and the unpublished rest (whole minus part), which a reader can work out."""


def _key(a: OrganizedAd) -> str:
    """The municipality key of an ad, as in the report's tables: its municipality, ``"05?"`` or ``"?"``."""
    if a.kommun_kod:
        return a.kommun_kod
    return f"{a.lan_kod}?" if a.lan_kod else "?"


def _lan(a: OrganizedAd) -> str:
    return a.lan_kod or (a.kommun_kod or "")[:2]


@dataclass(frozen=True)
class OrganizedPlan:
    """The organised-activity figures of every area in one period, with one suppression mark each.

    Attributes:
        counts: per area (municipality key, county, ``"SE"``) the figures (``ads``, ``persons``,
            ``networks``, ``persons_in_networks``, ``ads_in_networks``, ``multi_municipality``,
            ``multi_county``, ``ind.<code>``); areas without an active linked ad are absent.
        marks: the mark of every ``(figure, area)``.
    """

    counts: dict[str, dict[str, int]]
    marks: dict[Cell, Mark]


def _area_counts(
    here: Sequence[OrganizedAd], places: Mapping[str, set[str]], lans: Mapping[str, set[str]]
) -> dict[str, int]:
    ad_codes: dict[str, set[str]] = defaultdict(set)
    for a in here:
        ad_codes[a.ad_id].update(a.indicators)
    networks = {a.network_id for a in here if a.network_id is not None}
    persons = {a.person_id for a in here}
    persons_net = {a.person_id for a in here if a.network_id is not None}
    ads_net = {a.ad_id for a in here if a.network_id is not None}
    out = {
        "ads": len(ad_codes),
        "persons": len(persons),
        "networks": len(networks),
        "persons_in_networks": len(persons_net),
        "ads_in_networks": len(ads_net),
        "persons_outside": len(persons) - len(persons_net),
        "ads_outside": len(ad_codes) - len(ads_net),
        "multi_municipality": sum(len(places[n]) >= 2 for n in networks),
        "multi_county": sum(len(lans[n]) >= 2 for n in networks),
    }
    for codes in ad_codes.values():
        for code in codes:
            out[f"ind.{code}"] = out.get(f"ind.{code}", 0) + 1
    return out


def plan_organized(
    ads: Sequence[OrganizedAd],
    start: date,
    end: date,
    threshold: int,
    plans: Mapping[str, SuppressionPlan] | None = None,
) -> OrganizedPlan:
    """Count the organised-activity figures of every area and plan their suppression together.

    Each figure is a table over the country (municipality keys add up to their county, counties
    to Sweden), a part and its rest add up to the whole (ads in networks and outside them), and
    every figure of an area whose ad count is hidden in the period's plan (``plans["ads"]``,
    :func:`~lagesbild.report.suppress.plan_period`) is hidden too: the section must not publish
    what the county table hides. Networks that span areas make some figures less than additive;
    they are protected as if additive (the safe side).
    """
    s, e = start.isoformat(), end.isoformat()
    active = [a for a in ads if any(s <= d <= e for d in a.days)]
    places: dict[str, set[str]] = defaultdict(set)
    lans: dict[str, set[str]] = defaultdict(set)
    groups: dict[str, list[OrganizedAd]] = defaultdict(list)
    for a in active:
        lan = _lan(a)
        if a.network_id is not None:
            if a.kommun_kod:
                places[a.network_id].add(a.kommun_kod)
            if lan:
                lans[a.network_id].add(lan)
        groups[_key(a)].append(a)
        if lan:
            groups[lan].append(a)
        groups["SE"].append(a)
    counts = {area: _area_counts(here, places, lans) for area, here in groups.items()}
    kommun_lan = {code: m.county_code for code, m in municipalities().items()}
    kommun_lan.update({k: k[:2] for k in groups if k.endswith("?") and k != "?"})
    figures = sorted({f for c in counts.values() for f in c})
    values: dict[Cell, int] = {(f, area): n for area, c in counts.items() for f, n in c.items()}
    relations: list[Relation] = []
    for f in figures:
        relations += area_relations(f, kommun_lan, unplaced=True)
    for area in counts:
        for part, (whole, rest) in _OUTSIDE.items():
            relations.append(Relation((whole, area), ((part, area), (rest, area))))
    hidden = hidden_areas(plans, ("ads",)) if plans is not None else set()
    forced = [(f, area) for area in hidden if area in counts for f in figures]
    return OrganizedPlan(counts, protect(values, relations, threshold=threshold, forced=forced))


def _count(n: int, mark: Mark, threshold: int, lang: str) -> Count:
    if mark == "primary":
        return Count(None, f"<{threshold}", "primary")
    if mark == "secondary":
        return Count(None, "..", "secondary")
    return Count(n, fmt_int(n, lang), None)


def _share(part: Count, whole: Count, lang: str) -> str:
    if part.value is None or whole.value is None:
        return ".."
    return fmt_pct(part.value / whole.value, lang) if whole.value else "–"


def organized_section(
    ads: Sequence[OrganizedAd],
    area: str,
    start: date,
    end: date,
    threshold: int,
    lang: str,
    *,
    plans: Mapping[str, SuppressionPlan] | None = None,
    plan: OrganizedPlan | None = None,
) -> OrganizedSection | None:
    """The area's organised-activity figures for ``start..end`` (``None`` when no linked ad is active there).

    An ad counts in the period when it was seen on a day in it; it belongs to the area by its
    municipality (or its county, for ads placed in a county only). Indicator shares are per ad
    (``ad_id``: the same ad across its site ads), an ad carrying an indicator when any of its
    observations does. Small counts and their complements are hidden by :func:`plan_organized`,
    given the period's plan (``plans``, from ``ReportData.plans``) so that the section hides
    whatever the report's tables hide; pass a ready ``plan`` to plan a batch once.
    """
    p = plan if plan is not None else plan_organized(ads, start, end, threshold, plans)
    c = p.counts.get(area)
    if c is None:
        return None

    def count(f: str) -> Count:
        return _count(c.get(f, 0), p.marks.get((f, area)), threshold, lang)

    n_ads, persons = count("ads"), count("persons")
    persons_net, ads_net = count("persons_in_networks"), count("ads_in_networks")
    codes = sorted((f for f in c if f.startswith("ind.")), key=lambda f: (-c[f], f))
    indicators = []
    for f in codes:
        n = count(f)
        indicators.append(IndicatorShare(f[4:], tr(lang, f"ind_{f[4:]}"), n, _share(n, n_ads, lang)))
    return OrganizedSection(
        ads=n_ads,
        persons=persons,
        networks=count("networks"),
        persons_in_networks=persons_net,
        persons_share=_share(persons_net, persons, lang),
        ads_in_networks=ads_net,
        ads_share=_share(ads_net, n_ads, lang),
        multi_municipality=count("multi_municipality"),
        multi_county=count("multi_county"),
        indicators=tuple(indicators),
    )
