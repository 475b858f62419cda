"""Linked site ads with their ad-level indicator codes, for the report's organised-activity section.

The report (:mod:`lagesbild.report.organized`) aggregates these records into counts; this module
only reads them, so that SQL stays inside ``store/``. The records carry ids (ad, person, network)
because the aggregation needs them; they never leave the report module's callers.

Example::

    rows = OrganizedStore(store).linked_site_ads()
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import text

from lagesbild.store import Store
from lagesbild.store.links import LinkStore

__all__ = ["LinkedSiteAdRecord", "OrganizedStore"]


@dataclass(frozen=True, slots=True)
class LinkedSiteAdRecord:
    """One linked site ad: the days it was seen, its place, its ad, person and network, its indicator codes."""

    days: tuple[str, ...]
    kommun_kod: str | None
    lan_kod: str | None
    ad_id: str
    person_id: str
    network_id: str | None
    indicators: frozenset[str]


class OrganizedStore:
    """Reads the link results (``link_site_ads``) joined with the normalized indicator codes."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def linked_site_ads(self) -> list[LinkedSiteAdRecord]:
        """Every linked site ad with its network and ad-level indicator codes (empty when nothing was linked)."""
        if LinkStore(self.store).last_linked_import() is None:
            return []
        codes: dict[tuple[str, str], set[str]] = defaultdict(set)
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT o.site, o.site_ad_id, n.indicators FROM normalized_observations n "
                    "JOIN observations o ON o.id = n.observation_id WHERE n.indicators <> ''"
                )
            )
            for site, site_ad_id, ind in rows:
                codes[(site, site_ad_id)].update(str(ind).split())
            ads = conn.execute(
                text(
                    "SELECT site, site_ad_id, days, kommun_kod, lan_kod, ad_id, person_id, network_id "
                    "FROM link_site_ads WHERE ad_id IS NOT NULL AND person_id IS NOT NULL"
                )
            )
            return [
                LinkedSiteAdRecord(
                    tuple(str(days).split()) if days else (),
                    kommun,
                    lan,
                    str(ad_id),
                    str(person_id),
                    None if network_id is None else str(network_id),
                    frozenset(codes.get((site, sid), ())),
                )
                for site, sid, days, kommun, lan, ad_id, person_id, network_id in ads
            ]
