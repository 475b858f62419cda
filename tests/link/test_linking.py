"""The linking rules on small hand-built markets: reposts, persons, advertisers, networks, guards."""

from __future__ import annotations

import numpy as np
import pytest
from tests.link.conftest import days, obs

from lagesbild.link import LinkSettings, collect, explain, link, link_observations, periods
from lagesbild.observations import Observation

IMG_A = ("a3b1c2d3e4f50617", "0f1e2d3c4b5a6978")
IMG_B = ("1111222233334444", "5555666677778888")


def _same(linked_ids: object, a: int, b: int) -> bool:
    return bool(np.asarray(linked_ids)[a] == np.asarray(linked_ids)[b])


def _row(ads: object, site: str, ad_id: str) -> int:
    return ads.index()[(site, ad_id)]  # type: ignore[attr-defined, no-any-return]


def test_periods_of_visibility_split_at_gaps() -> None:
    assert periods(["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-07"]) == [
        ("2024-03-01", "2024-03-03"),
        ("2024-03-07", "2024-03-07"),
    ]


def test_repost_under_new_id_is_one_ad() -> None:
    o = days("s1", "A1", 1, 5, phones=("ph_1",)) + days("s1", "A2", 6, 9, phones=("ph_1",))
    _, linked = link_observations(o)
    r = linked.result
    assert len(r.ad_ids) == 1
    assert _same(r.person, 0, 1)


def test_new_ad_in_another_city_is_another_ad_of_the_same_person() -> None:
    o = days("s1", "A1", 1, 5, phones=("ph_1",)) + days("s1", "A2", 6, 9, phones=("ph_1",), kommun="0180")
    _, linked = link_observations(o)
    assert len(linked.result.ad_ids) == 2
    assert len(linked.result.person_ids) == 1


def test_same_person_across_sites_by_photo_after_a_phone_change() -> None:
    o = days("s1", "A1", 1, 3, phones=("ph_1",), images=IMG_A[:1]) + days(
        "s2",
        "B1",
        10,
        12,
        phones=("ph_2",),
        images=("a3b1c2d3e4f50616",),  # 1 bit from IMG_A[0]
    )
    _, linked = link_observations(o)
    assert len(linked.result.person_ids) == 1


def test_network_phone_links_an_advertiser_not_a_person() -> None:
    o = (
        days("s1", "A1", 1, 3, name="Anna", age=22, phones=("ph_net",))
        + days("s1", "A2", 1, 3, name="Olga", age=25, phones=("ph_net",))
        + days("s2", "B1", 1, 3, name="Maria", age=28, phones=("ph_net",))
    )
    _, linked = link_observations(o)
    r = linked.result
    assert len(r.person_ids) == 3
    assert len(r.advertiser_ids) == 1
    assert len(r.network_ids) == 1
    assert r.network.tolist() == [0, 0, 0]


def test_shared_number_next_to_own_numbers_links_nobody() -> None:
    o: list[Observation] = []
    for k, name in enumerate(["Anna", "Olga", "Maria", "Lisa"]):
        o += days("s1", f"A{k}", 1, 3, name=name, age=20 + k, phones=(f"ph_own{k}", "ph_shared"))
    _, linked = link_observations(o)
    r = linked.result
    assert "ph_shared" in r.shared_numbers
    assert len(r.advertiser_ids) == 4
    assert len(r.network_ids) == 0


def test_two_phones_of_one_person_are_not_a_shared_number() -> None:
    o = days("s1", "A1", 1, 3, phones=("ph_1", "ph_2")) + days("s2", "B1", 5, 7, phones=("ph_2", "ph_3"))
    _, linked = link_observations(o)
    assert not linked.result.shared_numbers
    assert len(linked.result.person_ids) == 1


def test_stolen_photos_mark_a_suspected_scam() -> None:
    genuine = days("s1", "A1", 1, 5, name="Anna", age=30, phones=("ph_1",), images=IMG_A)
    genuine2 = days("s1", "A2", 1, 5, name="Lisa", age=33, phones=("ph_2",), images=IMG_B)
    scam = days("s2", "S1", 2, 4, name="Candy", age=19, phones=("ph_9",), images=(IMG_A[0], IMG_B[0]))
    ads, linked = link_observations(genuine + genuine2 + scam)
    r = linked.result
    assert len(r.person_ids) == 3
    assert r.n_persons == 2
    assert bool(r.fake_person[r.person[_row(ads, "s2", "S1")]])


def test_same_name_without_shared_evidence_stays_apart() -> None:
    o = days("s1", "A1", 1, 3, phones=("ph_1",), body="x") + days("s1", "A2", 1, 3, phones=("ph_2",), body="y")
    _, linked = link_observations(o)
    assert len(linked.result.person_ids) == 2


