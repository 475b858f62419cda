"""Calibration smoke test: the simulator -> import -> link -> estimate pipeline of bench/calibrate_estimates.py.

Three seeds of the ``ostergotland`` preset (two county-years each). The full calibration (50 seeds)
is in docs/methods/calibration.md. Tolerances are explicit and honest:

* purchases: the 90% interval must hold the truth in at least 5 of the 6 county-years (the 50-seed
  coverage is 100%: the interval is wide because the assumptions' ranges are wide);
* persons: linking counts personas, so the counted persons are never fewer than the true women
  (a returning woman under a new persona counts twice), and capture-recapture on personas lies
  above the truth; we assert the bias is there, so that a change that removes it is noticed.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "calibrate_estimates.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("calibrate_estimates", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def cases() -> list:  # type: ignore[type-arg]
    bench = _bench()
    return [c for seed in (1, 2, 3) for c in bench.run_seed(seed, n_draws=4000)]


def test_pipeline_produces_intervals(cases: list) -> None:  # type: ignore[type-arg]
    assert len(cases) == 6
    for c in cases:
        assert 0 < c.purchases_low <= c.purchases_median <= c.purchases_high
        assert c.person_days > 0
        assert c.crc_low <= c.crc_estimate and math.isfinite(c.crc_low)


def test_purchases_interval_holds_the_truth(cases: list) -> None:  # type: ignore[type-arg]
    inside = sum(c.purchases_low <= c.purchases_true <= c.purchases_high for c in cases)
    assert inside >= 5


def test_persons_are_personas_and_overstate_the_true_women(cases: list) -> None:  # type: ignore[type-arg]
    assert all(c.personas >= c.persons_true for c in cases)
    assert sum(c.crc_low > c.persons_true for c in cases) >= 4
