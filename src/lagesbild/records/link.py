"""The records linking produces and the store keeps: site ads, a linking's labels and its summary rows.

The unit linking works on is the *site ad*: one ``(site, site_ad_id)`` with what its
observations say (periods of visibility, profile fields, identifiers, a text signature).
Observations are folded into site ads once (:mod:`lagesbild.link.collect`); every later
step is a pure function over a :class:`SiteAds` table, and returns a :class:`LinkResult`,
summarized into :class:`Summary` rows (:func:`lagesbild.link.summarize`).

These types live below both :mod:`lagesbild.link` and :mod:`lagesbild.store` (which reads and
writes them, :mod:`lagesbild.store.links`), so that neither imports the other's layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = [
    "AdRow",
    "AdvertiserRow",
    "IntArray",
    "LinkResult",
    "NetworkRow",
    "PersonRow",
    "SiteAd",
    "SiteAds",
    "Summary",
    "UInt32Array",
]

IntArray = npt.NDArray[np.int64]
UInt32Array = npt.NDArray[np.uint32]


@dataclass(slots=True)
class SiteAd:
    """One site ad: everything linking needs from its observations (mutable while collecting).

    Attributes:
        site, site_ad_id: the ad's key on its site.
        first_seen, last_seen: first and last day seen (``YYYY-MM-DD``).
        days: the distinct days it was seen (sorted ``YYYY-MM-DD``); periods of visibility are runs of days.
        n_obs: number of observations.
        name: folded name the ad uses (first seen), or None.
        age: stated age (first seen), or None.
        kommun_kod, lan_kod: where it was placed (first resolved), or None.
        language: the ad's language (first seen), or None.
        phones, emails, images: pseudonymized phones, e-mail addresses and messaging handles (``emails``),
            and image hashes (union over observations).
        signature: MinHash signature of the ad's text template (first observation), ``uint32``.
        template: the key of the text's shape (first observation; :func:`lagesbild.link.text.template_key`),
            0 when the text has none.
    """

    site: str
    site_ad_id: str
    first_seen: str
    last_seen: str
    days: list[str]
    n_obs: int
    name: str | None
    age: int | None
    kommun_kod: str | None
    lan_kod: str | None
    language: str | None
    phones: set[str]
    emails: set[str]
    images: set[str]
    signature: UInt32Array
    template: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.site, self.site_ad_id)


@dataclass(frozen=True)
class SiteAds:
    """The site ads to link, in a fixed order (sorted by first day, site, site ad id).

    The order makes every result independent of the order observations arrived in, so that
    incremental and full linking agree.
    """

    ads: tuple[SiteAd, ...]

    def __post_init__(self) -> None:
        keys = [a.key for a in self.ads]
        if len(set(keys)) != len(keys):
            raise ValueError("a site ad is listed twice")

    @classmethod
    def of(cls, ads: list[SiteAd]) -> SiteAds:
        """Build in the canonical order."""
        return cls(tuple(sorted(ads, key=lambda a: (a.first_seen, a.site, a.site_ad_id))))

    def __len__(self) -> int:
        return len(self.ads)

    def index(self) -> dict[tuple[str, str], int]:
        """Position of each site ad by its key."""
        return {a.key: i for i, a in enumerate(self.ads)}


@dataclass(frozen=True)
class LinkResult:
    """Cluster labels per site ad (in the order of the :class:`SiteAds` linked) and stable ids.

    Attributes:
        keys: ``(site, site_ad_id)`` per site ad.
        ad, person, advertiser, network: integer labels per site ad (``network`` is -1 for
            ads of advertisers outside any network).
        ad_ids, person_ids, advertiser_ids, network_ids: the stable string id of each label
            (``ad_…``, ``pe_…``, ``adv_…``, ``nw_…``), index by label.
        fake_person: per person label, True when every photo of the person also appears under
            other profiles (stolen photos: a suspected scam advert, not counted as a person).
        shared_numbers: phones judged shared or stolen (they link nothing).
    """

    keys: tuple[tuple[str, str], ...]
    ad: IntArray
    person: IntArray
    advertiser: IntArray
    network: IntArray
    ad_ids: tuple[str, ...]
    person_ids: tuple[str, ...]
    advertiser_ids: tuple[str, ...]
    network_ids: tuple[str, ...]
    fake_person: npt.NDArray[np.bool_]
    shared_numbers: frozenset[str] = field(default_factory=frozenset)

    @property
    def n_persons(self) -> int:
        """Distinct persons advertised (suspected scams with stolen photos left out)."""
        return int((~self.fake_person).sum())

    def all_ids(self) -> list[tuple[str, str, str, str | None]]:
        """:meth:`ids_of` of every site ad, in order (vectorized)."""
        if not self.keys:
            return []
        net = np.array((*self.network_ids, None), dtype=object)[np.where(self.network >= 0, self.network, -1)]
        return list(
            zip(
                np.array(self.ad_ids, dtype=object)[self.ad].tolist(),
                np.array(self.person_ids, dtype=object)[self.person].tolist(),
                np.array(self.advertiser_ids, dtype=object)[self.advertiser].tolist(),
                net.tolist(),
                strict=True,
            )
        )

    def ids_of(self, i: int) -> tuple[str, str, str, str | None]:
        """The ad, person, advertiser and network id of site ad ``i``."""
        n = int(self.network[i])
        return (
            self.ad_ids[int(self.ad[i])],
            self.person_ids[int(self.person[i])],
            self.advertiser_ids[int(self.advertiser[i])],
            self.network_ids[n] if n >= 0 else None,
        )


@dataclass(frozen=True, slots=True)
class AdRow:
    """An ad: its site ads on one site, with periods of visibility (``from/to`` pairs, ``;``-separated)."""

    ad_id: str
    site: str
    person_id: str
    advertiser_id: str
    network_id: str | None
    kommun_kod: str | None
    lan_kod: str | None
    first_seen: str
    last_seen: str
    n_site_ads: int
    n_obs: int
    periods: str


@dataclass(frozen=True, slots=True)
class PersonRow:
    """A person (a persona: one name, age and set of contacts and photos)."""

    person_id: str
    advertiser_id: str
    network_id: str | None
    name: str | None
    age: int | None
    first_seen: str
    last_seen: str
    n_ads: int
    sites: str
    kommuns: str
    suspected_fake: int


@dataclass(frozen=True, slots=True)
class AdvertiserRow:
    """An advertiser (a contact: the phones and e-mail addresses ads are answered on)."""

    advertiser_id: str
    network_id: str | None
    n_persons: int
    n_ads: int
    first_seen: str
    last_seen: str
    phones: str
    emails: str


@dataclass(frozen=True, slots=True)
class NetworkRow:
    """A network: advertisers with several persons, with size, places, period, evidence and indicators."""

    network_id: str
    n_persons: int
    n_advertisers: int
    n_ads: int
    kommuns: str
    first_seen: str
    last_seen: str
    shared_phones: str
    shared_emails: str
    indicators: str


@dataclass(frozen=True)
class Summary:
    """All summary rows of one linking."""

    ads: list[AdRow]
    persons: list[PersonRow]
    advertisers: list[AdvertiserRow]
    networks: list[NetworkRow]
