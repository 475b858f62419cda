"""Command output for people and for Excel: numbers, languages, table width, plain text, exports, areas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from lagesbild.cli import _common, app
from lagesbild.cli._areas import area_code, county_code, municipality_code
from lagesbild.cli._common import OutputFormat, begin_output, csv_text, format_number, render, table_of
from lagesbild.settings import Settings

runner = CliRunner()


def _args(settings: Settings) -> list[str]:
    return ["--home", str(settings.home), "--db", settings.db]


def _ads(tmp_path: Path) -> Path:
    p = tmp_path / "ads.jsonl"
    recs = [
        {"site": "s", "site_ad_id": str(i), "seen_at": "2025-01-05", "location": loc, "phones": ["070-174 06 21"]}
        for i, loc in enumerate(["Linköping", "Linköping", "Norrköping"])
    ]
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (6061, "sv", "6\u00a0061"),
        (6061, "en", "6,061"),
        (0.8229, "sv", "0,82"),
        (0.8229, "en", "0.82"),
        (1924.72, "sv", "1\u00a0924,72"),
        (39016, "sv", "39\u00a0016"),
        (-1234567, "en", "-1,234,567"),
        (float("inf"), "sv", "∞"),
    ],
)
def test_format_number_follows_the_language(value: float, lang: str, text: str) -> None:
    assert format_number(value, lang) == text


def test_numbers_never_wrap_and_text_folds_at_80_columns() -> None:
    rows = [
        {"namn": "En mycket lång beskrivning av ett område " * 3, "annonser": 39016 + i, "andel": 0.8229}
        for i in range(3)
    ]
    out = Console(file=io.StringIO(), width=80, no_color=True)
    out.print(table_of(rows, lang="sv"))
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert all(len(line) <= 80 for line in text.splitlines())
    for i in range(3):
        assert f"39\u00a0{16 + i:03d}" in text  # the whole number on one line
    assert "0,82" in text
    # the long text was folded over several lines, not cut
    assert text.count("beskrivning") == 9


def test_piped_table_is_plain_text_and_headers_follow_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    begin_output(lang="en")
    render([{"namn": "Linköping", "annonser": 6061}], OutputFormat.table, title="t")
    out = capsys.readouterr().out
    assert "6,061" in out and "ads" in out and "name" in out
    assert out.splitlines()[0] == "t"  # the title on its own line, never wrapped to the table's width
    assert not set(out) & set("─│┃━┏┓╭╮┌┐└┘")  # no box drawing in a pipe
    begin_output(lang="sv")
    render([{"namn": "Linköping", "annonser": 6061}], OutputFormat.table)
    out = capsys.readouterr().out
    assert "6\u00a0061" in out and "annonser" in out


def test_csv_plain_and_for_excel() -> None:
    rows = [{"namn": "Linköping", "kr": 1924.72, "n": 3, "formel": "=1+1"}]
    plain = csv_text(rows)
    assert plain == "namn,kr,n,formel\nLinköping,1924.72,3,=1+1\n"
    excel = csv_text(rows, excel=True)
    assert excel == "namn;kr;n;formel\r\nLinköping;1924,72;3;'=1+1\r\n"


def test_stats_excel_out_writes_a_file_excel_opens(settings: Settings, tmp_path: Path) -> None:
    assert runner.invoke(app, [*_args(settings), "init"]).exit_code == 0
    assert runner.invoke(app, [*_args(settings), "import", "--no-progress", str(_ads(tmp_path))]).exit_code == 0
    out = tmp_path / "stats.csv"
    res = runner.invoke(app, [*_args(settings), "stats", "--raw", "--excel", "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert {(r["namn"], r["observationer"]) for r in rows} == {("Linköping", "2"), ("Norrköping", "1")}
    # the same command without --excel to stdout: plain CSV, no BOM
    res = runner.invoke(app, [*_args(settings), "stats", "--raw", "--format", "csv"])
    assert res.output.startswith("period,lan,kommun")


@pytest.mark.parametrize("value", ["05", "5", "Östergötland", "Östergötlands län", "ostergotlands LAN"])
def test_stats_accepts_county_codes_and_names(settings: Settings, tmp_path: Path, value: str) -> None:
    assert runner.invoke(app, [*_args(settings), "init"]).exit_code == 0
    assert runner.invoke(app, [*_args(settings), "import", "--no-progress", str(_ads(tmp_path))]).exit_code == 0
    res = runner.invoke(app, [*_args(settings), "stats", "--raw", "--format", "json", "--lan", value])
    assert res.exit_code == 0, res.output
    assert {r["namn"] for r in json.loads(res.output)} == {"Linköping", "Norrköping"}


def test_an_unknown_county_lists_the_choices(settings: Settings) -> None:
    res = runner.invoke(app, [*_args(settings), "stats", "--lan", "Narnia"])
    assert res.exit_code == 2
    flat = " ".join(res.output.replace("│", " ").split())
    assert "Narnia" in flat and "05 Östergötlands län" in flat and "25 Norrbottens län" in flat


def test_stats_on_an_empty_store_says_how_to_import(settings: Settings) -> None:
    assert runner.invoke(app, [*_args(settings), "init"]).exit_code == 0
    res = runner.invoke(app, [*_args(settings), "--lang", "en", "stats", "--lan", "5"])
    assert res.exit_code == 0
    assert "No observations yet in Östergötlands län" in res.output and "lagesbild import" in res.output
    res = runner.invoke(app, [*_args(settings), "stats"])
    assert "Inga observationer ännu" in res.output


def test_area_names_and_codes_resolve() -> None:
    assert county_code("1") == "01" and county_code("Stockholm") == "01" and county_code("99") is None
    assert municipality_code("580") == "0580" and municipality_code("linkoping") == "0580"
    assert municipality_code("Linköpings kommun") == "0580" and municipality_code("Narnia") is None
    assert area_code("SE") == "SE" and area_code("Skåne") == "12" and area_code("Norrköping") == "0581"


def test_lang_setting_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LAGESBILD_LANG", "en")
    begin_output(home=tmp_path)
    assert _common.current_lang() == "en"
    monkeypatch.setenv("LAGESBILD_LANG", "fi")
    begin_output(home=tmp_path)
    assert _common.current_lang() == "sv"  # a bad setting does not break output; load_settings reports it


def test_estimate_excel_out_and_area_by_name(settings: Settings, tmp_path: Path) -> None:
    assert runner.invoke(app, [*_args(settings), "init"]).exit_code == 0
    out = tmp_path / "demand.csv"
    args = ["estimate", "demand", "--area", "Östergötland", "--prevalence", "0.008", "--age", "18-65"]
    res = runner.invoke(app, [*_args(settings), *args, "--excel", "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0]["area"] == "05"
    assert "," in rows[0]["estimate"] and "." not in rows[0]["estimate"]  # decimal comma
    plain = runner.invoke(app, [*_args(settings), *args, "--format", "csv"])
    row = next(csv.DictReader(io.StringIO(plain.output)))
    assert float(row["estimate"]) == pytest.approx(float(rows[0]["estimate"].replace(",", ".")))
    res = runner.invoke(app, [*_args(settings), "estimate", "demand", "--area", "Atlantis", "--prevalence", "0.01"])
    assert res.exit_code == 2 and "Atlantis" in res.output


def test_refdata_headers_follow_the_language(settings: Settings) -> None:
    sv = runner.invoke(app, [*_args(settings), "refdata"])
    en = runner.invoke(app, [*_args(settings), "--lang", "en", "refdata"])
    assert sv.exit_code == 0 and en.exit_code == 0, sv.output + en.output
    assert "Referensdata" in sv.output and "antal" in sv.output and "år/källa" in sv.output
    assert "Reference data" in en.output and "count" in en.output and "year/source" in en.output
    assert "antal" not in en.output


def _commands(group: object, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    import click

    out: list[tuple[tuple[str, ...], object]] = []
    if isinstance(group, click.Group):
        for name, cmd in group.commands.items():
            out.append(((*path, name), cmd))
            out.extend(_commands(cmd, (*path, name)))
    return out


def test_no_help_text_is_eaten_as_console_markup() -> None:
    """Square brackets in a help text ("[default: the profile's]") are rich markup to Typer and vanish, leaving
    "Keep ad pages for `reprocess` ." in `--help`; every option's and argument's help must show whole."""
    import re

    import typer.main

    from lagesbild.cli import app as main_app

    root = typer.main.get_command(main_app)
    bad = []
    for path, cmd in _commands(root):
        for param in getattr(cmd, "params", []):
            text = getattr(param, "help", None) or ""
            for m in re.finditer(r"\[([^\]]*)\]", text):
                inner = m.group(1)
                if re.fullmatch(r"/?(bold|dim|red|green|yellow|italic|cyan|magenta|b|i)( \w+)?", inner):
                    continue  # deliberate styling
                bad.append(f"{' '.join(path)} {param.name}: [{inner}]")
    assert not bad, bad
