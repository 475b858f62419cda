"""The observation counts kept in a summary table (``store/counts.py``) always equal counting the
observations themselves: after the first read (a build), after later imports (folded in), and after
observations are deleted or replaced (rebuilt). On both backends."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import text

from lagesbild.store import CountRow, Store, counts

PLACES = [("0580", "05"), ("0581", "05"), ("0680", "06"), (None, "05"), (None, None)]


def rows(rng: random.Random, n: int, *, ads: int = 40) -> list[tuple[Any, ...]]:
    """``n`` sightings of ``ads`` ads on two sites over two years; an ad may move between places."""
    out = []
    for _ in range(n):
        ad = rng.randrange(ads)
        kommun, lan = PLACES[(ad + rng.randrange(2)) % len(PLACES)]
        day = f"{rng.choice((2024, 2025))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        seen = f"{day}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
        out.append(("siteA" if ad % 2 else "siteB", f"ad-{ad}", seen, None, "t", "b", "x", kommun, lan, None, None,
                    None, None, None, "", "", "", "", None))  # fmt: skip
    return out


def direct(store: Store, period: str, **where: str) -> list[CountRow]:
    with store.engine.connect() as conn:
        got = counts.scan_rows(conn, counts.KINDS[period], where.get("lan"), where.get("kommun"))
    return sorted((CountRow(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in got), key=key)


def key(r: CountRow) -> tuple[str, str, str]:
    return r.period, r.lan_kod or "", r.kommun_kod or ""


def assert_equal_to_counting(store: Store) -> None:
    for period in counts.KINDS:
        for where in ({}, {"lan": "05"}, {"kommun": "0580"}):
            kept = store.observation_counts(period=period, **where)
            assert sorted(kept, key=key) == direct(store, period, **where), (period, where)


def test_the_kept_counts_equal_counting_after_imports_folds_and_deletions(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(5)
    assert store.observation_counts(period="day") == []
    store.import_observation_rows([rows(rng, 400)], source="a", sha256="a")
    assert_equal_to_counting(store)  # built at the first read

    def no_rebuild(*_: object) -> int:
        raise AssertionError("a small import is folded in, not rebuilt")

    real = counts._rebuild
    monkeypatch.setattr(counts, "_rebuild", no_rebuild)
    for i in range(3):  # small imports: new ads and ads seen before, in old and new periods and places
        store.import_observation_rows([rows(rng, 30, ads=60)], source=f"b{i}", sha256=f"b{i}")
        assert_equal_to_counting(store)
    store.import_observation_rows([rows(rng, 30, ads=60)], source="dup", sha256="dup")
    store.import_observation_rows([rows(random.Random(5), 400)], source="again", sha256="again")  # no new rows
    assert_equal_to_counting(store)
    monkeypatch.setattr(counts, "_rebuild", real)

    with store.engine.begin() as conn:  # retention, reprocessing: observations counted before are gone
        conn.execute(text("DELETE FROM observations WHERE seen_at < '2024-07'"))
    assert_equal_to_counting(store)
    store.import_observation_rows([rows(rng, 2000, ads=80)], source="big", sha256="big")  # more than a quarter new
    assert_equal_to_counting(store)


def test_an_unplaced_observation_has_no_place_in_the_counts(store: Store) -> None:
    store.import_observation_rows([rows(random.Random(1), 50)], source="a", sha256="a")
    got = store.observation_counts(period="year")
    assert any(r.kommun_kod is None and r.lan_kod is None for r in got)
    assert all(r.kommun_kod != "" and r.lan_kod != "" for r in got)


def test_a_store_that_cannot_be_written_is_counted_directly(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.import_observation_rows([rows(random.Random(2), 100)], source="a", sha256="a")
    monkeypatch.setattr(counts, "refresh", lambda engine: False)
    assert sorted(store.observation_counts(period="month"), key=key) == direct(store, "month")
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM observation_counts")).scalar_one() == 0
