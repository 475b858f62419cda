"""Stored report contexts (migration 5), on both backends."""

from __future__ import annotations

from lagesbild.store import Store
from lagesbild.store.reports import ReportStore


def test_previous_finds_the_latest_earlier_period(store: Store) -> None:
    rs = ReportStore(store)
    rs.save("05", "2023-01-01", "2023-12-31", "sv", {"year": 2023}, version=1)
    rs.save("05", "2024-01-01", "2024-12-31", "sv", {"year": 2024, "text": "åäö"}, version=1)
    rs.save("06", "2024-01-01", "2024-12-31", "sv", {"year": 2024, "lan": "06"}, version=1)
    prev = rs.previous("05", before="2025-01-01")
    assert prev is not None
    assert prev.context == {"year": 2024, "text": "åäö"}
    assert prev.period_end == "2024-12-31"
    prev23 = rs.previous("05", before="2024-01-01")
    assert prev23 is not None and prev23.context["year"] == 2023
    assert rs.previous("05", before="2023-01-01") is None


def test_saving_again_makes_the_newest_row_win(store: Store) -> None:
    rs = ReportStore(store)
    first = rs.save("SE", "2024-01-01", "2024-12-31", "en", {"v": 1}, version=1)
    second = rs.save("SE", "2024-01-01", "2024-12-31", "en", {"v": 2}, version=1)
    assert second > first
    prev = rs.previous("SE", before="2025-01-01")
    assert prev is not None and prev.context == {"v": 2}
    assert [h.context["v"] for h in rs.history("SE")] == [1, 2]
