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
        template_networks: also tie advertisers into one network through a shared, distinctive
            text template in the same places (:func:`lagesbild.link.cluster.template_ties`): an
            organizer who gives each woman her own number still writes their ads from one text
            and moves them on one circuit. On (measured on the simulator: network pairwise
            recall 0.75-0.77 -> 0.89 nationally at precision 0.99; ``docs/benchmarks.md``).
        template_min_persons: a template tie needs one of its two advertisers to have at least
            this many persons (organization shown by a shared number or e-mail): two
            single-woman advertisers are never made a network by text alone.
        network_template_chance: a template tie needs the expected number of unrelated
            advertisers showing the same evidence by chance (advertisers using the shared
            template times the chance of being active in all the shared municipalities) to be
            at most this.
        network_min_templates: a template tie needs at least this many distinct template keys
            in common (one organizer's ads vary in a few ways; one coincidence is not enough).
        network_place_jaccard: a template tie needs the two advertisers' municipalities to have
            at least this Jaccard similarity (one circuit of cities, not one large city in common).
        max_bucket: LSH buckets larger than this are boilerplate and produce no candidates; so are
            template keys used by more advertisers than this.
    """

    image_max_bits: int = 4
    age_tolerance: int = 0
    repost_gap_days: int = 1
    shared_number_alone_share: float = 0.5
    text_threshold: float = 0.9
    minhash_perm: int = 32
    lsh_bands: int = 4
    template_networks: bool = True
    template_min_persons: int = 2
    network_template_chance: float = 0.05
    network_min_templates: int = 2
    network_place_jaccard: float = 0.8
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
