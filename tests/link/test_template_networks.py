"""Networks tied by a distinctive text template in the same places (the scored rule 4 of cluster.py).

A hand-built market: one organizer (advertiser A, two women on one number) and a woman on
another number (B) whose ads come from A's text, in A's cities; around them sixty independent
advertisers elsewhere, so that the places are rare and the evidence is measurable.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from tests.link.conftest import obs

from lagesbild.link import LinkSettings, link_observations
from lagesbild.link.text import mask_sentences, template_key
from lagesbild.observations import Observation

CIRCUIT = ("0580", "0581", "0583")
# round 5's county rules, off by default since round 6 of issue #18 (they over-merge a national
# market): partial-circuit ties, one-key ties and ties between women on their own numbers
COUNTY = LinkSettings(network_place_containment=1.0, network_single_key_chance=0.1, network_unorganized_chance=0.01)
# the organizer's text in two variants (two template keys); names, ages, prices and places vary
V1 = "Välkommen till mig! Jag är {n}, {a}. Trevlig, ren och lugn hela dagen. Pris {p} kr/halvtimme, mer per timme."
V2 = "Välkommen till mig! Jag är {n}, {a}. Besöker staden en kort tid nu. Trevlig, ren och lugn. Pris {p} kr/30 min."


def _ads(prefix: str, name: str, age: int, phone: str, places: tuple[str, ...], day0: int = 1) -> list[Observation]:
    out = []
    for k, kommun in enumerate(places):
        for v, text in enumerate((V1, V2)):
            body = text.format(n=name, a=age, p=1000 + 100 * k)
            out.append(
                obs(
                    "s1",
                    f"{prefix}{k}{v}",
                    day0 + 2 * k + v,
                    name=name,
                    age=age,
                    phones=(phone,),
                    kommun=kommun,
                    body=body,
                )
            )
    return out


def _background(n: int = 60) -> list[Observation]:
    return [
        obs("s2", f"bg{k}", 1 + k % 20, name="Lisa", age=20 + k % 15, phones=(f"ph_bg{k}",), kommun="0180")
        for k in range(n)
    ]


def _organizer() -> list[Observation]:
    return _ads("a", "Anna", 24, "ph_a", CIRCUIT) + _ads("b", "Bella", 27, "ph_a", CIRCUIT)


def _network_of(linked: object, ads: object, site_ad_id: str) -> int:
    r = linked.result  # type: ignore[attr-defined]
    return int(r.network[ads.index()[("s1", site_ad_id)]])  # type: ignore[attr-defined]


def test_template_key_ignores_slot_fillers_but_not_the_sentences() -> None:
    a = template_key(*mask_sentences("Anna 24", V1.format(n="Anna", a=24, p=1200), name="anna"))
    b = template_key(*mask_sentences("Bella 31", V1.format(n="Bella", a=31, p=2000), name="bella"))
    c = template_key(*mask_sentences("Anna 24", V2.format(n="Anna", a=24, p=1200), name="anna"))
    assert a == b != c != 0


def test_a_woman_on_her_own_number_joins_the_organizers_network_through_its_template_and_cities() -> None:
    ads, linked = link_observations(_background() + _organizer() + _ads("c", "Cilla", 22, "ph_c", CIRCUIT))
    r = linked.result
    net = _network_of(linked, ads, "a00")
    assert net >= 0 and _network_of(linked, ads, "c00") == net == _network_of(linked, ads, "b11")
    assert r.advertiser[ads.index()[("s1", "c00")]] != r.advertiser[ads.index()[("s1", "a00")]]
    assert len(r.network_ids) == 1
    # off: she stays an independent advertiser
    ads, off = link_observations(
        _background() + _organizer() + _ads("c", "Cilla", 22, "ph_c", CIRCUIT), LinkSettings(template_networks=False)
    )
    assert _network_of(off, ads, "c00") == -1


def test_the_same_template_in_other_cities_is_no_tie() -> None:
    ads, linked = link_observations(_background() + _organizer() + _ads("c", "Cilla", 22, "ph_c", ("0180", "0581")))
    assert _network_of(linked, ads, "c00") == -1


def test_two_women_on_their_own_numbers_are_a_network_only_on_strong_template_evidence() -> None:
    # issue #18: an organizer who gives every woman her own number shows no shared number at all;
    # two keys in common in three rare cities (chance far below network_unorganized_chance) tie them
    o = _background() + _ads("c", "Cilla", 22, "ph_c", CIRCUIT) + _ads("d", "Doris", 30, "ph_d", CIRCUIT)
    ads, linked = link_observations(o, COUNTY)
    assert len(linked.result.network_ids) == 1
    assert _network_of(linked, ads, "c00") == _network_of(linked, ads, "d11") >= 0
    # round 6's per-pair bound is off by default; since round 10 the world bound for two women on
    # one circuit (network_world_free_chance) ties them (tests/link/test_world_chance.py)
    ads, on = link_observations(o)
    assert LinkSettings().network_unorganized_chance == 0 and len(on.result.network_ids) == 1
    _, off = link_observations(o, LinkSettings(network_world_free_chance=0.0))
    assert len(off.result.network_ids) == 0
    # one key in common is not enough for two unorganized women
    one = _background() + [x for x in _ads("c", "Cilla", 22, "ph_c", CIRCUIT) if x.site_ad_id.endswith("0")]
    one += [x for x in _ads("d", "Doris", 30, "ph_d", CIRCUIT) if x.site_ad_id.endswith("0")]
    _, single = link_observations(one, COUNTY)
    assert len(single.result.network_ids) == 0


def test_one_rare_key_in_the_same_cities_ties_a_woman_to_an_organizer() -> None:
    # she writes only the first of the organizer's two texts (as a network's women writing in
    # different languages share one key per language): one key, used by two advertisers, in the
    # same three rare cities
    c = [x for x in _ads("c", "Cilla", 22, "ph_c", CIRCUIT) if x.site_ad_id.endswith("0")]
    ads, linked = link_observations(_background() + _organizer() + c, COUNTY)
    assert _network_of(linked, ads, "c00") == _network_of(linked, ads, "a00") >= 0
    # round 5's per-pair one-key bound is off by default since round 6 (round 7's world bound,
    # network_world_single_chance, ties it by default: tests/link/test_world_chance.py)
    ads, off = link_observations(_background() + _organizer() + c, LinkSettings(network_world_single_chance=0))
    assert _network_of(off, ads, "c00") == -1 != _network_of(off, ads, "a00")
    # in one of the three cities only (Jaccard 1/3 < network_single_key_jaccard) there is no tie
    ads, part = link_observations(_background() + _organizer() + c[:1], COUNTY)
    assert _network_of(part, ads, "c00") == -1


def test_a_template_many_advertisers_use_in_those_cities_is_boilerplate() -> None:
    # ten more independent women write the same text in the same cities: sharing it is no longer rare
    crowd = [x for k in range(10) for x in _ads(f"x{k}_", "Emma", 19 + k, f"ph_x{k}", CIRCUIT, day0=20)]
    ads, linked = link_observations(_background() + _organizer() + _ads("c", "Cilla", 22, "ph_c", CIRCUIT) + crowd)
    r = linked.result
    assert _network_of(linked, ads, "c00") == -1
    assert len(r.network_ids) == 1  # the organizer's own network (one number, two women) stays
    assert np.count_nonzero(r.network >= 0) == 12


def test_explain_shows_the_template_tie_with_its_scores_and_the_whole_rule() -> None:
    from lagesbild.link.explain import explain

    c = [x for x in _ads("c", "Cilla", 22, "ph_c", CIRCUIT) if x.site_ad_id.endswith("0")]
    ads, linked = link_observations(_background() + _organizer() + c, COUNTY)
    sig = {g.name: g for g in explain(ads, linked, ("s1", "c00"), ("s1", "a00")).signals}["template"]
    assert sig.fired and sig.weight == "network"
    assert sig.value.startswith("tied: 1 shared key(s), chance ") and "places Jaccard 1.00" in sig.value
    assert "one key: chance at most 0.1" in sig.threshold and "chance at most 0.01" in sig.threshold
    # two ads of the organizer's one number: no template tie between them (one advertiser)
    sig = {g.name: g for g in explain(ads, linked, ("s1", "a00"), ("s1", "b11")).signals}["template"]
    assert not sig.fired and sig.value == "no template tie"
    # round 6's defaults name the rules that are off
    ads, linked = link_observations(_background() + _organizer() + c, LinkSettings(network_world_single_chance=0))
    sig = {g.name: g for g in explain(ads, linked, ("s1", "c00"), ("s1", "a00")).signals}["template"]
    assert not sig.fired and "one key: no tie" in sig.threshold and "persons: no tie" in sig.threshold
    assert "containment" not in sig.threshold


def test_a_woman_on_part_of_the_circuit_joins_by_containment_and_one_shared_city_does_not() -> None:
    # issue #18: the organizer's circuit has four cities; she works two of them only (Jaccard 2/4
    # below network_place_jaccard, but all her cities are on the circuit: containment 1)
    circuit = (*CIRCUIT, "0584")
    org = _ads("a", "Anna", 24, "ph_a", circuit) + _ads("b", "Bella", 27, "ph_a", circuit)
    part = _ads("c", "Cilla", 22, "ph_c", circuit[:2])
    ads, linked = link_observations(_background() + org + part, COUNTY)
    assert _network_of(linked, ads, "c00") == _network_of(linked, ads, "a00") >= 0
    ties = linked.ties
    assert len(ties.a) == 1 and float(ties.place_jaccard[0]) == 0.5 and float(ties.place_containment[0]) == 1.0
    # the per-pair rule is off by default since round 6 (round 7's defaults leave her apart); since
    # round 8 the world bound ties one woman on part of an organizer's circuit (test_world_chance)
    ads, off = link_observations(_background() + org + part, LinkSettings(network_world_part_chance=0))
    assert _network_of(off, ads, "c00") == -1 != _network_of(off, ads, "a00")
    ads, dflt = link_observations(_background() + org + part)
    assert _network_of(dflt, ads, "c00") == _network_of(dflt, ads, "a00") >= 0
    # one city of the circuit in common (and one elsewhere) is no tie: containment 1/2, and a
    # single shared city is not a circuit even when it is all she works
    for places in (("0580", "0180"), ("0580",)):
        ads, one = link_observations(_background() + org + _ads("c", "Cilla", 22, "ph_c", places), COUNTY)
        assert _network_of(one, ads, "c00") == -1 != _network_of(one, ads, "a00")
    # two cities of a five-city circuit: contained, but too small a part of it (Jaccard 2/5 below
    # network_containment_jaccard)
    five = (*circuit, "0586")
    org5 = _ads("a", "Anna", 24, "ph_a", five) + _ads("b", "Bella", 27, "ph_a", five)
    ads, small = link_observations(_background() + org5 + part, COUNTY)
    assert _network_of(small, ads, "c00") == -1 != _network_of(small, ads, "a00")


def test_explain_shows_the_place_containment_of_a_template_tie() -> None:
    from lagesbild.link.explain import explain

    circuit = (*CIRCUIT, "0584")
    org = _ads("a", "Anna", 24, "ph_a", circuit) + _ads("b", "Bella", 27, "ph_a", circuit)
    ads, linked = link_observations(_background() + org + _ads("c", "Cilla", 22, "ph_c", circuit[:2]), COUNTY)
    sig = {g.name: g for g in explain(ads, linked, ("s1", "c00"), ("s1", "a00")).signals}["template"]
    assert sig.fired and "places Jaccard 0.50, containment 1.00" in sig.value
    assert f"containment at least {COUNTY.network_place_containment}" in sig.threshold


def test_one_shared_key_on_part_of_the_circuit_ties_a_woman_to_an_organizer() -> None:
    # round 5 of issue #18: a woman active for a few weeks shows one of the text's variants, in
    # two of the organizer's four cities (Jaccard 2/4, all her cities on the circuit)
    circuit = (*CIRCUIT, "0584")
    org = _ads("a", "Anna", 24, "ph_a", circuit) + _ads("b", "Bella", 27, "ph_a", circuit)
    one = [x for x in _ads("c", "Cilla", 22, "ph_c", circuit[:2]) if x.site_ad_id.endswith("0")]
    ads, linked = link_observations(_background() + org + one, COUNTY)
    assert _network_of(linked, ads, "c00") == _network_of(linked, ads, "a00") >= 0
    assert int(linked.ties.n_templates[0]) == 1 and float(linked.ties.place_jaccard[0]) == 0.5
    # the rule before round 5: one key needs the same circuit (Jaccard at least 0.7)
    ads, off = link_observations(_background() + org + one, replace(COUNTY, network_single_key_containment=False))
    assert _network_of(off, ads, "c00") == -1 != _network_of(off, ads, "a00")


# sentences that give each text variant its own template key (distinct opening words)
_OWN = ("Solig", "Regnig", "Blåsig", "Kylig", "Varm", "Mörk", "Ljus", "Grå", "Vit", "Röd")


def _many_variants(prefix: str, name: str, age: int, phone: str, words: tuple[str, ...]) -> list[Observation]:
    """Ads of one woman in the circuit's cities: the shared text V1 once, then one variant per word."""
    out = _ads(prefix, name, age, phone, CIRCUIT[:1])[:1]
    for k, w in enumerate(words):
        body = f"Välkommen till mig! Jag är {name}, {age}. {w} dag idag hos mig. Pris {1000 + k} kr/30 min."
        out.append(
            obs("s1", f"{prefix}w{k}", 3 + k, name=name, age=age, phones=(phone,), kommun=CIRCUIT[k % 3], body=body)
        )
    return out


