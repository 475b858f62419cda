"""The dashboard's data cache: kept while the store's data is unchanged, dropped at the next import."""

from __future__ import annotations

from lagesbild.observations import Observation
from lagesbild.store import Store
from lagesbild.web.data import WebData


def _import(store: Store, day: str, n: int) -> None:
    obs = [Observation("s", f"ad{day}{i}", f"{day}T10:00:00Z", kommun_kod="0580", lan_kod="05") for i in range(n)]
    store.import_observations([obs], source=f"test {day}", sha256="0" * 64)


def test_cached_counts_follow_new_imports(store: Store) -> None:
    _import(store, "2024-03-01", 7)
    data = WebData(store, ttl=0.0, max_age=3600)  # check the data version on every read
    calls = 0
    real = store.observation_counts

    def counting(**kw: object) -> object:
        nonlocal calls
        calls += 1
        return real(**kw)  # type: ignore[arg-type]

    store.observation_counts = counting  # type: ignore[method-assign]
    assert data.years() == [2024]
    assert data.area_cells(2024, "kommun")["0580"].value == 7
    before = calls
    data.area_cells(2024, "kommun")
    data.years()
    assert calls == before, "unchanged data is read from the cache"
    _import(store, "2025-01-02", 3)
    assert data.years() == [2025, 2024]
    assert data.area_cells(2025, "kommun")["0580"].shown == "<5"
    assert data.area_cells(2025, "kommun")["0580"].value is None


def test_no_data_is_not_zero(store: Store) -> None:
    _import(store, "2024-03-01", 6)
    data = WebData(store)
    ctx = data.area("0114", 2024)  # Upplands Väsby: nothing there
    assert not ctx.coverage.has_data and ctx.coverage.days_monitored == 0
    assert "0114" not in data.area_cells(2024, "kommun")
    assert [p.period for p in data.area("0580", 2024).series] == ["2024-03"]


def test_warm_reads_the_overview_and_every_county_once(store: Store) -> None:
    _import(store, "2024-03-01", 6)
    data = WebData(store, ttl=60.0)
    data.warm()
    calls = 0
    real = store.observation_counts

    def counting(**kw: object) -> object:
        nonlocal calls
        calls += 1
        return real(**kw)  # type: ignore[arg-type]

    store.observation_counts = counting  # type: ignore[method-assign]
    for area in ("SE", "05", "25"):
        data.area(area, 2024)
    assert calls == 0
    assert data.area("05", 2024).coverage.days_monitored == 1
