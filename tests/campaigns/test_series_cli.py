"""``lagesbild campaigns evaluate --series``: external series, the ITS and CausalImpact anchors through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from lagesbild.cli import campaigns as campaigns_cmd

runner = CliRunner()
DATA = Path(__file__).parents[1] / "data" / "anchors"
CI_EXAMPLE = Path(__file__).parents[1] / "data" / "anchors" / "ci_example.csv"


def _app() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        pass

    root.add_typer(campaigns_cmd.app, name="campaigns")
    return root


def _sicily_csv(tmp_path: Path) -> Path:
    """The Sicily series as an analyst would give it: date;value;exposure, decimal commas."""
    with (DATA / "sicily.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = tmp_path / "sicily_series.csv"
    lines = ["date;aces;stdpop"]
    for r in rows:
        lines.append(f"{int(r['year']):04d}-{int(r['month']):02d};{r['aces']};{r['stdpop'].replace('.', ',')}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _expected(model: str) -> dict[tuple[str, str], float]:
    got = {}
    with (DATA / "its_expected_values.csv").open(newline="") as fh:
        for r in csv.DictReader(fh):
            if r["method"] == f"R glm {model}":
                term, stat = r["quantity"].rsplit(" ", 1)
                got[(term, stat)] = float(r["expected"])
    assert got, model
    return got


def _invoke(args: list[str]) -> dict[str, object]:
    res = runner.invoke(_app(), ["campaigns", "evaluate", *args, "--format", "json"])
    assert res.exit_code == 0, res.output
    out: dict[str, object] = json.loads(res.stdout)
    return out


@pytest.mark.parametrize(
    ("model", "opts"),
    [
        ("model1_poisson", ["--family", "poisson"]),
        ("model2_quasipoisson", []),
        ("model3_qp_harmonic", ["--seasonality", "2"]),
        ("model4_qp_slope", ["--seasonality", "2", "--slope-change"]),
    ],
)
def test_its_anchor_through_the_cli(tmp_path: Path, model: str, opts: list[str]) -> None:
    f = _sicily_csv(tmp_path)
    row = _invoke(["--series", str(f), "--start", "2005-01", "--exposure", "stdpop", *opts])
    exp = _expected(model)
    assert row["rate_ratio"] == pytest.approx(exp[("smokban", "RR")], rel=1e-5)
    assert row["low"] == pytest.approx(exp[("smokban", "RR_lo")], rel=1e-5)
    assert row["high"] == pytest.approx(exp[("smokban", "RR_hi")], rel=1e-5)
    if ("smokban", "dispersion") in exp:
        assert row["dispersion"] == pytest.approx(exp[("smokban", "dispersion")], rel=1e-4)
    assert row["weeks"] == 59 and row["campaign_weeks"] == 23
    # the interval of models 1-3 excludes 1: a decrease is claimed, in Swedish
    if float(str(row["high"])) < 1:
        assert str(row["verdict_sv"]).startswith("Minskning")
    else:
        assert "Data räcker inte för att avgöra" in str(row["verdict_sv"])


def test_causalimpact_anchor_through_the_cli() -> None:
    """R's CausalImpact on its reference example: average effect 9.87 (95% 9.18-10.54)."""
    row = _invoke(["--series", str(CI_EXAMPLE), "--start", "2025-05-05", "--method", "sts"])
    assert row["average_effect"] == pytest.approx(9.87, abs=0.1)
    assert row["low"] == pytest.approx(9.18, abs=0.2)
    assert row["high"] == pytest.approx(10.54, abs=0.2)
    assert row["campaign_points"] == 30 and row["points_before"] == 70
    assert str(row["verdict_sv"]).startswith("Ökning")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("date;value\n2024-01-01;3\n2024-01-08;x\n2024-01-15;2\n2024-01-22;2\n", ":3: field 'value': not a number"),
        ("date;value\n2024-01-01;3\n2024-13-08;4\n2024-01-15;2\n2024-01-22;2\n", ":3: field 'date': not a date"),
        ("date;value\n2024-01-01;3\n2024-01-08;-4\n2024-01-15;2\n2024-01-22;2\n", ":3: field 'value': the outcome"),
        ("date;value\n2024-01-08;3\n2024-01-01;4\n2024-01-15;2\n2024-01-22;2\n", ":3: field 'date': dates must"),
        ("date;value\n2024-01-01;3\n2024-01-08\n2024-01-15;2\n2024-01-22;2\n", ":3: expected 2 fields"),
        ("day;value\n2024-01-01;3\n", ":1: field 'date': the header"),
    ],
)
def test_bad_series_names_file_line_field(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(content, encoding="utf-8")
    res = runner.invoke(_app(), ["campaigns", "evaluate", "--series", str(f), "--start", "2024-01-15"])
    assert res.exit_code == 2, res.output
    assert "bad.csv" + message in " ".join(res.output.split()).replace("bad.csv ", "bad.csv")


def test_sts_needs_controls_and_start(tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text("date,value\n" + "".join(f"2024-01-{d:02d},{d}\n" for d in range(1, 11)), encoding="utf-8")
    args = ["campaigns", "evaluate", "--series", str(f), "--start", "2024-01-05", "--method", "sts"]
    res = runner.invoke(_app(), args)
    assert res.exit_code == 2 and "needs at least one control" in res.output
    res = runner.invoke(_app(), ["campaigns", "evaluate", "--series", str(f)])
    assert res.exit_code == 2 and "--start" in res.output
