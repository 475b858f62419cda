"""The demo runs end to end in a fresh folder."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from lagesbild.cli import app


def test_demo_runs_and_prints_counts(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert res.exit_code == 0, res.output
    assert "Linköping" in res.output
    assert (tmp_path / "demo" / "secret.key").exists()
