"""``lagesbild campaigns``: add, import, list, evaluate (the group as the lead wires it)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from lagesbild.cli import campaigns as campaigns_cmd
from lagesbild.settings import Settings

from .test_campaign_store import write_ads

runner = CliRunner()


def _app(settings: Settings) -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = {"home": settings.home, "db": settings.db, "key_file": None}

    root.add_typer(campaigns_cmd.app, name="campaigns")
    return root


def test_add_import_list_evaluate(settings: Settings, tmp_path: Path) -> None:
    from lagesbild.cli import app as main_app

    ads = write_ads(tmp_path / "ads.jsonl")
    base = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(main_app, [*base, "init"]).exit_code == 0
    assert runner.invoke(main_app, [*base, "import", "--no-progress", str(ads)]).exit_code == 0
    app = _app(settings)
    res = runner.invoke(
        app, ["campaigns", "add", "Du avgör", "--counties", "06", "--start", "2024-03-04", "--end", "2024-04-14"]
    )
    assert res.exit_code == 0, res.output
    csv_file = tmp_path / "truth.csv"
    csv_file.write_text(
        "name,county,start,end,effect\nSluta köpa sex,05,2024-04-15,2024-05-19,-0.15\n", encoding="utf-8"
    )
    assert runner.invoke(app, ["campaigns", "import", str(csv_file)]).exit_code == 0
    res = runner.invoke(app, ["campaigns", "list", "--format", "json"])
    assert [r["name"] for r in json.loads(res.stdout)] == ["Du avgör", "Sluta köpa sex"]
    res = runner.invoke(app, ["campaigns", "evaluate", "Du avgör", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["low"] <= 0.7 <= out["high"] < 1
    assert out["verdict_sv"].startswith("Minskning") and out["verdict_en"].startswith("Decrease")
    res = runner.invoke(app, ["campaigns", "evaluate", "Du avgör"])
    assert res.exit_code == 0 and "%" in res.stdout


def test_unknown_campaign_is_a_friendly_error(settings: Settings) -> None:
    from lagesbild.cli import app as main_app

    assert runner.invoke(main_app, ["--home", str(settings.home), "--db", settings.db, "init"]).exit_code == 0
    res = runner.invoke(_app(settings), ["campaigns", "evaluate", "okänd"])
    assert res.exit_code == 2
    assert "no campaign called" in res.output


def test_every_campaigns_command_has_help_with_an_example(settings: Settings) -> None:
    for cmd in ("add", "import", "list", "evaluate", "power"):
        res = runner.invoke(_app(settings), ["campaigns", cmd, "--help"])
        assert res.exit_code == 0 and "Example" in res.output, cmd


def test_evaluate_stored_campaign_with_sts(settings: Settings, tmp_path: Path) -> None:
    """The stored -30% campaign in 06 against 05 as control, by the structural time-series counterfactual."""
    from lagesbild.cli import app as main_app

    from .test_campaign_store import CAMPAIGN

    ads = write_ads(tmp_path / "ads.jsonl")
    base = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(main_app, [*base, "init"]).exit_code == 0
    assert runner.invoke(main_app, [*base, "import", "--no-progress", str(ads)]).exit_code == 0
    app = _app(settings)
    args = ["campaigns", "add", "K", "--counties", "06", "--start", str(CAMPAIGN.start), "--end", str(CAMPAIGN.end)]
    assert runner.invoke(app, args).exit_code == 0
    res = runner.invoke(app, ["campaigns", "evaluate", "K", "--method", "sts", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["relative_low"] <= -0.3 <= out["relative_high"] < 0, out
    assert out["verdict_sv"].startswith("Minskning")
    res = runner.invoke(app, ["campaigns", "evaluate", "K", "--method", "xyz"])
    assert res.exit_code == 2 and "glm or sts" in res.output


def test_evaluate_shows_one_row_per_measure(settings: Settings, tmp_path: Path) -> None:
    """Every measure is evaluated (the import links: each one-day ad is its own person here)."""
    from lagesbild.cli import app as main_app

    ads = write_ads(tmp_path / "ads.jsonl")  # every sighting is a new site ad: new ads = ad-days
    base = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(main_app, [*base, "init"]).exit_code == 0
    assert runner.invoke(main_app, [*base, "import", "--no-progress", str(ads)]).exit_code == 0
    app = _app(settings)
    args = ["campaigns", "add", "Du avgör", "--counties", "06", "--start", "2024-03-04", "--end", "2024-04-14"]
    assert runner.invoke(app, args).exit_code == 0
    res = runner.invoke(app, ["campaigns", "evaluate", "Du avgör", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    rows = {r["series"]: r for r in out["series"]}
    assert list(rows) == ["ad_days", "new_ads", "active_persons", "purchases"]
    assert rows["ad_days"]["rate_ratio"] == out["rate_ratio"] and rows["ad_days"]["high"] < 1
    for key in ("new_ads", "active_persons", "purchases"):  # all follow the -30% in 06
        assert rows[key]["low"] <= 0.7 <= rows[key]["high"] < 1, rows[key]
        assert rows[key]["verdict_sv"].startswith("Minskning")
    res = runner.invoke(app, ["campaigns", "evaluate", "Du avgör"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    for label in ("annonsdagar", "nya annonser", "aktiva personer", "skattade köp"):
        assert label in text
    assert text.count("Minskning") == 4
