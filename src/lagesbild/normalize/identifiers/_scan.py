"""The first pass over an ad: every finder that reads a number where it is written (digits, letters, words,
joined groups, brackets, reversed, parts, no trunk); the hint finder runs it again on the text with signs read."""

from __future__ import annotations

import re

from lagesbild.normalize.identifiers._arith import _BRACKET_GATE, _find_bracketed
from lagesbild.normalize.identifiers._common import _AD_LENGTH, _LETTER_MAP
from lagesbild.normalize.identifiers._digits import _CANDIDATE, _LETTER_CANDIDATE, _edge_letters, _find_in_run
from lagesbild.normalize.identifiers._joined import _find_joined
from lagesbild.normalize.identifiers._letters import _find_leet, _find_letter_joined
from lagesbild.normalize.identifiers._parts import _find_parts
from lagesbild.normalize.identifiers._reorder import _find_reversed
from lagesbild.normalize.identifiers._spelled import _find_letter_spaced, _find_spelled, _spelled_may_start
from lagesbild.normalize.identifiers._trunk import _find_no_trunk

# a product, sum or quotient in brackets between digits ("0(7*10)-174-06-48", "0[7·10] 174 06 48"): arithmetic, not
# digits to read as they stand (a dash inside is no operator here: "(10-22)" are hours)
_ARITH_IN_BRACKETS = re.compile(r"[(\[][ \t]?\d{1,3}[ \t]?[×xX*·+/÷][ \t]?\d{1,3}[ \t]?[)\]]")


def _find_all(text: str, low: str, raw: str | None = None) -> list[tuple[int, int, str]]:
    """Every finder over ``text`` (already mapped and with dates blanked; ``low`` is it in lower case; ``raw``, of
    the same length, as written, when the caller has it); spans may overlap."""
    out: list[tuple[int, int, str]] = []
    for m in _CANDIDATE.finditer(text):
        _find_in_run(text, m.start(), m.end(), m.group(0), out)
    for m in _LETTER_CANDIDATE.finditer(text):
        s = m.group(0)
        if not any(c in "OoIl" for c in s):
            continue
        # a lone letter first or last is a word: "y/o 📞 0980-..." is not "00980...", "... 06 12 I" not "...121"
        a, b = _edge_letters(s)
        # lone letters at the edges are words first, digits only if that leaves no number
        for lead, tail in dict.fromkeys(((a, b), (a, 0), (0, b), (0, 0))):
            run = s[lead : len(s) - tail]
            if sum(c.isdigit() for c in run) < 3:
                continue  # "OlO IOI" is no number: at least three written digits
            n = len(out)
            _find_in_run(text, m.start() + lead, m.end() - tail, run.translate(_LETTER_MAP), out)
            if len(out) > n:
                break
    if out and ("(" in text or "[" in text):
        written = raw if raw is not None and len(raw) == len(text) else text
        # digits read out of arithmetic are no number ("0(7*10)-174-06-48" is not 0 7 10 174...); the bracket
        # finders read the value instead
        out = [x for x in out if not _ARITH_IN_BRACKETS.search(written, x[0], x[1])]
    if _spelled_may_start(text, low):
        _find_spelled(text, out)
    _find_joined(text, out)
    if len(text) > _AD_LENGTH:
        return out
    if ("(" in text or "[" in text) and _BRACKET_GATE.search(text):
        _find_bracketed(text, out)
    _find_reversed(text, low, out)
    _find_letter_spaced(text, out)
    _find_letter_joined(text, out)
    if "O7" in text or "7O" in text:  # "O7O", "07O", "O70": a writer who types letters types one for 0
        _find_leet(text, out)
    _find_parts(text, out)
    if "7" in text:
        _find_no_trunk(text, out)
    return out
