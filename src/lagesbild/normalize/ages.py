"""The advertiser's stated age.

Reads "22 år", "22-årig", "ålder: 22", "age 22", "22 y/o", "jag är 22", "I'm 22",
"Anna 22" at the start of a title and spelled-out ages ("tjugotvå år"). Numbers next
to cm, kg, min or a currency are not ages. Ages outside the range in
``rules/ages.yaml`` are ignored.

>>> find_age("Hej! Jag är Lisa, 23 år och ny i stan").value
23
>>> find_age("30 min 1500 kr") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lagesbild.normalize._gate import triggers, with_first_chars
from lagesbild.normalize._rules import rules
from lagesbild.normalize._text import fold_text

__all__ = ["Age", "find_age"]

_NOT_AFTER = r"(?!\s*(?:cm|kg|min|kr|:-|%|sek|eur|euro|h\b|\d|[.,]\d|/))"


@dataclass(frozen=True, slots=True)
class Age:
    """A stated age and the text it was read from."""

    value: int
    raw: str


def _unwrapped(pattern: str) -> str:
    """The pattern without the first-character lookahead of :func:`with_first_chars`."""
    return pattern.split(")(?:", 1)[1][:-1] if pattern.startswith("(?=[") else pattern


@cache
def _gated() -> tuple[tuple[re.Pattern[str], tuple[str, ...] | None], ...]:
    """Each pattern with the literals one of which a match must contain (None: always run)."""
    out = []
    for pattern in _patterns():
        found = triggers(_unwrapped(pattern.pattern))
        # The first word of a whole-token trigger is a substring of every match, too.
        needs = None if found is None else tuple(sorted({text.split(" ")[0] for text, _ in found}))
        out.append((pattern, needs))
    return tuple(out)


def _expand(pattern: str, words: str) -> str:
    return pattern.replace("{not_after}", _NOT_AFTER).replace("{words}", words)


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """The body patterns of ``rules/ages.yaml``, in order of trust."""
    cfg = rules("ages")
    words = "|".join(sorted((re.escape(fold_text(str(w))) for w in cfg["words"]), key=len, reverse=True))
    return tuple(re.compile(with_first_chars(_expand(str(p), words))) for p in cfg["patterns"])


@cache
def _title_patterns() -> tuple[re.Pattern[str], ...]:
    """The title patterns of ``rules/ages.yaml`` (on the title as written, case kept)."""
    return tuple(re.compile(with_first_chars(_expand(str(p), ""))) for p in rules("ages")["title_patterns"])


@cache
def _limits() -> tuple[int, int, dict[str, int]]:
    cfg = rules("ages")
    return int(cfg["min_age"]), int(cfg["max_age"]), {fold_text(str(k)): int(v) for k, v in cfg["words"].items()}


def find_age(
    text: str, *, title: str | None = None, folded: str | None = None, folded_title: str | None = None
) -> Age | None:
    """The first stated age in ``text`` (the body) or ``title``; None if none is stated.

    Args:
        text: the ad text.
        title: the ad title, where "Anna 22" means an age.
        folded: ``fold_text(text)`` if the caller already has it.
        folded_title: ``fold_text(title)`` if the caller already has it.
    """
    lo, hi, spelled = _limits()
    if title:
        for pattern in _title_patterns():
            m = pattern.search(title)
            if m and lo <= int(m.group(1)) <= hi:
                return Age(int(m.group(1)), m.group(0).strip())
    if title and folded_title is None:
        folded_title = fold_text(title)
    for source in (folded_title if title else "", folded if folded is not None else fold_text(text)):
        if not source:
            continue
        for pattern, needs in _gated():
            if needs is not None and not any(n in source for n in needs):
                continue  # the pattern cannot match without one of its literals
            for m in pattern.finditer(source):
                g = m.group(1)
                value = int(g) if g.isdigit() else spelled.get(g, 0)
                if lo <= value <= hi:
                    return Age(value, m.group(0).strip())
    return None
