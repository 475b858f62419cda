"""Rows as files for spreadsheets and programs: plain CSV, CSV for Excel, and xlsx workbooks.

The one writer of tabular exports: the command line (``--format csv``, ``--excel``, ``--xlsx``),
the dashboard's downloads and the verdict review file all go through it, so a number, a date and a
suppressed count look the same in every export.

* Plain CSV (:func:`csv_text` with ``excel=False``): commas, ``1924.72``; for R, pandas and scripts.
* CSV for Excel (``excel=True``, :func:`excel_csv_bytes`): semicolons, decimal comma, UTF-8 with a
  BOM, CRLF lines: what a Swedish Excel opens into columns of numbers it can sum.
* xlsx (:func:`xlsx_bytes`): numbers are number cells, dates (``datetime.date`` or an ISO
  ``YYYY-MM-DD`` text) are date cells, the header row is bold and frozen.

Suppressed counts (``<5``, ``..``) and every other text stay text, written as in the CSV. A text
that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``) gets a leading
apostrophe in every format (:func:`inert`); a number written as text ("-3") is left alone.

Example::

    excel_csv_bytes(["kommun", "annonser"], [["Linköping", 1924], ["Motala", "<5"]])
    xlsx_bytes(["datum", "andel"], [[datetime.date(2024, 3, 5), 0.25]])
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from typing import Any

__all__ = ["csv_text", "excel_csv_bytes", "inert", "xlsx_bytes"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Characters an xlsx file cannot hold (XML 1.0 control characters); openpyxl refuses them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def inert(value: Any) -> Any:
    """A text a spreadsheet would run as a formula, with a leading apostrophe; anything else unchanged.

    Stored text such as a user name or an ad's title can start with ``=``. A number written as
    text (``"-3"``, ``"+46"``) is not a formula and stays as it is.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _excel_csv_cell(v: Any) -> Any:
    if isinstance(v, float):
        return repr(v).replace(".", ",") if math.isfinite(v) else ""
    return inert(v)


def csv_text(head: Sequence[str], rows: Sequence[Sequence[Any]], *, excel: bool = False) -> str:
    """Rows as CSV text: plain (comma, ``1924.72``) or for Excel (semicolon, ``1924,72``, CRLF).

    The BOM of the Excel flavour is added by whoever writes the file (:func:`excel_csv_bytes`).
    ``None`` is an empty cell.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if excel else "\n", delimiter=";" if excel else ",")
    w.writerow(head)
    for r in rows:
        w.writerow([_excel_csv_cell(v) for v in r] if excel else list(r))
    return buf.getvalue()


def excel_csv_bytes(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """CSV for Excel as file bytes: semicolons, decimal comma, UTF-8 with a BOM."""
    return ("\ufeff" + csv_text(head, rows, excel=True)).encode("utf-8")


def _xlsx_cell(v: Any) -> Any:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dt.datetime):
        # Excel has no time zones: a zone-aware time is written as UTC
        return v.astimezone(dt.UTC).replace(tzinfo=None) if v.tzinfo is not None else v
    if isinstance(v, int | float | dt.date):
        return v
    if isinstance(v, str):
        if _ISO_DATE.fullmatch(v):
            try:
                return dt.date.fromisoformat(v)
            except ValueError:
                pass
        return _ILLEGAL.sub("", inert(v))
    return _ILLEGAL.sub("", str(v))


def xlsx_bytes(head: Sequence[str], rows: Sequence[Sequence[Any]], *, sheet: str = "Data") -> bytes:
    """An xlsx workbook of one sheet: a bold, frozen header row, then the rows.

    Numbers are number cells, dates date cells (``yyyy-mm-dd``); other values are text, with
    formula-like text made inert as in the CSV. Columns are as wide as their longest text (up to 60).
    """
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append([_xlsx_cell(str(h)) for h in head])
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = [len(str(h)) for h in head]
    for r in rows:
        values = [_xlsx_cell(v) for v in r]
        ws.append(values)
        for i, v in enumerate(values[: len(widths)]):
            widths[i] = max(widths[i], len(str(v)) if v is not None else 0)
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if isinstance(c.value, dt.datetime):
                c.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(c.value, dt.date):
                c.number_format = "yyyy-mm-dd"
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, w + 2))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