def test_incremental_collection_equals_full() -> None:
    o = (
        days("s1", "A1", 1, 5, phones=("ph_1",), images=IMG_A)
        + days("s2", "B1", 3, 9, phones=("ph_1",))
        + days("s1", "A2", 6, 9, name="Olga", phones=("ph_1",))
        + days("s3", "C1", 2, 8, phones=("ph_7",))
    )
    full_ads, full = link_observations(o)
    first = [x for x in o if x.seen_at < "2024-03-05"]
    rest = [x for x in o if x.seen_at >= "2024-03-05"]
    part, _ = collect(first)
    inc_ads, changed = collect(rest, part.ads)
    inc = link(inc_ads)
    assert changed
    assert [a.key for a in inc_ads.ads] == [a.key for a in full_ads.ads]
    assert inc.result.ad_ids == full.result.ad_ids
    assert inc.result.person_ids == full.result.person_ids
    assert inc.result.network_ids == full.result.network_ids


def test_ids_are_stable_when_new_ads_join() -> None:
    o = days("s1", "A1", 1, 5, name="Anna", phones=("ph_n",)) + days("s1", "A2", 1, 5, name="Olga", phones=("ph_n",))
    _, before = link_observations(o)
    _, after = link_observations(o + days("s2", "B9", 8, 9, name="Maria", phones=("ph_n",)))
    assert before.result.network_ids == after.result.network_ids
    assert before.result.advertiser_ids == after.result.advertiser_ids


def test_explain_names_the_evidence() -> None:
    o = days("s1", "A1", 1, 3, name="Anna", phones=("ph_net",)) + days(
        "s1", "A2", 1, 3, name="Olga", phones=("ph_net",)
    )
    ads, linked = link_observations(o)
    e = explain(ads, linked, ("s1", "A1"), ("s1", "A2"))
    assert e.same == {"ad": False, "person": False, "advertiser": True, "network": True}
    assert e.shared_phones == ["ph_net"]
    assert any("names differ" in r for r in e.reasons)


def test_settings_validate_bands() -> None:
    with pytest.raises(ValueError, match="divisible"):
        LinkSettings(minhash_perm=30, lsh_bands=8)


def test_order_of_observations_does_not_matter() -> None:
    o = days("s1", "A1", 1, 5, phones=("ph_1",), images=IMG_A) + days("s2", "B1", 3, 9, name="Olga", phones=("ph_1",))
    _, a = link_observations(o)
    _, b = link_observations(list(reversed(o)))
    assert a.result.person_ids == b.result.person_ids
    assert a.result.person.tolist() == b.result.person.tolist()


def test_ad_without_identifiers_joins_its_profile_by_text() -> None:
    o = days("s1", "A1", 1, 3, phones=("ph_1",)) + days("s2", "B1", 2, 4)
    _, linked = link_observations(o)
    assert len(linked.result.person_ids) == 1
    assert linked.person_edges.kind.tolist().count(3) >= 1  # a text edge


def test_alike_text_does_not_join_ads_with_their_own_different_numbers() -> None:
    o = days("s1", "A1", 1, 3, phones=("ph_1",)) + days("s2", "B1", 2, 4, phones=("ph_2",))
    _, linked = link_observations(o)
    assert len(linked.result.person_ids) == 2


def test_ads_without_name_or_age_join_the_one_profile_of_their_number() -> None:
    o = [*days("s1", "A1", 1, 3, phones=("ph_1",)), obs("s2", "B1", 2, phones=("ph_1",))._replace(name=None, age=None)]
    _, linked = link_observations(o)
    assert len(linked.result.person_ids) == 1


def test_capture_histories_are_read_by_the_crc_reader() -> None:
    from lagesbild.estimate.crc_io import parse_capture_csv
    from lagesbild.link import capture_histories, to_csv

    o = (
        days("s1", "A1", 1, 3, phones=("ph_1",))
        + days("s2", "B1", 1, 3, phones=("ph_1",))
        + days("s1", "A2", 1, 3, name="Olga", phones=("ph_2",), images=IMG_B)
    )
    ads, linked = link_observations(o)
    (table,) = capture_histories(ads, linked.result, period="month", level="lan")
    assert (table.period, table.area) == ("2024-03", "05")
    h = parse_capture_csv(to_csv(table))
    assert h.sources == ("s1", "s2")
    assert dict(zip(h.patterns, h.counts, strict=True)) == {(1, 1): 1, (1, 0): 1}


def test_profile_comes_from_the_earliest_observation_whatever_the_arrival_order() -> None:
    o = [obs("s1", "A1", 5, name="Late"), obs("s1", "A1", 1, name="First"), obs("s1", "A1", 3, name="Middle")]
    ads, _ = collect(o)
    assert ads.ads[0].name == "first"
    assert (ads.ads[0].first_seen, ads.ads[0].last_seen) == ("2024-03-01", "2024-03-05")
