"""Access to the package data files (works from a wheel as well as a checkout)."""

from __future__ import annotations

import csv
import gzip
import io
from importlib import resources

from lagesbild.errors import RefdataError


def read_text(name: str) -> str:
    """Return the text of a bundled data file; ``.gz`` files are decompressed."""
    try:
        raw = resources.files("lagesbild.refdata").joinpath("data", name).read_bytes()
    except FileNotFoundError as exc:  # pragma: no cover - packaging error
        raise RefdataError(f"bundled reference file missing: {name}; rebuild with scripts/build_refdata.py") from exc
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return raw.decode("utf-8")


def read_csv(name: str) -> list[dict[str, str]]:
    """Read a bundled CSV file into a list of dicts (all values as strings)."""
    return list(csv.DictReader(io.StringIO(read_text(name))))
