"""Calibration smoke test: the simulator -> import -> link -> estimate pipeline of bench/calibrate_estimates.py.

Three training seeds of the ``ostergotland`` preset (two county-years each), in both markets of the
bench: ``fixed`` (the preset) and ``prior`` (the simulator's behaviour drawn from the assumption set).
The full calibration (held-out seeds 1001-1030) is in docs/methods/calibration.md. Tolerances are
explicit and honest:

* purchases: the 90% interval must hold the truth in at least 5 of the 6 fixed-market county-years
  (the interval is wider than the noise of a fixed market) and in at least 4 of the 6 prior-market
  ones (if the coverage is 90%, 3 or fewer of 6 happens 1.6% of the time);
* persons (women): nearer the truth than the persona count in at least 5 of 6 prior-market
  county-years, the interval holds the truth in at least 4 of 6 in each market, and the fixed
  market is no longer under-estimated systematically (the centre of ``persona_return_share`` was
  moved to what the training seeds show: at most 4 of 6 below the truth); with the persona share
  known (the oracle), within 15% of the truth in every county-year of both markets;
* linking counts personas, so the persona count is never below the true women, and the hidden
  population by capture-recapture lies above the truth (the simulator's site choice; it is not
  published); we assert that bias is there, so that a change that removes it is noticed;
* demand_12m has an interval that is not zero-width, and is far above the men who bought in the
  simulated market (the simulator has no truth for all purchases: not a calibration).
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

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
def bench() -> ModuleType:
    return _bench()


@pytest.fixture(scope="module")
def cases(bench: ModuleType) -> dict[str, list[Any]]:
    return {
        m: [c for seed in (1, 2, 3) for c in bench.run_seed(seed, n_draws=4000, market=m)] for m in ("fixed", "prior")
    }


def test_pipeline_produces_intervals(cases: dict[str, list[Any]]) -> None:
    for market, cs in cases.items():
        assert len(cs) == 6 and {c.market for c in cs} == {market}
        for c in cs:
            assert 0 < c.purchases_low <= c.purchases_median <= c.purchases_high
            assert 0 < c.persons_low <= c.persons_median <= c.persons_high <= c.personas
            assert c.person_days > 0
            assert c.crc_low <= c.crc_estimate and math.isfinite(c.crc_low)
            assert c.personas <= c.hidden_low <= c.hidden_estimate <= c.hidden_high
            assert "profile likelihood" in c.hidden_method
            assert c.demand_12m_low < c.demand_12m < c.demand_12m_high


def test_prior_market_draws_the_simulator_from_the_assumptions(bench: ModuleType, cases: dict[str, list[Any]]) -> None:
    fixed, prior = cases["fixed"], cases["prior"]
    assert bench.market_draw(2) == bench.market_draw(2) and bench.market_draw(2) != bench.market_draw(3)
    for f, p in zip(fixed, prior, strict=True):
        assert (f.seed, f.year) == (p.seed, p.year)
        assert (f.clients_per_active_day, f.active_day_prob, f.new_persona_share) == (1.5, 0.75, 0.3)
        d = bench.market_draw(p.seed)
        assert (p.clients_per_active_day, p.active_day_prob) == (d.clients_per_active_day, d.active_day_prob)
        assert p.new_persona_share == d.new_persona_share == bench.new_persona_share_for(d.persona_return_share)
        # the model's working days are days with an ad online; the simulator's are days inside a spell
        expected = min(1.0, d.share_genuine * d.working_day_share / bench.GENUINE_IN_SPELL_SHARE)
        assert d.active_day_prob == expected
    # the draws change the market the estimates see, not only its truth
    assert all(f.purchases_true != p.purchases_true for f, p in zip(fixed, prior, strict=True))


def test_persona_mapping_inverts_and_is_capped(bench: ModuleType) -> None:
    for q in (0.1, 0.3, 0.9):
        assert math.isclose(bench.new_persona_share_for(bench.return_share_of(q)), q)
    assert bench.new_persona_share_for(0.34) == 1.0  # above e / (1 + e): the largest share there is
    assert 0.1 < bench.return_share_of(0.3) < 0.15


def test_purchases_interval_holds_the_truth(cases: dict[str, list[Any]]) -> None:
    assert sum(c.purchases_low <= c.purchases_true <= c.purchases_high for c in cases["fixed"]) >= 5
    assert sum(c.purchases_low <= c.purchases_true <= c.purchases_high for c in cases["prior"]) >= 4


def test_persons_estimate_corrects_the_persona_count(cases: dict[str, list[Any]]) -> None:
    prior, fixed = cases["prior"], cases["fixed"]
    assert sum(abs(c.persons_median - c.persons_true) < abs(c.personas - c.persons_true) for c in prior) >= 5
    assert sum(c.persons_low <= c.persons_true <= c.persons_high for c in prior) >= 4
    assert sum(c.persons_low <= c.persons_true <= c.persons_high for c in fixed) >= 4
    assert sum(c.persons_median < c.persons_true for c in fixed) <= 4
    for c in (c for cs in cases.values() for c in cs):
        assert abs(c.oracle_median - c.persons_true) <= 0.15 * c.persons_true, c


def test_persons_are_personas_and_the_hidden_population_overstates_the_true_women(
    cases: dict[str, list[Any]],
) -> None:
    fixed = cases["fixed"]
    assert all(c.personas >= c.persons_true for cs in cases.values() for c in cs)
    assert sum(c.hidden_low > c.persons_true for c in fixed) >= 4
    assert sum(c.crc_low > c.persons_true for c in fixed) >= 4


def test_demand_is_not_the_simulated_buyers(cases: dict[str, list[Any]]) -> None:
    for c in cases["fixed"]:
        assert c.demand_12m > 1.5 * c.resident_buyers_true
