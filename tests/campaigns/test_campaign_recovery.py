"""Evaluation recovers the simulator's known campaign effect (fixed seeds, explicit tolerances).

The simulator lowers new spells and working days in the campaign's counties and weeks by
``1 + effect * campaign_supply_elasticity``. Here a -30% campaign with elasticity 1 runs in
Jönköping (06) for six weeks, Östergötland (05) is the control; the measure is the true active
seller-days per day, which is what linked person-days estimate.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import numpy as np
import pytest

from lagesbild.campaigns import Campaign, evaluate_campaign
from lagesbild.simulate.config import WorldConfig
from lagesbild.simulate.supply import simulate_supply
from lagesbild.simulate.world import World

EFFECT = -0.30
ELASTICITY = 1.0
CONFIGURED = 1 + EFFECT * ELASTICITY  # 0.70: the configured multiplier on supply
CAMPAIGN = Campaign("Du avgör", ("06",), date(2024, 4, 1), date(2024, 5, 12))
SEEDS = (1, 2, 3)


def _cfg() -> WorldConfig:
    return WorldConfig.model_validate(
        {
            "world": {
                "name": "campaign",
                "start": "2024-01-01",
                "days": 182,
                "counties": ["05", "06"],
                "burn_in_days": 60,
            },
            "sellers": {"active_per_100k": 60.0, "campaign_supply_elasticity": ELASTICITY},
            "campaigns": [
                {"name": "Du avgör", "counties": ["06"], "start": "2024-04-01", "weeks": 6, "effect": EFFECT}
            ],
        }
    )


def _seller_days(seed: int, *, campaign: bool = True) -> tuple[dict[date, float], dict[date, float]]:
    cfg = _cfg() if campaign else _cfg().model_copy(update={"campaigns": []})
    act = simulate_supply(World.build(cfg), np.random.SeedSequence(seed).spawn(2)[0]).activity
    area: Counter[date] = Counter()
    ctrl: Counter[date] = Counter()
    for d, k, genuine in zip(act.day, act.kommun, act.genuine, strict=True):
        if genuine:
            (area if str(k).startswith("06") else ctrl)[cfg.world.start + timedelta(days=int(d))] += 1
    return dict(area), dict(ctrl)


@pytest.fixture(scope="module")
def worlds() -> dict[int, tuple[dict[date, float], dict[date, float]]]:
    return {s: _seller_days(s) for s in SEEDS}


def _true_rr(seed: int, area: dict[date, float]) -> float:
    """Seller-days in the campaign county and weeks, with over without the campaign (same seed)."""
    without, _ = _seller_days(seed, campaign=False)
    days = [d for d in area if CAMPAIGN.start <= d <= CAMPAIGN.end]
    return sum(area[d] for d in days) / sum(without.get(d, 0.0) for d in days)


def test_campaign_effect_detected_with_control(worlds: dict[int, tuple[dict[date, float], dict[date, float]]]) -> None:
    rrs, truths = [], []
    for seed, (area, ctrl) in worlds.items():
        eff = evaluate_campaign(area, CAMPAIGN, ctrl)
        assert eff.n_intervention == 6
        assert eff.high < 1.0  # the interval excludes "no effect"
        rrs.append(eff.rate_ratio)
        truths.append(_true_rr(seed, area))
    # The configured 0.70 applies to working days; thinning new spells as well compounds it, so the
    # true effect on seller-days (the same seed without the campaign) is stronger, about 0.6.
    assert np.mean(truths) < CONFIGURED
    assert np.mean(rrs) == pytest.approx(np.mean(truths), abs=0.06)


def test_campaign_interval_covers_configured_effect_in_most_seeds(
    worlds: dict[int, tuple[dict[date, float], dict[date, float]]],
) -> None:
    covered = []
    for area, ctrl in worlds.values():
        eff = evaluate_campaign(area, CAMPAIGN, ctrl, level=0.99)
        covered.append(eff.low <= CONFIGURED <= eff.high)
    assert sum(covered) >= 2


def test_campaign_effect_detected_without_control(
    worlds: dict[int, tuple[dict[date, float], dict[date, float]]],
) -> None:
    for area, _ in worlds.values():
        eff = evaluate_campaign(area, CAMPAIGN)
        assert eff.method.startswith("interrupted time series")
        assert eff.high < 1.0
        assert eff.rate_ratio == pytest.approx(CONFIGURED, abs=0.12)


def test_placebo_campaign_in_control_region_shows_small_effects(
    worlds: dict[int, tuple[dict[date, float], dict[date, float]]],
) -> None:
    # A campaign that never ran, in the control county: the estimates stay within 10% of no effect.
    # (Their intervals miss 1 more often than 5%: a single short series' level wanders more than a
    # linear trend allows; see docs/methods/campaigns.md. Prefer a control region.)
    placebo = Campaign("placebo", ("05",), CAMPAIGN.start, CAMPAIGN.end)
    for _area, ctrl in worlds.values():
        eff = evaluate_campaign(ctrl, placebo)
        assert eff.rate_ratio == pytest.approx(1.0, abs=0.10)
