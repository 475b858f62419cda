"""Review of extracted defendants: export to a CSV Swedish Excel opens, and re-import of corrections.

The CSV is UTF-8 with a byte-order mark and semicolons (what Excel with Swedish settings reads
and writes). A reviewer edits the fields in :data:`EDITABLE` and the file is read back with
:func:`read_corrections`; every error (file, line, column) is reported at once and nothing is stored
unless the whole file is valid. Corrected rows are flagged and a later re-import of the same
judgment keeps them (the store never overwrites a stored defendant).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

from lagesbild.errors import InputError, InputErrors
from lagesbild.records.tables import csv_text, inert
from lagesbild.records.verdicts import DefendantRecord
from lagesbild.refdata import is_municipality_code

__all__ = ["COLUMNS", "EDITABLE", "correct_row", "export_csv", "field_text", "read_corrections"]

EDITABLE = (
    "verdict", "offence", "offence_dates", "defendant_age", "home_kommun", "offence_kommun", "website", "ad_used",
    "day_fines", "day_fine_amount", "conditional_sentence", "prison_months", "plea",
)
COLUMNS = ("id", "court", "case_number", "date", "defendant_index", *EDITABLE, "corrected")
_VERDICTS = ("convicted", "acquitted")
_OFFENCES = ("kop", "forsok", "barn", "koppleri")
_PLEAS = ("erkänner", "förnekar", "")


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "ja" if v else "nej"
    if isinstance(v, tuple):
        return ",".join(str(x) for x in v)
    return str(v)


def field_text(record: DefendantRecord, column: str) -> str:
    """The text of one column of ``record`` as the export and the web form show it (``ja``/``nej``,
    dates joined with commas, empty for none); :func:`correct_row` reads it back unchanged."""
    return _cell(getattr(record, column))


def export_csv(records: Sequence[DefendantRecord], path: Path | None = None) -> str:
    """The defendants as CSV text (semicolons, BOM); written to ``path`` when given.

    Written by the shared export writer (:mod:`lagesbild.records.tables`): a text that Excel would run
    as a formula gets a leading apostrophe, which :func:`read_corrections` takes off again.
    """
    out = "\ufeff" + csv_text(COLUMNS, [[_cell(getattr(r, c)) for c in COLUMNS] for r in records], excel=True)
    if path is not None:
        path.write_text(out, encoding="utf-8", newline="")
    return out


def _text(v: str) -> str:
    """A cell's text without the apostrophe the export put before a formula-like text."""
    return v[1:] if v[:1] == "'" and inert(v[1:]) != v[1:] else v


def _int(v: str, lo: int, hi: int) -> int | None:
    if v == "":
        return None
    n = int(v)
    if not lo <= n <= hi:
        raise ValueError(f"{n} is outside {lo}-{hi}")
    return n


def _bool(v: str) -> bool:
    low = v.strip().lower()
    if low in ("ja", "yes", "true", "1", "sant"):
        return True
    if low in ("nej", "no", "false", "0", "falskt", ""):
        return False
    raise ValueError("use ja or nej")


def _choice(v: str, allowed: Sequence[str]) -> str:
    if v not in allowed:
        raise ValueError(f"use one of {', '.join(a for a in allowed if a)}")
    return v


def _kommun(v: str) -> str | None:
    if v == "":
        return None
    if not is_municipality_code(v):
        raise ValueError("not a municipality code (four digits, e.g. 0580)")
    return v


def _dates(v: str) -> tuple[str, ...]:
    out = []
    for x in (p.strip() for p in v.split(",") if p.strip()):
        date.fromisoformat(x)
        out.append(x)
    return tuple(sorted(out))


_PARSERS: dict[str, Callable[[str], object]] = {
    "verdict": lambda v: _choice(v, _VERDICTS),
    "offence": lambda v: _choice(v, _OFFENCES),
    "offence_dates": _dates,
    "defendant_age": lambda v: _int(v, 15, 110),
    "home_kommun": _kommun,
    "offence_kommun": _kommun,
    "website": lambda v: _text(v) or None,
    "ad_used": _bool,
    "day_fines": lambda v: _int(v, 1, 300),
    "day_fine_amount": lambda v: _int(v, 1, 10000),
    "conditional_sentence": _bool,
    "prison_months": lambda v: _int(v, 1, 1200),
    "plea": lambda v: _choice(v, _PLEAS) or None,
}


def correct_row(
    old: DefendantRecord, values: Mapping[str, str | None], *, path: str | None = None, line: int | None = None
) -> DefendantRecord:
    """``old`` with the fields of :data:`EDITABLE` replaced by the text ``values`` (a missing or empty
    value clears an optional field), flagged ``corrected``.

    Raises:
        InputErrors: every bad field at once, each naming ``path``, ``line`` and the field.
    """
    errors: list[InputError] = []
    changes: dict[str, object] = {}
    for col in EDITABLE:
        try:
            changes[col] = _PARSERS[col]((values.get(col) or "").strip())
        except ValueError as exc:
            errors.append(InputError(str(exc), path=path, line=line, field=col))
    if errors:
        raise InputErrors(errors, path=path)
    return dataclasses.replace(old, **changes, corrected=True)  # type: ignore[arg-type]


def read_corrections(path: Path, stored: Sequence[DefendantRecord]) -> list[DefendantRecord]:
    """The rows of an edited export that differ from ``stored`` (matched by ``id``), as corrected records.

    Raises:
        InputErrors: every bad cell or unknown id, each naming the file, line and column.
    """
    p = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or type(exc).__name__})", path=p) from None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")  # Excel's "CSV (semikolonavgränsad)" without UTF-8
        except UnicodeDecodeError:
            raise InputError("not UTF-8 or Windows-1252 text", path=p) from None
    sample = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if sample.count(";") >= sample.count(",") else ",")
    missing = [c for c in ("id", *EDITABLE) if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"missing column(s): {', '.join(missing)}", path=p, line=1)
    by_id = {r.id: r for r in stored}
    errors: list[InputError] = []
    out = []
    for line, row in enumerate(reader, 2):
        try:
            rid = int((row.get("id") or "").strip())
        except ValueError:
            errors.append(InputError("not a row id", path=p, line=line, field="id"))
            continue
        old = by_id.get(rid)
        if old is None:
            errors.append(InputError(f"no stored defendant with id {rid}", path=p, line=line, field="id"))
            continue
        try:
            new = correct_row(old, row, path=p, line=line)
        except InputErrors as exc:
            errors.extend(exc.errors)
            continue
        if new != dataclasses.replace(old, corrected=True):
            out.append(new)
    if errors:
        raise InputErrors(errors, path=p)
    return out
