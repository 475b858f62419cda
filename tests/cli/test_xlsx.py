"""Workbooks for Excel (``--xlsx``, ``--out FILE.xlsx``) and the one export writer behind CLI, dashboard and
verdict review (:mod:`lagesbild.records.tables`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from lagesbild.cli import app
from lagesbild.records.tables import csv_text, excel_csv_bytes, inert, xlsx_bytes
from lagesbild.settings import Settings

from .test_output import _ads, _args

runner = CliRunner()


def _cells(data: bytes) -> list[list[object]]:
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_workbook_cells_are_typed_and_suppressed_counts_stay_text() -> None:
    head = ["period", "kommun", "annonser", "andel", "formel", "tom", "när"]
    when = dt.datetime(2025, 1, 5, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    rows = [
        ["2025-01-05", "Linköping", 1924, 0.25, "=HYPERLINK(1)", None, when],
        ["2025-01", "Motala", "<5", float("nan"), "-3", "", dt.date(2025, 1, 6)],
        ["2025-02-30", "Boxholm", "..", 1.5, "@x", "a\x07b", None],
    ]
    cells = _cells(xlsx_bytes(head, rows))
    assert cells[0] == head
    assert cells[1][:5] == [dt.datetime(2025, 1, 5), "Linköping", 1924, 0.25, "'=HYPERLINK(1)"]
    assert cells[1][6] == dt.datetime(2025, 1, 5, 13, 30)  # written as UTC
    assert cells[1][5] is None
    # a month and an impossible date stay text; a suppressed count is the CSV's marker
    assert cells[2][:4] == ["2025-01", "Motala", "<5", None] and cells[2][4] == "-3"
    assert cells[3][:5] == ["2025-02-30", "Boxholm", "..", 1.5, "'@x"] and cells[3][5] == "ab"
    # the same rows as Excel CSV: the same markers and the same guarded text
    text = excel_csv_bytes(head, rows).decode("utf-8")
    assert text.startswith("\ufeffperiod;kommun")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert lines[1][:5] == ["2025-01-05", "Linköping", "1924", "0,25", "'=HYPERLINK(1)"]
    assert lines[2][2:5] == ["<5", "", "-3"] and lines[3][2] == ".."


def test_plain_csv_keeps_values_as_they_are() -> None:
    assert csv_text(["a", "b"], [[1.5, "=x"], [None, 2]]) == "a,b\n1.5,=x\n,2\n"
    assert inert("+46 70") == "'+46 70" and inert("+46") == "+46" and inert(3) == 3


def test_stats_xlsx_out_has_numbers_dates_and_the_csv_markers(settings: Settings, tmp_path: Path) -> None:
    assert runner.invoke(app, [*_args(settings), "init"]).exit_code == 0
    assert runner.invoke(app, [*_args(settings), "import", "--no-progress", str(_ads(tmp_path))]).exit_code == 0
    out = tmp_path / "stats.xlsx"
    res = runner.invoke(app, [*_args(settings), "stats", "--period", "day", "--xlsx", "--out", str(out)])
    assert res.exit_code == 0, res.output
    cells = _cells(out.read_bytes())
    csv_res = runner.invoke(app, [*_args(settings), "stats", "--period", "day", "--format", "csv"])
    expected = list(csv.reader(io.StringIO(csv_res.output)))
    assert cells[0] == expected[0]
    assert len(cells) == len(expected) == 3
    by_name = {r[expected[0].index("namn")]: r for r in cells[1:]}
    day = next(r[0] for r in expected[1:] if r[expected[0].index("namn")] == "Linköping")
    assert by_name["Linköping"][0] == dt.datetime.fromisoformat(day)  # a date cell, the CSV's day
    # suppressed as in the CSV (fewer than the threshold): the same "<5" text
    suppressed = {r[expected[0].index("namn")]: r[expected[0].index("observationer")] for r in expected[1:]}
    assert by_name["Linköping"][expected[0].index("observationer")] == suppressed["Linköping"] == "<5"
    # --raw: the counts are number cells
    res = runner.invoke(app, [*_args(settings), "stats", "--raw", "--out", str(out)])  # .xlsx implies a workbook
    assert res.exit_code == 0, res.output
    cells = _cells(out.read_bytes())
    i, j = cells[0].index("namn"), cells[0].index("observationer")
    assert {(r[i], r[j]) for r in cells[1:]} == {("Linköping", 2), ("Norrköping", 1)}


def test_xlsx_needs_a_file(settings: Settings) -> None:
    assert runner.invoke(app, [*_args(settings), "init"]).exit_code == 0
    res = runner.invoke(app, [*_args(settings), "stats", "--xlsx"])
    assert res.exit_code == 2 and "--out" in res.output


def test_estimate_xlsx_has_number_cells(settings: Settings, tmp_path: Path) -> None:
    assert runner.invoke(app, [*_args(settings), "init"]).exit_code == 0
    out = tmp_path / "demand.xlsx"
    args = ["estimate", "demand", "--area", "Östergötland", "--prevalence", "0.008", "--age", "18-65"]
    res = runner.invoke(app, [*_args(settings), *args, "--xlsx", "--out", str(out)])
    assert res.exit_code == 0, res.output
    cells = _cells(out.read_bytes())
    plain = list(csv.DictReader(io.StringIO(runner.invoke(app, [*_args(settings), *args, "--format", "csv"]).output)))
    head = cells[0]
    assert head == list(plain[0])
    row = dict(zip(head, cells[1], strict=True))
    assert row["area"] == "05"
    assert isinstance(row["estimate"], float) and row["estimate"] == pytest.approx(float(plain[0]["estimate"]))


def test_verdict_review_export_uses_the_shared_writer_and_reads_back_unchanged(tmp_path: Path) -> None:
    from lagesbild.records.verdicts import DefendantRecord
    from lagesbild.verdicts.review import export_csv, read_corrections

    rec = DefendantRecord(
        case_key="k", defendant_index=1, court="=Tingsrätt", case_number="B 1-24", date="2024-03-05", appeal=False,
        verdict="convicted", offence="kop", human_trafficking=False, offence_dates=("2024-01-02",),
        defendant_age=40, home_kommun="0580", offence_kommun="0580", website="=HYPERLINK(1)", ad_used=True,
        day_fines=50, day_fine_amount=100, conditional_sentence=False, prison_months=None, plea="erkänner",
        fines_only_after_reform=False, confidence={}, id=7,
    )  # fmt: skip
    path = tmp_path / "review.csv"
    text = export_csv([rec], path)
    # the same bytes as the shared Excel CSV writer gives for these cells: BOM, semicolons, guarded formulas
    assert path.read_bytes() == text.encode("utf-8") and text.startswith("\ufeffid;court")
    row = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))[1]
    assert row[1] == "'=Tingsrätt" and "'=HYPERLINK(1)" in row
    assert read_corrections(path, [rec]) == []  # the apostrophe is taken off again: nothing changed
    edited = text.replace("'=HYPERLINK(1)", "'=annan.invalid")
    path.write_text(edited, encoding="utf-8", newline="")
    (fixed,) = read_corrections(path, [rec])
    assert fixed.website == "=annan.invalid" and fixed.corrected
