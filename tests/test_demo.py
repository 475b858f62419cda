"""The demo runs the chain on a simulated market and prints estimates beside the truth."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lagesbild.cli import app
from lagesbild.demo import DemoResult, run_demo


def test_demo_recovers_the_simulated_observations_per_county_year(tmp_path: Path) -> None:
    res = run_demo(tmp_path / "demo", preset="ostergotland", seed=7)
    _same_figures_in_demo_report_and_cli(res)
    obs = [c for c in res.comparisons if c.what.startswith("observationer")]
    assert obs and all(c.truth is not None and abs(c.estimate - c.truth) <= 0.01 * c.truth for c in obs)
    purchases = [c for c in res.comparisons if c.what.startswith("sexköp per år")]
    assert len(purchases) == 2 and all(c.covered for c in purchases)  # seed 7: both years inside the interval
    # The persons estimate (women) sits below the personas linking counted, with its interval around it.
    seen = {c.period: c for c in res.comparisons if c.what.startswith("personer, länkade")}
    women = [c for c in res.comparisons if c.what.startswith("personer (kvinnor)")]
    assert len(women) == 2 and {c.period for c in women} == set(seen)
    for c in women:
        assert c.low is not None and c.high is not None and c.low <= c.estimate <= c.high
        assert c.estimate < seen[c.period].estimate and c.truth is not None
        assert abs(c.estimate - c.truth) < abs(seen[c.period].estimate - c.truth)
    demand = [c for c in res.comparisons if c.what.startswith("sexköpare")]
    assert demand and all(c.low is not None and c.high is not None and c.low < c.estimate < c.high for c in demand)
    assert (tmp_path / "demo" / "data" / "secret.key").exists()
    # The last days were crawled live from the simulated sites, healthy, and completed the archive.
    assert len(res.live.days) == 3 and res.live.pages > 0 and res.live.new_observations > 0
    assert res.live.degraded == []
    # It ends with the lägesbild per year, the second followed up against the first.
    assert [r.files.pdf is not None and r.files.pdf.exists() for r in res.reports] == [True, True]
    assert all(r.files.html.exists() and r.files.json.exists() for r in res.reports)


def _same_figures_in_demo_report_and_cli(res: DemoResult) -> None:
    """The demo's table, the report and `estimate run` print one value per quantity: the stored suite's."""
    runner = CliRunner()
    for report in res.reports:
        year = report.context.period_label
        suite = res.suites[year]
        assert report.context.suite_run_id == suite.run_id and report.context.simulated
        assert "Simulerade uppgifter" in report.files.html.read_text(encoding="utf-8")
        demo = {c.what: c for c in res.comparisons if c.period == year}
        cli = runner.invoke(
            app, ["--home", str(res.home), "estimate", "run", "--area", res.county, "--year", year, "-f", "json"]
        )
        assert cli.exit_code == 0, cli.output
        printed = json.loads(cli.stdout)["figures"]
        for what, quantity, key in (
            ("sexköp per år (utbudssidan)", "purchases", "purchases"),
            ("personer (kvinnor), skattade", "persons", "persons"),
            ("sexköpare 12 mån (befolkning × andel)", "demand_12m", "buyers_12m"),
        ):
            f, c, k = suite.figure(quantity), demo[what], report.context.key_figure(key)
            assert f is not None and k is not None
            assert (c.estimate, c.low, c.high) == (f.estimate, f.low, f.high) == (k.value, k.low, k.high), what
            assert (printed[quantity]["estimate"], printed[quantity]["low"]) == (f.estimate, f.low), what
        crc = next(c for c in res.comparisons if c.period == year and c.what.startswith("personer inkl. osedda"))
        assert not crc.published and printed["persons_crc"]["published"] is False
        assert report.context.hidden_population is None


def test_demo_command_prints_estimates_beside_truth_and_is_rerunnable(tmp_path: Path) -> None:
    runner = CliRunner()
    for _ in range(2):
        res = runner.invoke(app, ["demo", "--out", str(tmp_path / "d"), "--preset", "tiny", "--lan", "05"])
        assert res.exit_code == 0, res.output
    assert "simulerad" in res.output and "Linköping" in res.output
