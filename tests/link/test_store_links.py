"""Linking through the store, on both backends: full and incremental runs agree, export, explain."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import text
from tests.link.conftest import days

from lagesbild.link import explain, relink_stored, run
from lagesbild.link.cluster import template_ties_of
from lagesbild.store import Store
from lagesbild.store.links import LinkStore

DAY1 = days("s1", "A1", 1, 5, name="Anna", phones=("ph_n",), images=("a3b1c2d3e4f50617",)) + days(
    "s2", "B1", 2, 5, name="Olga", age=30, phones=("ph_n",)
)
DAY2 = (
    days("s1", "A1", 6, 7, name="Anna", phones=("ph_n",))
    + days("s1", "A9", 8, 9, name="Anna", phones=("ph_n",))
    + days("s3", "C1", 6, 9, name="Lisa", age=21, phones=("ph_x",))
)


def sorted_items(row: dict) -> list:  # type: ignore[type-arg]
    return sorted((k, str(v)) for k, v in row.items())


def _import(store: Store, rows: list, name: str) -> None:  # type: ignore[type-arg]
    store.import_observations([rows], source=name, sha256=name * 8)


def test_incremental_run_equals_full_relink(store: Store) -> None:
    _import(store, DAY1, "a")
    first = run(store)
    assert first.mode == "full"
    assert first.n_persons == 2 and first.n_networks == 1
    _import(store, DAY2, "b")
    inc = run(store)
    assert inc.mode == "incremental"
    assert inc.n_observations == len(DAY2)
    ls = LinkStore(store)
    labels_inc = ls.labels()
    tables = ("link_ads", "link_persons", "link_advertisers", "link_networks")
    inc_tables = {t: sorted(map(sorted_items, ls.table(t))) for t in tables}
    full = run(store, full=True)
    assert full.mode == "full"
    assert ls.labels() == labels_inc
    assert {t: sorted(map(sorted_items, ls.table(t))) for t in tables} == inc_tables
    assert (inc.n_ads, inc.n_persons, inc.n_networks) == (full.n_ads, full.n_persons, full.n_networks) == (3, 3, 1)


def test_stored_ads_have_periods_and_networks_their_evidence(store: Store) -> None:
    _import(store, DAY1 + DAY2, "a")
    run(store)
    ls = LinkStore(store)
    ads = {r["ad_id"]: r for r in ls.table("link_ads")}
    reposted = [r for r in ads.values() if r["n_site_ads"] == 2]
    assert len(reposted) == 1
    assert reposted[0]["periods"] == "2024-03-01/2024-03-09"
    (net,) = ls.table("link_networks")
    assert net["n_persons"] == 2
    assert net["shared_phones"] == "ph_n"
    assert "shared_phone" in net["indicators"]


def test_export_has_one_row_per_observation(store: Store) -> None:
    _import(store, DAY1, "a")
    run(store)
    rows = list(LinkStore(store).export_rows())
    assert len(rows) == len(DAY1)
    assert all(r[4] and r[5] and r[6] for r in rows)
    assert len({r[7] for r in rows}) == 1  # one network


def test_explain_from_the_store(store: Store) -> None:
    _import(store, DAY1, "a")
    run(store)
    ads, linked = relink_stored(store)
    e = explain(ads, linked, ("s1", "A1"), ("s2", "B1"))
    assert e.same["advertiser"] and not e.same["person"]


def test_stored_site_ad_round_trips(store: Store) -> None:
    _import(store, DAY1, "a")
    run(store)
    a = LinkStore(store).site_ad("s1", "A1")
    assert a is not None
    assert (a.first_seen, a.last_seen, a.n_obs, a.name, a.phones) == ("2024-03-01", "2024-03-05", 5, "anna", {"ph_n"})
    assert a.signature.dtype.name == "uint32" and len(a.signature) == 32
    assert LinkStore(store).site_ad("s1", "nope") is None


def _tables(ls: LinkStore) -> dict[str, list]:  # type: ignore[type-arg]
    tables = ("link_ads", "link_persons", "link_advertisers", "link_networks")
    return {t: sorted(map(sorted_items, ls.table(t))) for t in tables}


def test_incremental_run_equals_full_relink_when_a_template_tie_forms(store: Store) -> None:
    from tests.link.test_template_networks import CIRCUIT, _ads, _background, _organizer

    _import(store, _background() + _organizer(), "a")
    assert run(store).n_networks == 1
    # a woman on her own number, written from the organizer's text in its cities, arrives later
    _import(store, _ads("c", "Cilla", 22, "ph_c", CIRCUIT, day0=20), "b")
    inc = run(store)
    assert inc.mode == "incremental" and inc.n_networks == 1
    ls = LinkStore(store)
    labels, tables = ls.labels(), _tables(ls)
    assert labels[("s1", "c00")][3] == labels[("s1", "a00")][3] is not None
    (net,) = ls.table("link_networks")
    assert (net["n_persons"], net["n_advertisers"]) == (3, 2)
    run(store, full=True)
    assert ls.labels() == labels
    assert _tables(ls) == tables


def test_site_ads_linked_before_template_keys_are_relinked_in_full(store: Store) -> None:
    _import(store, DAY1, "a")
    run(store)
    with store.engine.begin() as conn:  # as migration 9 leaves a store linked before it
        conn.execute(text("UPDATE link_site_ads SET template = NULL"))
    _import(store, DAY2, "b")
    again = run(store)
    assert again.mode == "full"
    assert LinkStore(store).site_ad("s1", "A1").template != 0  # type: ignore[union-attr]
    assert run(store).mode == "incremental"


def test_site_ads_read_to_be_summarized_leave_out_what_only_clustering_reads(store: Store) -> None:
    _import(store, DAY1 + DAY2, "a")
    run(store)
    ls = LinkStore(store)
    advertisers = {lab[2] for lab in ls.labels().values() if lab[2] is not None}
    whole, ids = ls.load_advertisers(advertisers)
    part, part_ids = ls.load_advertisers(advertisers, clustered=False)
    assert part_ids == ids and {a.key for a in part} == {a.key for a in whole}
    by_key = {a.key: a for a in whole}
    assert any(a.images for a in whole) and any(a.template for a in whole)
    for a in part:
        assert not a.images and a.template == 0 and len(a.signature) == 0
        b = by_key[a.key]
        assert (a.first_seen, a.last_seen, a.days, a.n_obs, a.name, a.age, a.kommun_kod, a.phones, a.emails) == (
            b.first_seen,
            b.last_seen,
            b.days,
            b.n_obs,
            b.name,
            b.age,
            b.kommun_kod,
            b.phones,
            b.emails,
        )


def test_an_image_groups_read_brings_every_member_of_the_groups_of_the_hashes_asked(store: Store) -> None:
    _import(store, DAY1, "a")
    run(store)
    rows = [(1, 1), (5, 1), (9, 1), (2, 2), (7, 3), (8, 3)]
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM link_image_groups"))
        store.dialect.insert_rows(conn, "link_image_groups", ("hash", "grp"), rows)
    ls = LinkStore(store)
    assert sorted(ls.image_groups_with([5, 8, 4])) == [(1, 1), (5, 1), (7, 3), (8, 3), (9, 1)]
    assert sorted(ls.image_groups_with([2])) == [(2, 2)]
    assert ls.image_groups_with([]) == [] and ls.image_groups_with([4]) == []


def test_the_network_level_of_an_incremental_run_reads_the_template_keys_exactly(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # template keys are 64-bit hashes: read through a float column they lost their low bits
    from lagesbild.link import runner

    _import(store, DAY1, "a")
    run(store)
    seen: list[set[int]] = []

    def spy(template: np.ndarray, *args: Any) -> Any:
        seen.append({int(t) for t in template.tolist() if t})
        return template_ties_of(template, *args)

    monkeypatch.setattr(runner, "template_ties_of", spy)
    _import(store, DAY2, "b")
    assert run(store).mode == "incremental"
    stored = {int(r[0]) for r in LinkStore(store)._raw("SELECT template FROM link_network_index", ()) if r[0]}
    assert seen and seen[-1] and seen[-1] <= stored
