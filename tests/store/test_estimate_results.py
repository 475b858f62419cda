"""EstimateStore: results stored with assumptions and data snapshot, read back exactly, on both backends."""

from __future__ import annotations

import math
from datetime import date

from lagesbild.records.estimates import DataSnapshot, EstimateResult
from lagesbild.store import Store
from lagesbild.store.estimates import EstimateStore

RESULTS = [
    EstimateResult("purchases", 1500.5, 1000.25, 2200.0, 0.9, "Monte Carlo"),
    EstimateResult("persons_crc", 120.0, 100.0, math.inf, 0.95, "Mth Chao; open upper limit"),
    EstimateResult("persons", 90.0, 67.5, 90.0, None, "linked ads"),
]


def test_results_round_trip_with_assumptions_and_snapshot(store: Store) -> None:
    es = EstimateStore(store)
    snap = es.snapshot()
    assert snap == DataSnapshot(0, 0, None, None)
    snap = DataSnapshot(41, 3, 2, "r1")
    es.save(
        "run1", "05", date(2024, 1, 1), date(2024, 12, 31), RESULTS, assumptions={"name": "x"}, snapshot=snap, seed=7
    )
    es.save("run2", "06", date(2024, 1, 1), date(2024, 6, 30), RESULTS[:1], assumptions={}, snapshot=snap)
    rows = es.results(run_id="run1")
    assert [r.result for r in reversed(rows)] == RESULTS
    assert all(r.snapshot == snap and r.seed == 7 and r.assumptions == {"name": "x"} for r in rows)
    assert [r.run_id for r in es.results()] == ["run2", "run1", "run1", "run1"]
    assert [r.area for r in es.results(quantity="purchases")] == ["06", "05"]
    assert es.results(area="06")[0].end == date(2024, 6, 30)
