"""``lagesbild estimate crc`` on an anchor data set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lagesbild.cli.estimate import app

ANCHORS = Path(__file__).resolve().parents[1] / "data" / "anchors"


def test_crc_json_on_hare() -> None:
    # hare trapping occasions are ordered in time: the behavioural models Mb and Mbh apply
    result = CliRunner().invoke(app, ["crc", str(ANCHORS / "hare.csv"), "--format", "json", "--ordered"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["n_observed"] == 68 and payload["n_occasions"] == 6
    models = payload["models"]
    assert len(models) == 12
    assert [m["aic"] for m in models] == sorted(m["aic"] for m in models)
    best = models[0]
    assert best["model"] == "Mth Poisson2"
    assert best["abundance"] == pytest.approx(81.0792814076451, rel=1e-4)
    assert best["ci_low"] == pytest.approx(71.8216623361089, rel=1e-3)
    assert best["ci_high"] == pytest.approx(93.8467247272069, rel=1e-3)
    for key in ("stderr", "deviance", "df", "bic", "ci_method"):
        assert key in best
    mbh = next(m for m in models if m["model"] == "Mbh")
    assert mbh["stderr"] == pytest.approx(4.65, abs=0.005)


def test_crc_rcapture_compat_table_and_csv() -> None:
    runner = CliRunner()
    path = str(ANCHORS / "hare.csv")
    res = runner.invoke(app, ["crc", path, "--format", "json", "--rcapture-mbh-se", "--no-profile", "--ordered"])
    mbh = next(m for m in json.loads(res.stdout)["models"] if m["model"] == "Mbh")
    assert mbh["stderr"] == pytest.approx(14.5943603486998, rel=1e-4)
    res = runner.invoke(app, ["crc", path, "--format", "csv", "--no-profile", "--ordered"])
    assert res.exit_code == 0
    lines = res.stdout.strip().splitlines()
    assert lines[0].startswith("model,abundance,stderr,deviance,df,aic,bic,ci_low,ci_high")
    assert len(lines) == 13
    res = runner.invoke(app, ["crc", path, "--no-profile"])
    assert res.exit_code == 0 and "Mth Poisson2" in res.stdout


def test_crc_leaves_behavioural_models_out_of_unordered_lists() -> None:
    res = CliRunner().invoke(app, ["crc", str(ANCHORS / "hare.csv"), "--format", "json", "--no-profile"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    names = [m["model"] for m in payload["models"]]
    assert payload["ordered"] is False and len(names) == 10
    assert "Mb" not in names and "Mbh" not in names


def test_crc_bad_file_exits_with_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,0\n1,7\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["crc", str(bad)])
    assert res.exit_code == 2
