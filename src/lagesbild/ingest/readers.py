"""Stream records from JSONL and CSV files, naming the line of every problem.

Files are read in binary, line by line with a length limit, so a 50 MB line or invalid
UTF-8 gives a clear error instead of exhausting memory or crashing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from lagesbild.errors import InputError
from lagesbild.ingest.fields import BY_NAME, REQUIRED
from lagesbild.privacy import mask_identifiers

__all__ = ["MAX_LINE_BYTES", "read_records"]

MAX_LINE_BYTES = 4 * 1024 * 1024
"""Longest accepted line (4 MiB): title and body may each be up to 1 MB of text."""

Record = tuple[int, Any]  # (line number, parsed record or an InputError)


def _lines(f: BinaryIO, path: str, progress: Callable[[int], None] | None) -> Iterator[tuple[int, bytes]]:
    lineno = 0
    unreported = 0
    readline = f.readline
    while True:
        raw = readline(MAX_LINE_BYTES + 1)
        if not raw:
            if progress is not None and unreported:
                progress(unreported)
            return
        lineno += 1
        if progress is not None:
            unreported += len(raw)
            if unreported >= 1 << 20:  # report per MiB, not per line: progress bars are slow
                progress(unreported)
                unreported = 0
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            skipped = len(raw)
            while True:  # skip the rest of the over-long line without keeping it
                more = readline(MAX_LINE_BYTES)
                skipped += len(more)
                if not more or more.endswith(b"\n"):
                    break
            if progress is not None:
                progress(skipped - len(raw))
            raise InputError(
                f"line is {skipped / 1e6:.1f} MB long; at most {MAX_LINE_BYTES / 1e6:.1f} MB", path=path, line=lineno
            )
        yield lineno, raw


def _jsonl(f: BinaryIO, path: str, progress: Callable[[int], None] | None) -> Iterator[Record]:
    loads = orjson.loads
    for lineno, raw in _lines(f, path, progress):
        try:
            yield lineno, loads(raw)
        except orjson.JSONDecodeError as exc:
            if not raw.strip():
                continue
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as uexc:
                yield lineno, InputError(f"invalid UTF-8 at byte {uexc.start}", path=path, line=lineno)
                continue
            hint = " (the file may be truncated)" if not raw.endswith(b"\n") else ""
            yield lineno, InputError(f"malformed JSON: {exc.args[0]}{hint}", path=path, line=lineno)


def _csv(f: BinaryIO, path: str, progress: Callable[[int], None] | None) -> Iterator[Record]:
    lines = _lines(f, path, progress)
    header: list[str] | None = None
    for lineno, raw in lines:
        try:
            text = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield lineno, InputError(f"invalid UTF-8 at byte {exc.start}", path=path, line=lineno)
            continue
        if not text.strip():
            continue
        try:
            row = next(csv.reader(io.StringIO(text)))
        except (csv.Error, StopIteration) as exc:
            yield lineno, InputError(f"malformed CSV: {exc}", path=path, line=lineno)
            continue
        if header is None:
            header = [h.strip() for h in row]
            unknown = [h for h in header if h not in BY_NAME]
            missing = [r for r in REQUIRED if r not in header]
            if unknown or missing:
                parts = []
                if any(_looks_like_data(h) for h in unknown):
                    # The first line is data, not a header: its values may be phone numbers,
                    # e-mail addresses or names, so none of them is repeated.
                    parts.append(
                        f"the first line looks like data, not column names ({len(unknown)} of {len(header)} "
                        "values are not column names; values withheld); the file must start with a header line"
                    )
                else:
                    if missing:
                        parts.append(f"missing required column(s) {', '.join(missing)}")
                    if unknown:
                        shown = ", ".join(_column_name(h) for h in unknown)
                        parts.append(f"unknown column(s) {shown}")
                raise InputError(
                    "wrong CSV header: " + "; ".join(parts) + f". Known columns: {', '.join(BY_NAME)}",
                    path=path,
                    line=lineno,
                )
            continue
        if len(row) != len(header):
            hint = " (the file may be truncated)" if not raw.endswith(b"\n") else ""
            yield lineno, InputError(f"expected {len(header)} columns, found {len(row)}{hint}", path=path, line=lineno)
            continue
        yield lineno, {h: v for h, v in zip(header, row, strict=True) if v != ""}
    if header is None:
        raise InputError("empty CSV file: expected a header line", path=path)


_DATA_CHARS = re.compile(r"[\d@]")


def _looks_like_data(value: str) -> bool:
    """True for a header value that is not a name: it has digits or an ``@``, or holds an identifier."""
    return bool(_DATA_CHARS.search(value)) or mask_identifiers(value) != value


def _column_name(name: str) -> str:
    """An unknown column's name as a message may show it: identifiers masked, at most 40 characters."""
    shown = mask_identifiers(name)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def detect_format(path: Path) -> str:
    """``jsonl`` or ``csv`` from the file name (``.jsonl``, ``.ndjson``, ``.json``, ``.csv``, optionally ``.gz``)."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    raise InputError("unknown file type: name it .jsonl or .csv (or give --format)", path=str(path))


def read_records(f: BinaryIO, path: str, fmt: str, progress: Callable[[int], None] | None = None) -> Iterator[Record]:
    """Yield ``(line number, record)``; a bad line yields an :class:`InputError` in place of the record."""
    if fmt == "jsonl":
        return _jsonl(f, path, progress)
    if fmt == "csv":
        return _csv(f, path, progress)
    raise InputError(f"unknown format {fmt!r}: use jsonl or csv", path=path)