def test_two_organizers_writing_many_variants_that_share_one_are_not_tied() -> None:
    # two organizers (two women on one number each) in the same three cities, each writing in six
    # variants of which one is the same: one coincidence among many variants (training seed 6006)
    a = _many_variants("a", "Anna", 24, "ph_a", _OWN[:5]) + _many_variants("b", "Bella", 27, "ph_a", _OWN[:5])
    d = _many_variants("d", "Doris", 30, "ph_d", _OWN[5:]) + _many_variants("e", "Erika", 33, "ph_d", _OWN[5:])
    ads, linked = link_observations(_background() + a + d, COUNTY)
    assert len(linked.result.network_ids) == 2
    assert _network_of(linked, ads, "a00") != _network_of(linked, ads, "d00")
    # without the limit the one shared key ties them into one network
    ads, off = link_observations(_background() + a + d, replace(COUNTY, network_single_key_max_variants=0))
    assert len(off.result.network_ids) == 1
    # an organizer with few variants (here: the shared one and two more) is tied by the one key
    few = _many_variants("d", "Doris", 30, "ph_d", _OWN[5:7]) + _many_variants("e", "Erika", 33, "ph_d", _OWN[5:7])
    ads, tied = link_observations(_background() + a + few, COUNTY)
    assert len(tied.result.network_ids) == 1
