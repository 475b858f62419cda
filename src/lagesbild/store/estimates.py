"""Read what the estimates need from the store: the linked site ads (:class:`LinkedAd` rows).

Example::

    from lagesbild.store.estimates import linked_ads
    rows = linked_ads(store)      # [] when nothing was linked yet
"""

from __future__ import annotations

from sqlalchemy import text

from lagesbild.estimate.activity import LinkedAd
from lagesbild.store import Store
from lagesbild.store.links import LinkStore

__all__ = ["has_links", "linked_ads"]


def has_links(store: Store) -> bool:
    """Whether linking has run on this store."""
    return LinkStore(store).last_linked_import() is not None


def linked_ads(store: Store) -> list[LinkedAd]:
    """Every linked site ad with its days, place, ids and whether its person is a suspected fake.

    Returns:
        One :class:`LinkedAd` per stored site ad (empty when linking has not run).
    """
    ls = LinkStore(store)
    if ls.last_linked_import() is None:
        return []
    ads, labels = ls.load_state()
    with store.engine.connect() as conn:
        fakes = {str(r[0]) for r in conn.execute(text("SELECT person_id FROM link_persons WHERE suspected_fake <> 0"))}
    out: list[LinkedAd] = []
    for a in ads:
        ad_id, person_id, adv_id, _ = labels[a.key]
        if ad_id is None or person_id is None or adv_id is None:
            continue  # not linked yet (cannot happen after a run; kept safe)
        out.append(
            LinkedAd(a.site, tuple(a.days), a.kommun_kod, a.lan_kod, ad_id, person_id, adv_id, person_id in fakes)
        )
    return out
