"""Place text -> municipality (kommun) and county (län).

A first resolver over the bundled gazetteer: exact match of the folded text, then of
its longest word spans, preferring curated aliases and districts over municipality
names over localities and postal towns, and the most populous municipality among
several. It returns an explicit unknown instead of a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from lagesbild.refdata import fold_name, gazetteer, municipality

__all__ = ["PlaceMatch", "resolve_place"]

_KIND_RANK = {"alias": 0, "stadsdel": 0, "stadsdelsomrade": 0, "kommun": 1, "lan": 3, "tatort": 2, "postort": 2}


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A resolved place. ``kommun_kod`` None means unknown (or only the county is known)."""

    kommun_kod: str | None
    lan_kod: str | None
    confidence: float
    matched: str | None


UNKNOWN = PlaceMatch(None, None, 0.0, None)


@cache
def _index() -> dict[str, tuple[str | None, str, float]]:
    """folded name -> (kommun or None for a county, county, confidence)."""
    best: dict[str, tuple[int, int, str | None, str, int]] = {}
    kommuner_per_name: dict[str, set[str]] = {}
    for e in gazetteer():
        kommuner_per_name.setdefault(e.folded, set()).add(e.municipality_code)
    for e in gazetteer():
        rank = _KIND_RANK.get(e.kind, 3)
        pop = e.population or municipality(e.municipality_code).population_total if e.municipality_code else 0
        kommun = None if e.kind == "lan" else e.municipality_code
        cand = (rank, -pop, kommun, e.county_code, len(kommuner_per_name[e.folded]))
        if e.folded not in best or cand[:2] < best[e.folded][:2]:
            best[e.folded] = cand
    out: dict[str, tuple[str | None, str, float]] = {}
    for name, (rank, _, kommun, lan, n) in best.items():
        conf = 0.95 if n == 1 else 0.7
        if rank == 3:
            conf = 0.5
        out[name] = (kommun, lan, conf)
    return out


@lru_cache(maxsize=50_000)
def resolve_place(text: str | None) -> PlaceMatch:
    """Resolve a stated location such as ``"Sthlm Södermalm"`` or ``"Norrköping city"``.

    >>> resolve_place("Gbg").kommun_kod
    '1480'
    >>> resolve_place("nowhere at all").kommun_kod is None
    True
    """
    if not text:
        return UNKNOWN
    folded = fold_name(text)
    idx = _index()
    if folded in idx:
        k, lan, conf = idx[folded]
        return PlaceMatch(k, lan, conf, text)
    words = [w.strip(".,!?:;()[]\"'") for w in folded.split()]
    words = [w for w in words if w]
    county_hit: PlaceMatch | None = None
    for n in range(min(4, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            span = " ".join(words[i : i + n])
            if span in idx:
                k, lan, conf = idx[span]
                if k is None:
                    county_hit = county_hit or PlaceMatch(None, lan, conf * 0.8, span)
                    continue
                return PlaceMatch(k, lan, conf * 0.9, span)
    return county_hit or UNKNOWN
