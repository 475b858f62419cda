"""The command line: thin commands, friendly errors, output formats (on both backends)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from lagesbild.cli import app
from lagesbild.settings import Settings

runner = CliRunner()


def _args(settings: Settings) -> list[str]:
    return ["--home", str(settings.home), "--db", settings.db]


def _ads(tmp_path: Path) -> Path:
    p = tmp_path / "ads.jsonl"
    recs = [
        {
            "site": "s",
            "site_ad_id": str(i),
            "seen_at": f"2025-0{1 + i % 2}-05",
            "location": loc,
            "phones": ["070-174 06 20"],
        }
        for i, loc in enumerate(["Linköping", "Linköping", "Norrköping", "Sthlm", "okänd plats"])
    ]
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    return p


def test_init_import_stats_round_trip(settings: Settings, tmp_path: Path) -> None:
    res = runner.invoke(app, [*_args(settings), "init"])
    assert res.exit_code == 0, res.output
    assert "created" in res.output
    res = runner.invoke(app, [*_args(settings), "import", "--no-progress", str(_ads(tmp_path))])
    assert res.exit_code == 0, res.output
    assert "5 records, 5 new" in res.output
    res = runner.invoke(app, [*_args(settings), "stats", "--lan", "05", "--format", "csv", "--raw"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert {(r["period"], r["namn"], r["observationer"]) for r in rows} == {
        ("2025-01", "Linköping", "1"),
        ("2025-02", "Linköping", "1"),
        ("2025-01", "Norrköping", "1"),
    }
    # without --raw, stats hides what the report of the same period hides
    res = runner.invoke(app, [*_args(settings), "stats", "--lan", "05", "--format", "csv"])
    assert {(r["namn"], r["observationer"], r["annonser"]) for r in csv.DictReader(io.StringIO(res.output))} == {
        ("Linköping", "<5", "<5"),
        ("Norrköping", "<5", "<5"),
    }
    res = runner.invoke(app, [*_args(settings), "stats", "--period", "year", "--format", "json", "--raw"])
    data = json.loads(res.output)
    assert {(d["namn"], d["annonser"]) for d in data} == {
        ("Linköping", 2),
        ("Norrköping", 1),
        ("Stockholm", 1),
        ("(okänd)", 1),
    }
    res = runner.invoke(app, [*_args(settings), "stats"])
    assert res.exit_code == 0 and "Linköping" in res.output


def test_bad_input_exits_2_with_file_and_line(settings: Settings, tmp_path: Path) -> None:
    runner.invoke(app, [*_args(settings), "init"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"site": "s", "site_ad_id": "1", "seen_at": "2025-01-01"}\n{"site": \n')
    res = runner.invoke(app, [*_args(settings), "import", "--no-progress", str(bad)])
    assert res.exit_code == 2
    assert "bad.jsonl:2: malformed JSON" in res.output.replace("\n", "")
    assert "Traceback" not in res.output


def test_commands_need_init_first(settings: Settings) -> None:
    res = runner.invoke(app, [*_args(settings), "stats"])
    assert res.exit_code == 1
    assert "lagesbild init" in res.output


def test_unknown_county_is_a_clear_error(settings: Settings) -> None:
    runner.invoke(app, [*_args(settings), "init"])
    res = runner.invoke(app, [*_args(settings), "stats", "--lan", "77"])
    # bad input: exit 2, and the valid choices are listed
    flat = " ".join(res.output.replace("│", " ").split())
    assert res.exit_code == 2 and "unknown county '77'" in flat and "05 Östergötlands län" in flat


def test_dry_run_stores_nothing(settings: Settings, tmp_path: Path) -> None:
    runner.invoke(app, [*_args(settings), "init"])
    res = runner.invoke(app, [*_args(settings), "import", "--dry-run", "--no-progress", str(_ads(tmp_path))])
    assert res.exit_code == 0 and "dry run" in res.output
    res = runner.invoke(app, [*_args(settings), "stats", "--format", "json"])
    assert json.loads(res.output) == []


def test_refdata_shows_bundled_and_imported_years(settings: Settings, tmp_path: Path) -> None:
    res = runner.invoke(app, [*_args(settings), "refdata", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output[res.output.index("[") :])
    assert {"data": "kommuner", "antal": 290, "år/källa": "SCB, koder gällande från 2007"} in data


def test_every_command_has_help_with_an_example() -> None:
    for cmd in (["init"], ["import"], ["stats"], ["demo"], ["refdata", "import-population"]):
        res = runner.invoke(app, [*cmd, "--help"])
        assert res.exit_code == 0
        assert "Usage" in res.output
    for cmd in (["import"], ["stats"], ["demo"], ["refdata", "import-population"]):
        assert "Example" in runner.invoke(app, [*cmd, "--help"]).output


def test_import_normalizes_and_links_the_new_observations(settings: Settings, tmp_path: Path) -> None:
    runner.invoke(app, [*_args(settings), "init"])
    res = runner.invoke(app, [*_args(settings), "import", "--no-progress", str(_ads(tmp_path))])
    assert res.exit_code == 0, res.output
    assert "Normalized 5 observations" in res.output
    # One phone number across the five ads, but different places: the export lists every observation linked.
    res = runner.invoke(app, [*_args(settings), "export", "links", "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert len(rows) == 5 and all(r["ad_id"] and r["advertiser_id"] for r in rows)
    assert len({r["advertiser_id"] for r in rows}) == 1  # the shared number ties them to one contact


def test_import_without_processing_leaves_links_empty(settings: Settings, tmp_path: Path) -> None:
    runner.invoke(app, [*_args(settings), "init"])
    res = runner.invoke(app, [*_args(settings), "import", "--no-progress", "--no-process", str(_ads(tmp_path))])
    assert res.exit_code == 0 and "Normalized" not in res.output
