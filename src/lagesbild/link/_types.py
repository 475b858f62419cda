"""Typed, frozen inputs, settings and results of linking.

The unit linking works on is the *site ad*: one ``(site, site_ad_id)`` with what its
observations say (periods of visibility, profile fields, identifiers, a text signature).
Observations are folded into site ads once (:mod:`lagesbild.link.collect`); every later
step is a pure function over a :class:`SiteAds` table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["LinkResult", "LinkSettings", "SiteAd", "SiteAds"]

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
class LinkSettings:
    """The linking rules' parameters (defaults measured on the simulator, ``docs/benchmarks.md`` (linking)).

    Attributes:
        image_max_bits: two image hashes at most this many bits apart are the same photo.
        age_tolerance: stated ages at most this far apart are compatible for one person when
            only text ties them (0: a near-duplicate text with the same name a year older or
            younger was another woman more often than not on the national simulator).
        repost_gap_days: a new site ad on the same site by the same person at most this many
            days after another one ended, in the same place, is a re-published copy (one ad).
        shared_number_alone_share: a phone that stands alone in fewer than this share of its
            ads, and appears with several different profiles, is a shared or stolen number
            (used by nobody as their own contact) and links nothing.
        text_threshold: estimated Jaccard similarity of text templates above which two ads
            with the same profile in the same municipality are the same person; also the
            template evidence for networks.
        minhash_perm: number of MinHash permutations (signature length).
        lsh_bands: LSH bands (``minhash_perm`` must be divisible by it).
        template_networks: also join networks whose ads share a text template. Off by default:
            on the simulator, unrelated organizers' templates overlap as much as one organizer's
            (boilerplate), and the joins cost more precision than they gain recall.
        template_min_persons: with ``template_networks``, an advertiser joins another's network
            through a shared template only if both have at least this many persons.
        max_bucket: LSH buckets larger than this are boilerplate and produce no candidates.
    """

    image_max_bits: int = 4
    age_tolerance: int = 0
    repost_gap_days: int = 1
    shared_number_alone_share: float = 0.5
    text_threshold: float = 0.9
    minhash_perm: int = 32
    lsh_bands: int = 4
    template_networks: bool = False
    template_min_persons: int = 2
    max_bucket: int = 50

    def __post_init__(self) -> None:
        if self.minhash_perm % self.lsh_bands:
            raise ValueError("minhash_perm must be divisible by lsh_bands")


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

    def ids_of(self, i: int) -> tuple[str, str, str, str | None]:
        """The ad, person, advertiser and network id of site ad ``i``."""
        n = int(self.network[i])
        return (
            self.ad_ids[int(self.ad[i])],
            self.person_ids[int(self.person[i])],
            self.advertiser_ids[int(self.advertiser[i])],
            self.network_ids[n] if n >= 0 else None,
        )
