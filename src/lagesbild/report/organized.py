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
from collections.abc import Sequence
from datetime import date

from lagesbild.report.context import Count, IndicatorShare, OrganizedSection
from lagesbild.report.fmt import fmt_int, fmt_pct
from lagesbild.report.strings import tr
from lagesbild.report.suppress import is_small
from lagesbild.store import Store
from lagesbild.store.organized import LinkedSiteAdRecord, OrganizedStore

__all__ = ["OrganizedAd", "organized_ads", "organized_section"]


OrganizedAd = LinkedSiteAdRecord
"""One linked site ad as the organised-activity section needs it (ids stay inside the module's callers)."""


def organized_ads(store: Store) -> list[OrganizedAd]:
    """Every linked site ad with its network and ad-level indicator codes (empty when nothing was linked)."""
    return OrganizedStore(store).linked_site_ads()


def _in_area(a: OrganizedAd, area: str) -> bool:
    if area == "SE":
        return True
    if len(area) == 2:
        return (a.lan_kod or (a.kommun_kod or "")[:2]) == area
    return a.kommun_kod == area


def _count(n: int, threshold: int, lang: str) -> Count:
    if is_small(n, threshold):
        return Count(None, f"<{threshold}", "primary")
    return Count(n, fmt_int(n, lang), None)


def _part(n: int, total: int, threshold: int, lang: str) -> Count:
    """A part of a published total: hidden when small, and as ``..`` when the rest (total minus it) is small."""
    c = _count(n, threshold, lang)
    if c.value is not None and is_small(total - n, threshold):
        return Count(None, "..", "secondary")
    return c


def _share(part: Count, whole: Count, lang: str) -> str:
    if part.value is None or whole.value is None:
        return ".."
    return fmt_pct(part.value / whole.value, lang) if whole.value else "–"


def organized_section(
    ads: Sequence[OrganizedAd], area: str, start: date, end: date, threshold: int, lang: str
) -> OrganizedSection | None:
    """The area's organised-activity figures for ``start..end`` (``None`` when no linked ad is active there).

    An ad counts in the period when it was seen on a day in it; it belongs to the area by its
    municipality (or its county, for ads placed in a county only). Indicator shares are per ad
    (``ad_id``: the same ad across its site ads), an ad carrying an indicator when any of its
    observations does.
    """
    s, e = start.isoformat(), end.isoformat()
    active = [a for a in ads if any(s <= d <= e for d in a.days)]
    here = [a for a in active if _in_area(a, area)]
    if not here:
        return None
    networks = {a.network_id for a in here if a.network_id is not None}
    places: dict[str, set[str]] = defaultdict(set)
    counties_of: dict[str, set[str]] = defaultdict(set)
    for a in active:
        if a.network_id in networks:
            if a.kommun_kod:
                places[a.network_id].add(a.kommun_kod)
            lan = a.lan_kod or (a.kommun_kod or "")[:2]
            if lan:
                counties_of[a.network_id].add(lan)
    ad_codes: dict[str, set[str]] = defaultdict(set)
    for a in here:
        ad_codes[a.ad_id].update(a.indicators)
    n_ads = _count(len(ad_codes), threshold, lang)
    # the persons (ads) not in a network are total minus part: the part is hidden when they are few
    n_persons = len({a.person_id for a in here})
    persons = _count(n_persons, threshold, lang)
    persons_net = _part(len({a.person_id for a in here if a.network_id is not None}), n_persons, threshold, lang)
    ads_net = _part(len({a.ad_id for a in here if a.network_id is not None}), len(ad_codes), threshold, lang)
    by_code: dict[str, int] = defaultdict(int)
    for codes in ad_codes.values():
        for code in codes:
            by_code[code] += 1
    indicators = []
    for code in sorted(by_code, key=lambda c: (-by_code[c], c)):
        n = _count(by_code[code], threshold, lang)
        indicators.append(IndicatorShare(code, tr(lang, f"ind_{code}"), n, _share(n, n_ads, lang)))
    return OrganizedSection(
        ads=n_ads,
        persons=persons,
        networks=_count(len(networks), threshold, lang),
        persons_in_networks=persons_net,
        persons_share=_share(persons_net, persons, lang),
        ads_in_networks=ads_net,
        ads_share=_share(ads_net, n_ads, lang),
        multi_municipality=_count(sum(len(places[n]) >= 2 for n in networks), threshold, lang),
        multi_county=_count(sum(len(counties_of[n]) >= 2 for n in networks), threshold, lang),
        indicators=tuple(indicators),
    )
