"""``lagesbild estimate crc --dependent-lists``: sample coverage and multiple systems estimation."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lagesbild.cli.estimate import app

ANCHORS = Path(__file__).resolve().parents[1] / "data" / "anchors"


def _json(*args: str) -> dict[str, object]:
    res = CliRunner().invoke(app, ["crc", *args, "--format", "json", "--no-profile"])
    assert res.exit_code == 0, res.output
    payload: dict[str, object] = json.loads(res.stdout)
    return payload


def test_three_lists_give_sample_coverage_and_mse() -> None:
    payload = _json(str(ANCHORS / "CARE1_HAV_histories.csv"), "--dependent-lists", "--bootstrap", "50")
    coverage = payload["sample_coverage"]
    assert isinstance(coverage, list)
    by_method = {r["method"]: r for r in coverage}
    assert set(by_method) == {"Indep", "HSC", "LSC"}
    assert by_method["LSC"]["abundance"] == pytest.approx(507.771995547061, rel=1e-9)
    assert by_method["LSC"]["n_bootstrap"] == 50
    assert by_method["LSC"]["ci_low"] < 507.77 < by_method["LSC"]["ci_high"]
    mse = payload["multiple_systems"]
    assert isinstance(mse, list) and [r["method"] for r in mse] == ["main", "stepwise"]
    assert payload["dependence_notes"] == []
    assert len(payload["models"]) == 10  # the log-linear models are still all there (no Mb, Mbh: lists)


def test_more_lists_give_mse_only_with_a_note() -> None:
    payload = _json(str(ANCHORS / "SparseMSE_UKdat.csv"), "--dependent-lists")
    assert payload["sample_coverage"] == []
    assert payload["dependence_notes"] == ["sample coverage is only defined for exactly three sources"]
    mse = payload["multiple_systems"]
    assert isinstance(mse, list)
    step = mse[1]
    assert step["abundance"] == pytest.approx(11417.9910915046, rel=1e-6)
    assert ["PF", "NCA"] == step["interactions"][0] == step["steps"][0]["lists"]


def test_dependent_lists_are_opt_in_and_reach_csv_and_table() -> None:
    path = str(ANCHORS / "CARE1_HAV_histories.csv")
    plain = _json(path)
    assert "sample_coverage" not in plain and "multiple_systems" not in plain
    runner = CliRunner()
    res = runner.invoke(app, ["crc", path, "--no-profile", "--dependent-lists", "--bootstrap", "0", "-f", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    names = [r["model"] for r in rows]
    assert len(rows) == 10 + 3 + 2  # sources are lists, not occasions: no Mb, Mbh
    assert names[-5:] == [
        "Sample coverage Indep",
        "Sample coverage HSC",
        "Sample coverage LSC",
        "MSE main: main",
        "MSE stepwise: main",
    ]
    assert float(rows[-4]["abundance"]) == pytest.approx(970.804763623241, rel=1e-9)
    res = runner.invoke(app, ["crc", path, "--no-profile", "--dependent-lists", "--bootstrap", "20"])
    assert res.exit_code == 0, res.output
    assert "Estimators allowing dependent sources" in res.stdout and "Sample coverage" in res.stdout


def test_two_sources_explain_why_nothing_is_added() -> None:
    payload = _json(str(ANCHORS / "synthetic_two_source.csv"), "--dependent-lists")
    assert payload["multiple_systems"] == [] and payload["sample_coverage"] == []
    assert payload["dependence_notes"] == ["the estimators for dependent sources need at least three sources"]
