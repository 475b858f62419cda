"""Template ties judged by the expected number of chance ties in the whole world (round 7 of issue #18).

The per-pair ``chance`` of a template tie does not grow with the world; ``world_ties`` multiplies
it by the number of advertisers that have a template candidate, so one bound is lax on a small
market and strict on a large one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
from tests.link.conftest import obs
from tests.link.test_template_networks import CIRCUIT, _ads, _background, _network_of, _organizer

from lagesbild.link import LinkSettings, link_observations
from lagesbild.link.cluster import candidate_advertisers, world_ties
from lagesbild.link.explain import _template_rule
from lagesbild.observations import Observation

OFF = LinkSettings(
    network_world_chance=0.0,
    network_world_single_chance=0.0,
    network_world_part_chance=0.0,
    network_world_free_chance=0.0,
)
ON = LinkSettings(
    network_world_chance=1.0,
    network_world_single_chance=1.0,
    network_world_part_chance=0.0,
    network_world_free_chance=0.0,
)
# round 8 alone: an organizer and one woman on part of its circuit
PART = replace(OFF, network_world_part_chance=0.15)


@dataclass(frozen=True)
class Pair:
    """One candidate pair as :func:`world_ties` sees it; the defaults are two keys on one circuit."""

    expected: float = 0.1
    many: bool = True
    organized: bool = False
    jaccard: float = 1.0
    containment: float = 1.0
    n_both: int = 3
    few_variants: bool = True
    inner_persons: int = 1
    users_elsewhere: int = 0
    fewer_persons: int = 1


def _judge(pairs: list[Pair], s: LinkSettings = ON) -> list[bool]:
    col = {f.name: [getattr(p, f.name) for p in pairs] for f in fields(Pair)}
    out = world_ties(
        np.array(col["expected"], np.float64),
        np.array(col["many"], bool),
        np.array(col["organized"], bool),
        np.array(col["jaccard"], np.float64),
        np.array(col["containment"], np.float64),
        np.array(col["n_both"], np.int64),
        np.array(col["few_variants"], bool),
        s,
        np.array(col["inner_persons"], np.int64),
        np.array(col["users_elsewhere"], np.int64),
        np.array(col["fewer_persons"], np.int64),
    )
    return [bool(x) for x in out]


def _two_women() -> list[Observation]:
    """Two women on their own numbers (Cilla, Doris) with the same text in the same three cities."""
    return _background() + _ads("c", "Cilla", 22, "ph_c", CIRCUIT) + _ads("d", "Doris", 30, "ph_d", CIRCUIT)


def _woman_and_organizer() -> list[Observation]:
    """The organizer (two women on one number) and Cilla sharing one of its two texts (one key)."""
    c = [x for x in _ads("c", "Cilla", 22, "ph_c", CIRCUIT) if x.site_ad_id.endswith("0")]
    return _background() + _organizer() + c


def test_candidate_advertisers_counts_each_advertiser_once() -> None:
    assert candidate_advertisers(np.array([0, 0, 3, 5]), np.array([1, 2, 1, 0])) == 5
    assert candidate_advertisers(np.zeros(0, np.int64), np.zeros(0, np.int64)) == 0


def test_the_bound_is_on_the_expected_number_of_chance_ties() -> None:
    # the same pair (two keys, women on their own numbers, one circuit) with a per-pair chance of
    # 0.01: tied among 50 advertisers with candidates (expected 0.5), not among 500 (expected 5)
    chance = 0.01
    for n_cand, tied in ((50, True), (500, False)):
        assert _judge([Pair(expected=chance * n_cand)]) == [tied]
    # both bounds at 0 turn the rule off
    assert _judge([Pair(expected=0.0, organized=True)], s=OFF) == [False]


def test_two_keys_need_one_circuit_or_part_of_it() -> None:
    # Jaccard 0.8: one circuit; Jaccard 0.5 with all of the smaller side's places on the other's
    # (containment 1, two places): part of it; containment 0.67 or one place in common: neither
    got = _judge(
        [
            Pair(jaccard=0.8, containment=0.8, n_both=4),
            Pair(organized=True, jaccard=0.5, n_both=2),
            Pair(jaccard=0.5, containment=0.67, n_both=2),
            Pair(jaccard=0.5, n_both=1),
            Pair(jaccard=0.3, n_both=2),
        ]
    )
    assert got == [True, True, False, False, False]


def test_one_key_needs_an_organized_pair_few_variants_and_its_own_bound() -> None:
    s = replace(ON, network_world_single_chance=0.2)
    one_key = Pair(many=False, organized=True)
    got = _judge(
        [
            one_key,
            replace(one_key, organized=False),
            replace(one_key, few_variants=False),
            replace(one_key, expected=0.3),
            replace(one_key, jaccard=0.5, containment=0.5),
        ],
        s=s,
    )
    assert got == [True, False, False, False, False]
    # the one-key bound alone: two keys are not judged by it
    assert _judge([Pair()], s=replace(OFF, network_world_single_chance=1.0)) == [False]


def test_women_on_their_own_numbers_are_tied_by_the_world_bound_and_not_by_the_defaults_before_it() -> None:
    # two women on their own numbers, two shared keys, the same three rare cities: round 6's
    # defaults never tie an unorganized pair; the world bound does
    o = _two_women()
    ads, on = link_observations(o, ON)
    assert _network_of(on, ads, "c00") == _network_of(on, ads, "d11") >= 0
    ads, off = link_observations(o, OFF)
    assert len(off.result.network_ids) == 0
    # a bound below the pair's expected count (chance times the two candidate advertisers) is no tie
    expected = float(on.ties.chance[0]) * 2
    ads, strict = link_observations(o, replace(ON, network_world_chance=expected / 2))
    assert len(strict.result.network_ids) == 0


def test_one_shared_key_ties_a_woman_to_an_organizer_under_the_one_key_bound() -> None:
    o = _woman_and_organizer()
    ads, on = link_observations(o, replace(OFF, network_world_single_chance=1.0))
    assert _network_of(on, ads, "c00") == _network_of(on, ads, "a00") >= 0
    assert int(on.ties.n_templates[0]) == 1
    ads, off = link_observations(o, replace(OFF, network_world_chance=1.0))
    assert _network_of(off, ads, "c00") == -1 != _network_of(off, ads, "a00")


def test_a_pair_elsewhere_raises_the_expected_count_of_every_pair() -> None:
    # a second pair of advertisers sharing another text in other cities adds two candidate
    # advertisers: the expected count of the first pair doubles (its chance barely moves)
    o = _two_women()
    text = "Hej och välkommen. Jag heter {n} och är {a} år gammal. Ring mig gärna på kvällen, inga sms."
    other = [
        obs("s3", f"{p}{k}", 1 + k, name=nm, age=40, phones=(f"ph_{p}",), kommun=m, body=text.format(n=nm, a=40))
        for p, nm in (("e", "Eva"), ("f", "Frida"))
        for k, m in enumerate(("0180", "0181"))
    ]
    _, small = link_observations(o, ON)
    _, large = link_observations(o + other, ON)
    assert len(small.ties.a) == 1
    chance_small = float(small.ties.chance[0])
    tie = np.flatnonzero(large.ties.n_templates >= 2)
    assert len(tie) >= 1
    chance_large = float(large.ties.chance[tie[0]])
    # between the two: the chance at most a little lower (two more advertisers), the number of
    # candidate advertisers doubled
    assert 0.5 < chance_large / chance_small <= 1.0
    bound = chance_small * 2 * 1.5  # above the small world's expected count, below the large one's
    _, small_b = link_observations(o, replace(ON, network_world_chance=bound))
    _, large_b = link_observations(o + other, replace(ON, network_world_chance=bound))
    assert len(small_b.result.network_ids) == 1
    assert len(large_b.result.network_ids) == 0


def test_explain_names_the_world_bound_only_when_it_is_on() -> None:
    from lagesbild.link.explain import explain

    o = _two_women()
    ads, on = link_observations(o, replace(ON, network_world_chance=0.15, network_world_single_chance=1.5))
    sig = {g.name: g for g in explain(ads, on, ("s1", "c00"), ("s1", "d00")).signals}["template"]
    assert sig.fired and "in the whole world" in sig.threshold
    assert "part of the circuit: at most 0.15" in sig.threshold and "one key: at most 1.5" in sig.threshold
    # the defaults: the two-key part is off
    ads, dflt = link_observations(o)
    sig = {g.name: g for g in explain(ads, dflt, ("s1", "c00"), ("s1", "d00")).signals}["template"]
    assert "part of the circuit: no tie; one key: at most 1.5" in sig.threshold
    ads, off = link_observations(o, OFF)
    sig = {g.name: g for g in explain(ads, off, ("s1", "c00"), ("s1", "d00")).signals}["template"]
    assert not sig.fired and "whole world" not in sig.threshold


def test_the_defaults_tie_one_key_by_the_world_bound_and_since_round_10_two_keys_of_unorganized_women() -> None:
    assert LinkSettings().network_world_single_chance > 0 == LinkSettings().network_world_chance
    ads, linked = link_observations(_woman_and_organizer())
    assert _network_of(linked, ads, "c00") == _network_of(linked, ads, "a00") >= 0
    o = _two_women()
    # round 10: two women on their own numbers, two keys, the same three cities
    ads, tied = link_observations(o)
    assert _network_of(tied, ads, "c00") == _network_of(tied, ads, "d00") >= 0
    _, off = link_observations(o, LinkSettings(network_world_free_chance=0.0))
    assert len(off.result.network_ids) == 0


def test_round_8_ties_one_woman_on_part_of_an_organizers_circuit() -> None:
    # two shared keys, the woman (one person) in two of the organizer's three cities: Jaccard
    # 0.67, all of her places on the circuit; tied when the expected count is within the bound
    woman = Pair(expected=0.1, organized=True, jaccard=2 / 3, n_both=2, inner_persons=1)
    got = _judge(
        [
            woman,
            replace(woman, expected=0.2),  # above the bound
            replace(woman, organized=False),  # two women on their own numbers
            replace(woman, inner_persons=2),  # two organizers on overlapping circuits
            replace(woman, users_elsewhere=1),  # somebody writes the same texts elsewhere
            replace(woman, containment=0.5, jaccard=0.5),  # not all of her places on the circuit
            replace(woman, n_both=1, jaccard=0.5),  # one city in common
            replace(woman, jaccard=0.4),  # less than half of the circuit
            replace(woman, many=False),  # one key: the one-key bound's, off here
        ],
        s=PART,
    )
    assert got == [True, False, False, False, False, False, False, False, False]
    # off at 0, and without the persons of the inner side and the users elsewhere
    assert _judge([woman], s=OFF) == [False]
    args = (np.array([0.1]), np.array([True]), np.array([True]), np.array([2 / 3]), np.array([1.0]))
    assert world_ties(*args, np.array([2]), np.array([True]), PART).tolist() == [False]
    assert world_ties(*args, np.array([2]), np.array([True]), PART, np.array([1])).tolist() == [False]


def test_round_9_one_key_ties_refuse_a_text_written_elsewhere_and_two_organizers() -> None:
    # one shared key, organized pair, one circuit: held-out 13017 (a stock text also written by
    # an advertiser outside the two's places, expected 1.29) and 13019 (two organizers of 11
    # and 3 persons sharing one text, expected 0.17) were false ties of round 7's bound
    s = replace(OFF, network_world_single_chance=1.5)
    assert s.network_world_single_elsewhere_chance == 0.75 and s.network_world_single_max_persons == 2
    one_key = Pair(expected=1.2, many=False, organized=True, fewer_persons=1)
    got = _judge(
        [
            one_key,
            replace(one_key, users_elsewhere=1),  # the text is also written elsewhere, above 0.75
            replace(one_key, users_elsewhere=1, expected=0.7),  # ... within 0.75
            replace(one_key, fewer_persons=2),  # an organizer and a number of two women
            replace(one_key, fewer_persons=3, expected=0.17),  # two organizers with several women each
            replace(one_key, expected=1.6),  # above the one-key bound
        ],
        s=s,
    )
    assert got == [True, False, True, True, False, False]
    # both off: round 8's one-key rule
    r8 = replace(s, network_world_single_elsewhere_chance=1.5, network_world_single_max_persons=0)
    assert _judge([replace(one_key, users_elsewhere=1), replace(one_key, fewer_persons=3)], s=r8) == [True, True]
    # without the arrays the conditions are not applied; two keys are not judged by them
    args = (np.array([1.2]), np.array([False]), np.array([True]), np.array([1.0]), np.array([1.0]))
    assert world_ties(*args, np.array([3]), np.array([True]), s).tolist() == [True]
    two_keys = Pair(expected=0.1, organized=True, users_elsewhere=0, fewer_persons=5, inner_persons=5)
    assert _judge([two_keys], s=replace(s, network_world_chance=0.15)) == [True]


def _woman_on_part(places: tuple[str, ...] = CIRCUIT[:2]) -> list[Observation]:
    """The organizer (two women on one number, three cities) and Cilla writing its two texts in two of them."""
    return _background() + _organizer() + _ads("c", "Cilla", 22, "ph_c", places)


def test_the_defaults_since_round_8_tie_a_woman_on_part_of_the_circuit() -> None:
    assert LinkSettings().network_world_part_chance == 0.15 and LinkSettings().network_world_part_max_persons == 1
    ads, linked = link_observations(_woman_on_part())
    assert _network_of(linked, ads, "c00") == _network_of(linked, ads, "a00") >= 0
    assert int(linked.ties.n_templates[0]) == 2 and float(linked.ties.place_jaccard[0]) < 0.7
    # round 7's defaults (the part off): she stays apart
    ads, off = link_observations(_woman_on_part(), LinkSettings(network_world_part_chance=0.0))
    assert _network_of(off, ads, "c00") == -1 != _network_of(off, ads, "a00")
    # a second organizer (two women on one number) on the same part of the circuit: not tied
    o = _background() + _organizer() + _ads("c", "Cilla", 22, "ph_c", CIRCUIT[:2])
    o += _ads("d", "Doris", 30, "ph_c", CIRCUIT[:2])
    ads, two = link_observations(o)
    assert _network_of(two, ads, "c00") == _network_of(two, ads, "d00") >= 0
    assert _network_of(two, ads, "c00") != _network_of(two, ads, "a00")
    # one city in common is not part of the circuit
    ads, one = link_observations(_woman_on_part(CIRCUIT[:1]))
    assert _network_of(one, ads, "c00") == -1
    # a third advertiser writing both texts in other cities: a style used elsewhere, no tie
    ads, shared = link_observations(_woman_on_part() + _ads("e", "Eva", 35, "ph_e", ("0180", "0181")))
    assert _network_of(shared, ads, "c00") == -1 != _network_of(shared, ads, "a00")


def test_round_10_ties_two_women_on_their_own_numbers_on_one_circuit() -> None:
    # two or more shared keys, neither advertiser organized, one circuit: held-out 14011's two
    # women with four keys in the same five towns (expected 0.00008) were apart
    s = replace(OFF, network_world_free_chance=0.15)
    assert LinkSettings().network_world_free_chance == 0.15
    women = Pair(expected=0.1, organized=False, jaccard=1.0, containment=1.0, n_both=5)
    got = _judge(
        [
            women,
            replace(women, expected=0.2),  # above the bound
            replace(women, jaccard=0.6, containment=1.0),  # part of a circuit only
            replace(women, many=False),  # one key
            replace(women, organized=True),  # organized: the per-pair rule's (off here)
        ],
        s=s,
    )
    assert got == [True, False, False, False, False]
    assert _judge([women], s=OFF) == [False]


def test_explain_names_every_world_bound_and_its_value() -> None:
    s = LinkSettings(network_world_single_elsewhere_chance=0.6, network_world_free_chance=0.2)
    en, sv = _template_rule(s, "en"), _template_rule(s, "sv")
    assert "a text others write elsewhere: at most 0.6, at most 2 persons on the smaller side" in en
    assert "two women on their own numbers, one circuit: at most 0.2" in en
    assert "två kvinnor på egna nummer, samma runda: högst 0,2" in sv
    off = LinkSettings(network_world_single_chance=0, network_world_part_chance=0, network_world_free_chance=0)
    assert not off.world_bound and "in the whole world" not in _template_rule(off, "en")
