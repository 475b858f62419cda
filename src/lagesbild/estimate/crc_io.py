"""Read capture-recapture input files into the typed inputs of :mod:`lagesbild.estimate.crc`.

Two CSV layouts are accepted (comma, semicolon or tab separated, UTF-8, header row required):

* capture histories: one 0/1 column per occasion or source, one row per unit, or one row per
  history with a last column ``freq`` (also ``count`` or ``frequency``, as in SparseMSE's data)
  holding the number of units with that history;
* frequency counts: columns ``nbcap,freq``: ``freq`` units were seen exactly ``nbcap`` times.

Every problem raises :class:`lagesbild.errors.InputError` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from lagesbild.errors import InputError
from lagesbild.estimate.crc import CaptureHistories, FrequencyCounts

__all__ = ["parse_capture_csv", "read_capture_file", "read_capture_histories", "read_frequency_counts"]

_FREQ = "freq"
_COUNT_COLUMNS = (_FREQ, "count", "frequency")
_NBCAP = "nbcap"

MAX_COUNT = 1_000_000_000
"""Largest frequency (and total of frequencies) accepted: far above any population these methods
estimate, and small enough that every estimator's arithmetic stays exact in floating point."""
MAX_CAPTURES = 10_000
"""Largest ``nbcap`` accepted in a frequency-count file (the counts are kept for every 1..nbcap)."""


