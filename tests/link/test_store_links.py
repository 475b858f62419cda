"""Linking through the store, on both backends: full and incremental runs agree, export, explain."""

from __future__ import annotations

from sqlalchemy import text
from tests.link.conftest import days

from lagesbild.link import explain, relink_stored, run
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
