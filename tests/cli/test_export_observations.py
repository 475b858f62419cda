"""`lagesbild export observations`: what a crawl or import stored, per sighting, and never a raw identifier.

Issue 17: a new user who crawled an unseen site had no way to see the stored values per ad
(title, age, place, price, posting date, phones, pictures) but raw SQL, and `link list` broke
its ad keys over two lines at 80 columns, so they could not be copied into `link explain`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from rich.console import Console
from typer.testing import CliRunner

from lagesbild.cli import app
from lagesbild.cli._common import begin_output, fit_whole, table_of
from lagesbild.cli.export import COLUMNS
from lagesbild.settings import Settings
from lagesbild.store import Store
from lagesbild.store.web import WebStore

runner = CliRunner()

# Fictional numbers (PTS's ranges) and addresses, in the forms an ad writes them
PHONE_A = "070-174 06 20"
PHONE_B = "031-390 06 42"
EMAIL = "anna.fiktiv@example.com"
RAW = ("701740620", "313900642", "anna.fiktiv", "example.com")
"""Each raw identifier as digits or text; none of them may appear in any output, in any spelling."""


def _args(settings: Settings) -> list[str]:
    return ["--home", str(settings.home), "--db", settings.db]


def _ads(tmp_path: Path) -> Path:
    recs = []
    for day in (1, 2, 3):
        recs.append(
            {
                "site": "nattfjaril",
                "site_ad_id": "485921",
                "seen_at": f"2025-01-0{day}T12:00:00Z",
                "url": "https://nattfjaril.example/annons/485921?tel=0701740620",
                "title": f"Anna 25 ring {PHONE_A}",
                "body": f"Ny i stan. Ring {PHONE_A} eller maila {EMAIL}. 1500 kr/h",
                "location": "Linköping",
                "name": "Anna",
                "age": 25,
                "price": "1500 kr/h",
                "language": "sv",
                "phones": [PHONE_A],
                "emails": [EMAIL],
                "image_hashes": ["ab12cd34ef56ab12", "0f0f0f0f0f0f0f0f"],
                "posted_at": "2024-12-30",
            }
        )
    recs.append(
        {
            "site": "kontaktlistan",
            "site_ad_id": "k1",
            "seen_at": "2025-01-02T10:00:00Z",
            "title": "Olga",
            "body": f"Olga i Motala, {PHONE_B}",
            "phones": [PHONE_B],
        }
    )
    p = tmp_path / "ads.jsonl"
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    return p


@pytest.fixture
def imported(settings: Settings, tmp_path: Path) -> list[str]:
    args = _args(settings)
    assert runner.invoke(app, [*args, "init"]).exit_code == 0
    res = runner.invoke(app, [*args, "import", str(_ads(tmp_path)), "--no-progress"])
    assert res.exit_code == 0, res.output
    return args


def _no_raw_identifier(text: str) -> None:
    flat = re.sub(r"[\s\-+()./]", "", text)  # "070-174 06 20", "+46 70 174 06 20": all become digits
    for raw in RAW:
        assert raw.replace(".", "") not in flat, raw


def _export(args: list[str], *more: str) -> str:
    res = runner.invoke(app, [*args, "export", "observations", *more])
    assert res.exit_code == 0, res.output
    return res.stdout


def test_csv_has_every_stored_field_per_sighting_newest_first(imported: list[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(imported))))  # a pipe gets CSV
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 4
    assert [r["seen_at"] for r in rows] == sorted((r["seen_at"] for r in rows), reverse=True)
    anna = rows[0]
    assert (anna["site"], anna["site_ad_id"], anna["seen_at"]) == ("nattfjaril", "485921", "2025-01-03T12:00:00Z")
    assert anna["age"] == "25" and anna["location"] == "Linköping" and anna["price"] == "1500 kr/h"
    assert (anna["kommun"], anna["kommun_name"], anna["lan"]) == ("0580", "Linköping", "05")
    assert anna["posted_at"].startswith("2024-12-")
    assert anna["n_phones"] == "1" and re.fullmatch(r"ph_[0-9a-f]+", anna["phones"])
    assert anna["n_emails"] == "1" and re.fullmatch(r"em_[0-9a-f]+", anna["emails"])
    assert anna["n_pictures"] == "2" and anna["picture_hashes"].split() == ["ab12cd34ef56ab12", "0f0f0f0f0f0f0f0f"]
    # the body as stored: scrubbed at the door
    assert "[telefon]" in anna["body"] and "[e-post]" in anna["body"] and "[telefon]" in anna["title"]
    olga = next(r for r in rows if r["site"] == "kontaktlistan")
    # no place given: the municipality normalizing read from the text
    assert (olga["kommun"], olga["kommun_name"]) == ("0583", "Motala")
    assert olga["n_pictures"] == "0" and olga["picture_hashes"] == ""


def test_no_raw_identifier_in_any_format(imported: list[str], tmp_path: Path) -> None:
    for fmt in ("csv", "json", "table"):
        out = _export(imported, "--format", fmt)
        assert "ph_" in out or fmt == "table"
        _no_raw_identifier(out)
    assert "ph_" in _export(imported, "--excel")
    _no_raw_identifier(_export(imported, "--excel"))
    book = tmp_path / "obs.xlsx"
    res = runner.invoke(app, [*imported, "export", "observations", "--out", str(book)])
    assert res.exit_code == 0, res.output
    cells = " ".join(str(c) for row in load_workbook(book).active.iter_rows(values_only=True) for c in row)
    assert "[telefon]" in cells and "ph_" in cells
    _no_raw_identifier(cells)


def test_latest_gives_each_ads_last_sighting(imported: list[str]) -> None:
    rows = json.loads(_export(imported, "--format", "json", "--latest"))
    assert sorted((r["site_ad_id"], r["seen_at"]) for r in rows) == [
        ("485921", "2025-01-03T12:00:00Z"),
        ("k1", "2025-01-02T10:00:00Z"),
    ]
    assert isinstance(rows[0]["phones"], list) and isinstance(rows[0]["picture_hashes"], list)
    # the last sighting within the period
    rows = json.loads(_export(imported, "--format", "json", "--latest", "--until", "2025-01-02"))
    assert sorted(r["seen_at"] for r in rows if r["site"] == "nattfjaril") == ["2025-01-02T12:00:00Z"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--site", "kontaktlistan"], ["k1"]),
        (["--since", "2025-01-02", "--until", "2025-01-02"], ["485921", "k1"]),
        (["--since", "2025-01-03"], ["485921"]),
        (["--kommun", "Motala"], ["k1"]),
        (["--kommun", "0580", "--limit", "2"], ["485921", "485921"]),
        (["--lan", "Östergötland"], ["485921", "485921", "485921", "k1"]),
        (["--lan", "01"], []),
    ],
)
def test_filters(imported: list[str], options: list[str], expected: list[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(imported, *options))))
    assert sorted(r["site_ad_id"] for r in rows) == expected


@pytest.mark.parametrize(
    "options",
    [["--since", "2025-13-01"], ["--since", "2025-01-03", "--until", "2025-01-01"], ["--limit", "0"]],
)
def test_bad_options_are_refused(imported: list[str], options: list[str]) -> None:
    res = runner.invoke(app, [*imported, "export", "observations", *options])
    assert res.exit_code == 2, res.output


def test_every_export_is_audit_logged(imported: list[str], settings: Settings) -> None:
    _export(imported, "--site", "nattfjaril", "--latest")
    assert runner.invoke(app, [*imported, "export", "links"]).exit_code == 0
    with Store.open(settings.db) as store:
        entries = WebStore(store).audit_entries(action="export")  # newest first
    assert [(e.username, e.target) for e in entries] == [("cli", "links"), ("cli", "observations")]
    assert entries[0].detail == "4 rows, csv"
    assert "site=nattfjaril" in entries[1].detail and "latest=True" in entries[1].detail
    assert entries[1].detail.startswith("1 rows, csv")


def test_table_shows_the_newest_with_a_hint_and_localized_headers(imported: list[str]) -> None:
    res = runner.invoke(app, [*imported, "export", "observations", "--format", "table", "--limit", "2"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == "2 av 4 observationer, senaste först"
    assert "rubrik" in res.stdout and "plats" in res.stdout and "nattfjaril:485921" in res.stdout
    assert "--format csv --out" in res.stderr
    res = runner.invoke(app, [*imported, "--lang", "en", "export", "observations", "--format", "table"])
    begin_output()
    assert res.stdout.splitlines()[0] == "4 of 4 observations, newest first"
    assert "title" in res.stdout and "place" in res.stdout and "rubrik" not in res.stdout


def test_an_empty_store_gives_the_csv_header(settings: Settings) -> None:
    args = _args(settings)
    assert runner.invoke(app, [*args, "init"]).exit_code == 0
    assert _export(args).splitlines() == [",".join(COLUMNS)]


# -- ids never wrap ------------------------------------------------------------------------------

_LISTED = [
    {
        "ad": f"annonsportalen:A-10000{i}",
        "kommun": "0580",
        "first_seen": "2025-01-01",
        "last_seen": "2025-01-03",
        "person": "pe_d70444bb3f6f",
        "network": "nw_1bec3a49959c",
    }
    for i in range(3)
]


@pytest.mark.parametrize("width", [80, 60, 30])
def test_whole_columns_keep_ids_on_one_line(width: int) -> None:
    # the trial's `link list` printed "nattfjaril:485" and "921" on two lines
    table = table_of(_LISTED, lang="sv", whole=("ad", "network"))
    out = Console(file=io.StringIO(), width=width, no_color=True)
    need = fit_whole(table, out)
    if need > width:  # as emit_table: printed wider rather than break an id
        out = Console(file=io.StringIO(), width=need, no_color=True)
    out.print(table)
    lines = out.file.getvalue().splitlines()  # type: ignore[attr-defined]
    for r in _LISTED:
        assert sum(r["ad"] in line and r["network"] in line for line in lines) == 1
    if width == 80:  # at 80 columns the other columns give way, the table still fits
        assert need == 80 and all(len(line) <= 80 for line in lines)
        assert "…" in "".join(lines)


def test_link_list_keys_stay_whole_in_a_piped_table(imported: list[str]) -> None:
    res = runner.invoke(app, [*imported, "link", "list"])
    assert res.exit_code == 0, res.output
    assert any("nattfjaril:485921" in line for line in res.stdout.splitlines())
    assert any("kontaktlistan:k1" in line for line in res.stdout.splitlines())


def test_table_cells_are_text_not_markup() -> None:
    # rich read "[telefon]" as a style tag and printed "Anna 25 ring " without it
    out = Console(file=io.StringIO(), width=80, no_color=True)
    out.print(table_of([{"title": "Anna 25 ring [telefon]", "body": "[e-post] [bold]x[/bold]"}], lang="sv"))
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert "Anna 25 ring [telefon]" in text and "[e-post] [bold]x[/bold]" in text
