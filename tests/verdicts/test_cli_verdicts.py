"""``lagesbild verdicts``: import, profile and flows in every output format (both backends)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from lagesbild.cli import _global, core
from lagesbild.cli import verdicts as verdicts_cmd
from lagesbild.settings import Settings

from .test_extract import simulated

runner = CliRunner()


def _app() -> typer.Typer:
    """The root app as the lead wires it: global options, ``init`` and the ``verdicts`` group."""
    root = typer.Typer()
    root.callback()(_global)
    root.command("init")(core.init)
    root.add_typer(verdicts_cmd.app, name="verdicts")
    return root


def test_import_profile_flows(settings: Settings, tmp_path: Path) -> None:
    app = _app()
    base = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(app, [*base, "init"]).exit_code == 0
    verdicts = simulated(9, n=3000)
    src = tmp_path / "verdicts.jsonl"
    src.write_text("\n".join(json.dumps(v, ensure_ascii=False) for v in verdicts) + "\n", encoding="utf-8")
    res = runner.invoke(app, [*base, "verdicts", "import", str(src)])
    assert res.exit_code == 0, res.output
    assert f"{len(verdicts)} new" in res.output
    in05 = [v for v in verdicts if v["offence_kommun"].startswith("05")]

    res = runner.invoke(app, [*base, "verdicts", "profile", "--lan", "05", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["n"] == len(in05)
    res = runner.invoke(app, [*base, "verdicts", "profile", "--lan", "05"])
    assert res.exit_code == 0 and "Age profile" in res.output

    res = runner.invoke(app, [*base, "verdicts", "flows", "--lan", "05", "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert sum(int(r["verdicts"]) for r in rows) == len(in05)
    res = runner.invoke(app, [*base, "verdicts", "flows", "--lan", "05"])
    assert res.exit_code == 0 and "own municipality" in res.output


def test_missing_file_is_a_friendly_error(settings: Settings, tmp_path: Path) -> None:
    app = _app()
    base = ["--home", str(settings.home), "--db", settings.db]
    runner.invoke(app, [*base, "init"])
    res = runner.invoke(app, [*base, "verdicts", "import", str(tmp_path / "nope.jsonl")])
    assert res.exit_code == 2
    assert "no such file" in res.output
