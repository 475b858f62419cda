"""``lagesbild campaigns power``: the minimum detectable effect before a campaign runs."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lagesbild.campaigns.evaluate import GlmSettings
from lagesbild.campaigns.power import power_for_daily, power_from_interval
from lagesbild.errors import InputError
from lagesbild.settings import Settings

from .test_campaign_store import write_ads
from .test_campaigns_cli import _app
from .test_series_cli import CI_EXAMPLE
from .test_series_cli import _app as _bare_app

runner = CliRunner()
PLAIN = GlmSettings(hac_lags=0)  # model-based quasi-Poisson intervals, every week, no multiplier: the formula's


def test_power_from_interval_matches_the_formula() -> None:
    # rate ratio 0.8-1.25 at 95%: se = ln(1.5625)/(2*1.96); k = 1.96 + 0.8416
    m = power_from_interval(0.8, 1.25, level=0.95)
    se = math.log(1.25 / 0.8) / (2 * 1.959964)
    assert m.se == pytest.approx(se, rel=1e-5)
    assert m.decrease_pct == pytest.approx(100 * (1 - math.exp(-(1.959964 + 0.841621) * se)), rel=1e-5)
    assert m.decrease_pct == pytest.approx(27.3, abs=0.1)
    # higher wanted power -> larger detectable effect
    assert power_from_interval(0.8, 1.25, level=0.95, power=0.9).decrease_pct > m.decrease_pct
    with pytest.raises(InputError, match="alpha and power"):
        power_from_interval(0.8, 1.25, level=0.95, power=1.0)


def _daily(per_day: float, days: int, seed: int) -> dict[date, float]:
    rng = np.random.default_rng(seed)
    d0 = date(2024, 1, 1)
    return {d0 + timedelta(days=i): float(rng.poisson(per_day)) for i in range(days)}


def test_more_data_and_longer_campaigns_detect_smaller_effects() -> None:
    small = power_for_daily(_daily(5, 7 * 30, 11), 5, _daily(50, 7 * 30, 12), settings=PLAIN)
    large = power_for_daily(_daily(100, 7 * 30, 13), 5, _daily(1000, 7 * 30, 14), settings=PLAIN)
    longer = power_for_daily(_daily(5, 7 * 30, 11), 10, _daily(50, 7 * 30, 12), settings=PLAIN)
    assert large.decrease_pct < small.decrease_pct
    assert longer.decrease_pct < small.decrease_pct
    # Poisson counts, 5 weeks of 35/week against a 10x control: se of log RR ~ sqrt(1/175 + 1/(25*35)) ~ 0.08
    assert 0.05 < small.se < 0.15
    # the calibrated setting (the one evaluations use) is wider: its standard error is multiplied
    calibrated = power_for_daily(_daily(5, 7 * 30, 11), 5, _daily(50, 7 * 30, 12))
    assert calibrated.se > small.se and "standard error x" in calibrated.method
    with pytest.raises(InputError, match="at least one week"):
        power_for_daily(_daily(5, 70, 1), 0)


def test_power_cli_on_a_series() -> None:
    args = ["campaigns", "power", "--series", str(CI_EXAMPLE), "--weeks", "10", "--method", "sts", "--format", "json"]
    res = runner.invoke(_bare_app(), args)
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)
    assert row["duration"] == 10 and 0 < row["minimum_detectable_decrease_pct"] < 10
    res = runner.invoke(_bare_app(), ["campaigns", "power", "--series", str(CI_EXAMPLE), "--weeks", "10"])
    assert res.exit_code == 0 and "måste minska serien med minst" in res.output


def test_power_cli_on_the_store(settings: Settings, tmp_path: Path) -> None:
    from lagesbild.cli import app as main_app

    ads = write_ads(tmp_path / "ads.jsonl")
    base = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(main_app, [*base, "init"]).exit_code == 0
    assert runner.invoke(main_app, [*base, "import", "--no-progress", str(ads)]).exit_code == 0
    res = runner.invoke(_app(settings), ["campaigns", "power", "--counties", "06", "--weeks", "5", "--format", "json"])
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)
    assert row["area"] == "06" and 0 < row["minimum_detectable_decrease_pct"] < 60
    res = runner.invoke(_app(settings), ["campaigns", "power"])
    assert res.exit_code == 2 and "--counties" in res.output


def test_detectable_effect_is_detected_at_the_stated_power() -> None:
    """Poisson counts (20/day in the area, 200/day control, 30 weeks): a campaign cutting the area by
    the (median) minimum detectable effect is detected about 80% of the time, and a null one ~5%."""
    from lagesbild.campaigns.evaluate import evaluate_campaign
    from lagesbild.records.campaigns import Campaign

    rng = np.random.default_rng(20261206)
    d0, weeks, last = date(2024, 1, 1), 30, 5

    def gen(lam: float, factor: float = 1.0) -> dict[date, float]:
        cut = 7 * (weeks - last)
        means = [lam * (factor if i >= cut else 1.0) for i in range(7 * weeks)]
        return {d0 + timedelta(days=i): float(rng.poisson(m)) for i, m in enumerate(means)}

    mde = float(np.median([power_for_daily(gen(20), last, gen(200), settings=PLAIN).decrease_pct for _ in range(15)]))
    c = Campaign("x", ("01",), d0 + timedelta(days=7 * (weeks - last)), d0 + timedelta(days=7 * weeks - 1))
    n = 200
    hits = sum(evaluate_campaign(gen(20, 1 - mde / 100), c, gen(200), settings=PLAIN).high < 1 for _ in range(n))
    nulls = [evaluate_campaign(gen(20), c, gen(200), settings=PLAIN) for _ in range(n)]
    false_pos = sum(e.high < 1 or e.low > 1 for e in nulls)
    assert 0.72 <= hits / n <= 0.88, (mde, hits / n)
    assert false_pos / n <= 0.09, false_pos / n
