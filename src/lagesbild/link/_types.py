"""The settings of linking (:class:`LinkSettings`).

The records linking reads and produces (:class:`~lagesbild.records.link.SiteAd`,
:class:`~lagesbild.records.link.SiteAds`, :class:`~lagesbild.records.link.LinkResult`) live in
:mod:`lagesbild.records.link`, below the store.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LinkSettings"]


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
            and moves them on one circuit. On. Measured on the national simulator world (seed 7,
            training) with round 6's defaults: network pairwise F1 0.850 -> 0.939, precision
            0.993 -> 0.951, recall 0.743 -> 0.928 (docs/link.md, "Round 6: national precision";
            the earlier "precision 0.99 nationally" was measured on an older rule and simulator).
        template_min_persons: a template tie needs one of its two advertisers to have at least
            this many persons (organization shown by a shared number or e-mail), unless the
            stricter ``network_unorganized_chance`` holds.
        network_template_chance: a template tie needs the expected number of unrelated
            advertisers showing the same evidence by chance (advertisers using the shared
            template times the chance of being active in all the shared municipalities) to be
            at most this.
        network_min_templates: a template tie needs at least this many distinct template keys
            in common (one organizer's ads vary in a few ways; one coincidence is not enough).
        network_template_joint: the chance of a template tie multiplies the users of the
            rarest shared key by the share of advertisers using the second rarest, and a tie
            needs at most ``network_template_max_joint`` advertisers using every shared key
            (True); or counts only the rarest key's users (False, as before issue #18). Chosen
            on training seeds (docs/link.md, "Held-out evaluation").
        network_template_max_joint: see ``network_template_joint``.
        network_place_jaccard: a template tie needs the two advertisers' municipalities to have
            at least this Jaccard similarity (one circuit of cities, not one large city in common).
        network_place_containment: ... or, for a woman who works part of the circuit only, at
            least ``network_containment_min_places`` municipalities in common that make up at
            least this share of the smaller side's municipalities (containment
            ``|A & B| / min(|A|, |B|)``; 1: all of them) and a Jaccard similarity of at least
            ``network_containment_jaccard`` (at least half the circuit); 0: Jaccard only. Off (0)
            since round 6 of issue #18: on the national world it made 222 false ties of 306 and
            network precision 0.54 (0.94 without it); round 4 had chosen 1.0 on 69 county
            training worlds (F1 mean 0.948 -> 0.957; docs/link.md, "Round 6: national precision").
        network_containment_min_places: see ``network_place_containment`` (one city in common
            is no circuit, however small the other side).
        network_containment_jaccard: see ``network_place_containment`` (without it two large
            cities in common tied unrelated advertisers on training seeds 113 and 4016).
        network_single_key_chance: a pair sharing fewer than ``network_min_templates`` keys
            (one key) is tied when one of them is organized (``template_min_persons``), the
            key's users times the chance of being active in all the shared municipalities is at
            most this, and their municipalities have Jaccard similarity at least
            ``network_single_key_jaccard`` (issue #18: a network whose women write in different
            languages shares one key per language; 0 turns single-key ties off). Off (0) since
            round 6 of issue #18 (0.1 in round 5 merged two networks on county seed 9016, 0.05 in
            rounds 2-4; with either, national precision stayed below 0.95; docs/link.md, "Round 6:
            national precision"). ``network_single_key_jaccard``,
            ``network_single_key_containment`` and ``network_single_key_max_variants`` act only
            when it is above 0.
        network_single_key_jaccard: see ``network_single_key_chance``.
        network_single_key_containment: a one-key tie also accepts part of one circuit (the
            containment rule of ``network_place_containment``: all of the smaller side's
            municipalities within the other's, at least ``network_containment_min_places``, and
            Jaccard at least ``network_containment_jaccard``), as two or more keys do (round 5
            of issue #18: a woman active for a few weeks shows one of the text's variants on
            part of the circuit).
        network_single_key_max_variants: a one-key tie needs the advertiser with fewer distinct
            template keys in the shared key's languages (those either side writes it in) to have
            at most this many (0: no limit). Two advertisers that each
            write in many variants and share only one of them are two organizers whose texts
            coincide once (round 5 of issue #18: the one false merge of training seed 6006,
            6 and 16 keys, one shared); a woman with few ads shows few variants.
        network_unorganized_chance: two advertisers of which neither has
            ``template_min_persons`` persons (each woman her own number) are tied when they
            share at least ``network_min_templates`` keys with a chance at most this (five
            times stricter than ``network_template_chance``); 0: never. Off (0) since round 6 of
            issue #18 (on the national world 74 of 111 such ties were false; 0.01 in rounds 2-5).
        network_world_chance: round 7 of issue #18: a pair sharing two or more keys is also tied,
            organized or not (each woman on her own number) and on one circuit or part of it
            (all of the smaller side's municipalities within the other's, at least
            ``network_containment_min_places``, Jaccard at least ``network_containment_jaccard``),
            when its *expected number of chance ties in the whole world* (the pair's ``chance``
            times the number of advertisers with a template candidate) is at most this
            (:func:`lagesbild.link.cluster.world_ties`); 0: off. Unlike the per-pair bounds it
            grows with the world: lax on a county's hundred advertisers, strict on a national
            market. Off (0): any bound tried (0.05 and 0.15) put national precision below 0.95 on
            seed 7 (docs/link.md, "Round 7").
        network_world_single_chance: the same for one shared key (organized pair, one circuit or,
            with ``network_single_key_containment``, part of it, the side with fewer variants
            within ``network_single_key_max_variants``); 0: off. 1.5 since round 7 of issue #18,
            chosen on 104 county training worlds and national seeds 7 and 13 (county F1 mean
            0.939 -> 0.952, worlds below 0.90 18 -> 14, precision unchanged; national precision
            0.951 both, seed 7 0.9512 -> 0.9513, seed 13 0.9506 -> 0.9507; docs/link.md, "Round 7").
        network_world_part_chance: round 8 of issue #18: a pair sharing two or more keys on part
            of one circuit (all of the smaller side's municipalities within the other's, at least
            ``network_containment_min_places``, Jaccard at least ``network_containment_jaccard``)
            between an organized advertiser (``template_min_persons`` persons) and one woman (the
            side with the fewer places has at most ``network_world_part_max_persons`` persons)
            is also tied when nobody else writes all their shared texts outside the places the
            two share and its expected number of chance ties in the whole world is at most this;
            0: off. 0.15 since round 8, chosen on 124 county training worlds and national seed 7
            (county F1 mean 0.953 -> 0.956, worlds below 0.90 16 -> 15, precision unchanged;
            national seed 7 F1 0.941 -> 0.942, precision 0.9513 -> 0.9515; docs/link.md, "Round 8").
        network_world_part_max_persons: see ``network_world_part_chance`` (1: one woman; two
            organizers on overlapping circuits were most of the national false ties).
        network_world_single_elsewhere_chance: round 9 of issue #18: a one-key tie of the world
            bound (``network_world_single_chance``) whose key somebody else also writes outside
            the places the two share (a stock text, not the circuit's) is accepted only when its
            expected number of chance ties in the world is at most this; at or above
            ``network_world_single_chance``: no extra condition. 0.75 since round 9 (the false
            tie of held-out world 13017 had 1.29; the true ties of this kind on training worlds
            at most 0.57; docs/link.md, "Round 9").
        network_world_single_max_persons: round 9: a one-key tie of the world bound needs a side
            with at most this many persons (0: any); two organizers with several women each
            that share one text are two networks (held-out world 13019: 11 and 3 persons).
        network_world_free_chance: round 10 of issue #18: two advertisers that are not
            organized (each woman on her own number) sharing two or more keys on one circuit
            (municipalities Jaccard at least ``network_place_jaccard``; part of a circuit not
            enough) are tied when the expected number of chance ties in the whole world is at
            most this; 0: off. 0.15 since round 10, chosen on 164 county training worlds and
            national seed 7 (county F1 mean 0.9587 -> 0.9615, worlds below 0.90 19 -> 17, none
            worse, precision unchanged; national seed 7 precision 0.95146 -> 0.95157;
            docs/link.md, "Round 10"). Round 7's ``network_world_chance`` (the same with part of a
            circuit, organized or not) failed national precision.
        template_key_robust: build template keys that survive a misspelling, a language name
            and a place name other than the stated location
            (:func:`lagesbild.link.text.template_key` with ``robust``). On: on 49 training
            worlds network F1 mean 0.928 -> 0.938, none worse, precision 1.000 on all
            (docs/link.md, "Held-out evaluation").
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
    network_template_joint: bool = True
    network_template_max_joint: int = 4
    network_place_jaccard: float = 0.7
    network_place_containment: float = 0.0
    network_containment_min_places: int = 2
    network_containment_jaccard: float = 0.5
    network_single_key_chance: float = 0.0
    network_single_key_jaccard: float = 0.7
    network_single_key_containment: bool = True
    network_single_key_max_variants: int = 5
    network_unorganized_chance: float = 0.0
    network_world_chance: float = 0.0
    network_world_single_chance: float = 1.5
    network_world_part_chance: float = 0.15
    network_world_part_max_persons: int = 1
    network_world_single_elsewhere_chance: float = 0.75
    network_world_single_max_persons: int = 2
    network_world_free_chance: float = 0.15
    template_key_robust: bool = True
    max_bucket: int = 50

    @property
    def world_bound(self) -> bool:
        """Whether any template tie is judged by the expected chance ties in the whole world (rounds 7-10)."""
        bounds = (self.network_world_chance, self.network_world_single_chance, self.network_world_part_chance)
        return any(b > 0 for b in (*bounds, self.network_world_free_chance))

    def __post_init__(self) -> None:
        if self.minhash_perm % self.lsh_bands:
            raise ValueError("minhash_perm must be divisible by lsh_bands")
