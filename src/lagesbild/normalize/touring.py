"""Touring and movement signals: "ny i stan", "bara tre dagar", "på turné", visit dates.

Only the text signal is read here; that one advertiser appears in several cities over
time is the linking stage's job. Patterns are in ``rules/touring.yaml``.

>>> find_touring("Ny i stan! Bara tre dagar, 12/5-15/5").kinds
('new_in_town', 'short_stay')
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from functools import cache

from lagesbild.normalize._gate import Gate, tokens, with_first_chars
from lagesbild.normalize._rules import rules
from lagesbild.normalize._text import fold_text

__all__ = ["Touring", "find_touring"]


@dataclass(frozen=True, slots=True)
class Touring:
    """Touring signals in one ad.

    Attributes:
        kinds: which signals were found: ``new_in_town``, ``short_stay``, ``on_tour``.
        phrases: the phrases as matched (folded).
        dates: visit dates as written ("12/5-15/5", "3-6 juni"), when a signal was found.
    """

    kinds: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()

    @property
    def touring(self) -> bool:
        """True when any touring signal was found."""
        return bool(self.kinds)


NONE = Touring()


@cache
def _compiled() -> tuple[Gate, re.Pattern[str]]:
    cfg = rules("touring")
    signals = Gate([(str(kind), [str(p) for p in patterns]) for kind, patterns in cfg["signals"].items()])
    months = "|".join(sorted((re.escape(str(m)) for m in cfg["months"]), key=len, reverse=True))
    dates = re.compile(
        with_first_chars(
            r"\b\d{1,2}/\d{1,2}\s?-\s?\d{1,2}/\d{1,2}\b"
            rf"|\b\d{{1,2}}\s?-\s?\d{{1,2}}\s(?:{months})\b"
            rf"|\b(?:fran|from|den|the|till|until|to)\s\d{{1,2}}(?:st|nd|rd|th|e|a)?\s(?:{months})\b"
        )
    )
    return signals, dates


def find_touring(text: str, *, folded: str | None = None, toks: Set[str] | None = None) -> Touring:
    """Touring signals in ``text``.

    ``folded`` (``fold_text(text)``) and ``toks`` (its tokens) may be passed when the caller has them.
    """
    source = folded if folded is not None else fold_text(text)
    signals, dates = _compiled()
    opened = signals.open(tokens(source) if toks is None else toks, source)
    if not opened:
        return NONE
    kinds: list[str] = []
    phrases: list[str] = []
    for i, kind in enumerate(signals.names):
        m = signals.search(i, opened, source)
        if m:
            kinds.append(kind)
            phrases.append(m.group(0))
    if not kinds:
        return NONE
    return Touring(tuple(kinds), tuple(phrases), tuple(m.group(0) for m in dates.finditer(source)))
