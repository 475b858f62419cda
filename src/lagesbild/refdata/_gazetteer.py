"""The place-name gazetteer and post codes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from lagesbild.refdata._files import read_csv

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "æ": "a", "ø": "o", "-": " "})
_SPACES = re.compile(r"\s+")


def fold_name(text: str) -> str:
    """Fold a place name the way the gazetteer's ``namn_norm`` column is folded.

    Lower case, å/ä->a, ö->o, other accents dropped, hyphens to spaces, spaces collapsed.

    >>> fold_name("Norrköping-Söder")
    'norrkoping soder'
    """
    s = text.lower().translate(_FOLD)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return _SPACES.sub(" ", s).strip()


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One place name and the municipality it belongs to.

    ``kind`` is one of ``lan, kommun, tatort, postort, stadsdel, stadsdelsomrade, alias``.
    ``population`` is the locality's population where known (tätorter), else 0.
    ``n_municipalities`` says in how many municipalities the folded name occurs.
    """

    name: str
    folded: str
    kind: str
    municipality_code: str
    county_code: str
    lat: float | None
    lon: float | None
    population: int
    n_municipalities: int
    source: str


@cache
def gazetteer() -> tuple[GazetteerEntry, ...]:
    """All gazetteer entries (about 4,900)."""
    out = []
    for r in read_csv("gazetteer.csv.gz"):
        out.append(
            GazetteerEntry(
                name=r["namn"],
                folded=r["namn_norm"],
                kind=r["typ"],
                municipality_code=r["kommun_kod"],
                county_code=r["lan_kod"],
                lat=float(r["lat"]) if r["lat"] else None,
                lon=float(r["lon"]) if r["lon"] else None,
                population=int(r["folkmangd"]) if r["folkmangd"] else 0,
                n_municipalities=int(r["antal_kommuner_med_namnet"] or 1),
                source=r["kalla"],
            )
        )
    return tuple(out)


@cache
def postcodes() -> dict[str, tuple[str, ...]]:
    """Post code (five digits, no space) -> the municipality codes it occurs in."""
    out: dict[str, list[str]] = {}
    for r in read_csv("postnummer.csv.gz"):
        out.setdefault(r["postnummer"], []).append(r["kommun_kod"])
    return {k: tuple(v) for k, v in out.items()}