def read_capture_file(path: str | Path, *, n_occasions: int | None = None) -> CaptureHistories | FrequencyCounts:
    """Read a capture-history or frequency-count CSV file.

    Args:
        path: the file.
        n_occasions: for ``nbcap,freq`` files, the number of occasions if known.

    Raises:
        InputError: the file cannot be read or is not a valid capture-recapture table.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", path=str(p)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not a UTF-8 text file ({exc.reason})", path=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", path=str(p)) from None
    return parse_capture_csv(text, path=str(p), n_occasions=n_occasions)


def read_capture_histories(path: str | Path) -> CaptureHistories:
    """Read a capture-history CSV file (0/1 columns, optional ``freq``)."""
    data = read_capture_file(path)
    if not isinstance(data, CaptureHistories):
        raise InputError("expected capture histories (0/1 columns), found nbcap/freq counts", path=str(path))
    return data


def read_frequency_counts(path: str | Path, *, n_occasions: int | None = None) -> FrequencyCounts:
    """Read a frequency-count CSV file (``nbcap,freq``); capture histories are collapsed to counts."""
    data = read_capture_file(path, n_occasions=n_occasions)
    return data.capture_frequencies() if isinstance(data, CaptureHistories) else data


def _show(value: str) -> str:
    """A cell for an error message, cut short (a fuzzed file can hold a megabyte in one cell)."""
    return repr(value if len(value) <= 24 else value[:24] + "...")


def _int(value: str, *, path: str | None, line: int, field: str, what: str) -> int:
    v = value.strip()
    try:
        number = float(v)
    except ValueError:
        raise InputError(f"{what} expected, got {_show(value)}", path=path, line=line, field=field) from None
    if not number.is_integer() or number < 0:
        raise InputError(f"{what} expected, got {_show(value)}", path=path, line=line, field=field)
    if number > MAX_COUNT:
        raise InputError(f"{what} expected, got {_show(v)}: more than {MAX_COUNT:,}", path=path, line=line, field=field)
    return int(number)


def _check_total(total: int, path: str | None) -> None:
    if total > MAX_COUNT:
        raise InputError(f"the frequencies add up to {total:,}, more than {MAX_COUNT:,} units", path=path)


def parse_capture_csv(
    text: str, *, path: str | None = None, n_occasions: int | None = None
) -> CaptureHistories | FrequencyCounts:
    """Parse the text of a capture-recapture CSV file (see the module docstring for the layouts).

    ``path`` is only used in error messages.
    """
    if not text.strip():
        raise InputError("the file is empty", path=path)
    first = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:  # a NUL character, a stray quote at the end of the file
        raise InputError(f"not a CSV table ({exc})", path=path) from None
    if not rows or not rows[0]:
        raise InputError("the first line must be the header row", path=path, line=1)
    header = [h.strip() for h in rows[0]]
    lowered = [h.lower() for h in header]
    if any(not h for h in header):
        col = lowered.index("") + 1
        raise InputError(f"column {col} has no name in the header", path=path, line=1)
    if len(set(lowered)) != len(lowered):
        dup = next(h for h in header if lowered.count(h.lower()) > 1)
        raise InputError("column name used twice", path=path, line=1, field=dup)
    if lowered == [_NBCAP, _FREQ]:
        return _parse_counts(rows, path, n_occasions)
    has_freq = lowered[-1] in _COUNT_COLUMNS
    misplaced = next((h for h in header[:-1] if h.lower() in _COUNT_COLUMNS), None)
    if misplaced is not None:
        raise InputError(f"the {misplaced} column must be the last column", path=path, line=1, field=misplaced)
    sources = header[:-1] if has_freq else header
    if len(sources) < 2:
        raise InputError(
            "need at least two 0/1 columns (occasions or sources), or the columns nbcap,freq", path=path, line=1
        )
    counts: dict[tuple[int, ...], int] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not row or all(not v.strip() for v in row):
            continue
        if len(row) != len(header):
            raise InputError(f"{len(row)} fields, expected {len(header)}", path=path, line=line_no)
        pattern: list[int] = []
        for name, value in zip(sources, row, strict=False):
            v = value.strip()
            if v not in ("0", "1"):
                raise InputError(f"capture must be 0 or 1, got {_show(value)}", path=path, line=line_no, field=name)
            pattern.append(int(v))
        freq = (
            _int(row[-1], path=path, line=line_no, field=header[-1], what="a count (integer >= 0)") if has_freq else 1
        )
        key = tuple(pattern)
        if not any(key):
            if freq == 0:
                continue
            raise InputError(
                "a unit that was never captured (all zeros) cannot be in the data", path=path, line=line_no
            )
        counts[key] = counts.get(key, 0) + freq
    if sum(counts.values()) == 0:
        raise InputError("no captured unit in the file", path=path)
    _check_total(sum(counts.values()), path)
    if not any(sum(k) >= 2 for k in counts):
        raise InputError(
            "no unit was captured more than once: capture-recapture needs units seen by at least two "
            "sources or occasions",
            path=path,
        )
    return CaptureHistories.from_counts(counts, sources)


def _parse_counts(rows: list[list[str]], path: str | None, n_occasions: int | None) -> FrequencyCounts:
    tally: dict[int, int] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not row or all(not v.strip() for v in row):
            continue
        if len(row) != 2:
            raise InputError(f"{len(row)} fields, expected 2", path=path, line=line_no)
        k = _int(row[0], path=path, line=line_no, field=_NBCAP, what="a number of captures (integer >= 1)")
        if k < 1:
            raise InputError("the number of captures must be at least 1", path=path, line=line_no, field=_NBCAP)
        if n_occasions is not None and k > n_occasions:
            raise InputError(f"{k} captures but only {n_occasions} occasions", path=path, line=line_no, field=_NBCAP)
        if k > MAX_CAPTURES:
            raise InputError(f"more than {MAX_CAPTURES:,} captures", path=path, line=line_no, field=_NBCAP)
        tally[k] = tally.get(k, 0) + _int(row[1], path=path, line=line_no, field=_FREQ, what="a count (integer >= 0)")
    if sum(tally.values()) == 0:
        raise InputError("no observed unit in the file", path=path)
    _check_total(sum(tally.values()), path)
    return FrequencyCounts(tuple(tally.get(k, 0) for k in range(1, max(tally) + 1)), n_occasions=n_occasions)
