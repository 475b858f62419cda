"""Cheap gates in front of the rule patterns: one tokenization per ad decides which regexes run.

Most rule patterns (gender, touring, indicators, language cues) can only match where a
particular word occurs: ``\\bhon (?:ar|har)\\b`` needs the token ``hon``. :class:`Gate`
reads that trigger out of each pattern once, when the rules are compiled (with Python's
own regex parser, so the rules files stay plain regular expressions), and per ad it
checks the triggers against the set of tokens of the folded text: a dictionary lookup
per token instead of a regex scan per pattern. A pattern whose trigger cannot be read
(it starts with a digit class, say) always runs, and a trigger that is not a whole word
is checked as a substring, so the gate can only let too much through, never too little:
results are exactly those of running every pattern.

>>> g = Gate([("third_person", [r"\\bhon (?:ar|har)\\b"]), ("teen", [r"\\bteen(?:s)?\\b"])])
>>> [m and m.group(0) for m in g.search_all("nu hon ar har")]
['hon ar', None]
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set

# Python's own regex parser (private but stable since 3.11; typeshed does not list it).
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _p  # type: ignore[attr-defined]
from typing import Any

__all__ = ["Gate", "first_chars", "tokens", "triggers", "with_first_chars"]

_TOKEN = re.compile(r"[^\W_]+")
_MAX_ALTERNATIVES = 256


def tokens(folded: str) -> frozenset[str]:
    """The distinct runs of letters and digits in ``folded`` (the keys the gates look up)."""
    return frozenset(_TOKEN.findall(folded))


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _walk(ops: list[tuple[Any, Any]], word_start: bool, out: list[tuple[str, bool]], budget: list[int]) -> bool:
    """Collect the literal prefixes of ``ops`` into ``out`` as ``(text, is_whole_token)``.

    Returns False when some alternative has no usable literal prefix (the pattern must
    always run).
    """
    budget[0] -= 1
    if budget[0] < 0:
        return False
    lit: list[str] = []
    for i, (op, av) in enumerate(ops):
        if op is _c.LITERAL:
            lit.append(chr(av))
            continue
        if not lit and op is _c.AT and av in (_c.AT_BOUNDARY, _c.AT_BEGINNING, _c.AT_BEGINNING_STRING):
            word_start = word_start or av is _c.AT_BOUNDARY
            continue
        if not lit and op in (_c.ASSERT, _c.ASSERT_NOT) and av[0] == -1:
            continue  # a lookbehind constrains what precedes: skipping it only widens the gate
        if op is _c.SUBPATTERN:
            if av[1] or av[2]:
                return False  # inline flags such as (?i:...): not worth reading
            return _walk([*_literals(lit), *av[3], *ops[i + 1 :]], word_start, out, budget)
        if op is _c.BRANCH:
            for alt in av[1]:
                ok = _walk([*_literals(lit), *alt, *ops[i + 1 :]], word_start, out, budget)
                if not ok:
                    return False
            return True
        closed = op is _c.AT and av is _c.AT_BOUNDARY
        return _emit("".join(lit), word_start, closed, out)
    return _emit("".join(lit), word_start, False, out)  # the pattern ends: the word may go on


def _literals(lit: list[str]) -> list[tuple[Any, Any]]:
    return [(_c.LITERAL, ord(ch)) for ch in lit]


def _emit(lit: str, word_start: bool, closed: bool, out: list[tuple[str, bool]]) -> bool:
    if not lit:
        return False
    words = _TOKEN.findall(lit)
    if word_start and words and _is_word(lit[0]):
        # Every word of the literal is a whole token of a matching text, except the last
        # one when the literal stops inside a word ("teen" in "teen(?:s)?").
        if not (closed or not _is_word(lit[-1])):
            words = words[:-1]
        if words:
            out.append((" ".join(words), True))  # "hon ar" in "\bhon (?:ar|har)\b": both tokens
            return True
    out.append((lit, False))  # only a substring: "teen" in "\bteen(?:s)?\b", "(" in "\((\d{2})\)"
    return True


def triggers(pattern: str, flags: int = 0) -> list[tuple[str, bool]] | None:
    """The literal triggers of ``pattern``; None if it must always run.

    A match contains one of them: ``(words, True)`` means every word (space-separated) is a
    token of the text, ``(text, False)`` that ``text`` is a substring of it.

    >>> triggers(r"\\bny (?:i|pa) stan\\b")
    [('ny i stan', True), ('ny pa stan', True)]
    >>> triggers(r"\\bteen(?:s|ager)?\\b")
    [('teen', False)]
    >>> triggers(r"\\d+ kr") is None
    True
    """
    if flags & re.IGNORECASE:
        return None  # triggers are compared with folded (lower-case) text only
    try:
        parsed = _p.parse(pattern, flags)
    except re.error:
        return None
    out: list[tuple[str, bool]] = []
    if not _walk(list(parsed), False, out, [_MAX_ALTERNATIVES]):
        return None
    return sorted(set(out))


_CATEGORIES = {_c.CATEGORY_DIGIT: "\\d", _c.CATEGORY_SPACE: "\\s"}


def _first(ops: list[tuple[Any, Any]], budget: list[int]) -> set[str] | None:
    """The characters a match of ``ops`` can start with (``"\\d"`` for any digit); None if unknown."""
    budget[0] -= 1
    if budget[0] < 0:
        return None
    for i, (op, av) in enumerate(ops):
        if op is _c.AT or (op in (_c.ASSERT, _c.ASSERT_NOT) and av[0] == -1):
            continue  # zero-width at the start: the match still begins with the next character
        if op is _c.LITERAL:
            return {chr(av)}
        if op is _c.IN:
            out: set[str] = set()
            for kind, value in av:
                if kind is _c.LITERAL:
                    out.add(chr(value))
                elif kind is _c.CATEGORY and value in _CATEGORIES:
                    out.add(_CATEGORIES[value])
                elif kind is _c.RANGE and value[1] - value[0] < 64:
                    out.update(chr(c) for c in range(value[0], value[1] + 1))
                else:
                    return None
            return out
        if op is _c.SUBPATTERN:
            if av[1] or av[2]:
                return None
            return _first([*av[3], *ops[i + 1 :]], budget)
        if op is _c.BRANCH:
            union: set[str] = set()
            for alt in av[1]:
                got = _first([*alt, *ops[i + 1 :]], budget)
                if got is None:
                    return None
                union |= got
            return union
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            inner = _first(list(av[2]), budget)
            if av[0] >= 1 or inner is None:
                return inner
            rest = _first(ops[i + 1 :], budget)  # optional: the match may start after it
            return None if rest is None else inner | rest
        if op is _c.CATEGORY and av in _CATEGORIES:
            return {_CATEGORIES[av]}
        return None
    return None


def first_chars(pattern: str) -> str | None:
    """A character class of what a match of ``pattern`` starts with, or None if it cannot be read.

    >>> first_chars(r"\\b(?:hon|she) ar")
    '[hs]'
    >>> first_chars(r"\\b(\\d{2}) ar")
    '[\\\\d]'
    """
    try:
        parsed = _p.parse(pattern, 0)
    except re.error:
        return None
    chars = _first(list(parsed), [_MAX_ALTERNATIVES])
    if not chars:
        return None
    return "[" + "".join(c if c in ("\\d", "\\s") else re.escape(c) for c in sorted(chars)) + "]"


def with_first_chars(pattern: str) -> str:
    """``pattern`` behind a lookahead for its first characters, when they can be read.

    The lookahead changes nothing about what matches; it lets the regex engine reject
    most positions of a text at once instead of trying every alternative there (patterns
    that start with ``\\b`` or a lookbehind are 2-3 times faster to search this way).
    """
    if _GLOBAL_FLAGS.match(pattern):
        return pattern  # "(?i)..." must stay at the very start
    chars = first_chars(pattern)
    return pattern if chars is None else f"(?={chars})(?:{pattern})"


_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


class Gate:
    """Which rule patterns can match a text, from its tokens; and the search over just those.

    Args:
        families: ``(name, patterns)`` pairs. A family is searched like the alternation
            ``(?:p1)|(?:p2)|...`` of its patterns (leftmost match, then the first pattern).
    """

    def __init__(self, families: Sequence[tuple[str, Sequence[str]]]) -> None:
        self.names = tuple(name for name, _ in families)
        self._patterns: list[str] = []
        self._family_masks: list[int] = []
        self.always = 0
        index: dict[str, list[tuple[int, frozenset[str]]]] = {}
        substrings: dict[str, int] = {}
        for _, patterns in families:
            family = 0
            for pattern in patterns:
                bit = 1 << len(self._patterns)
                self._patterns.append(pattern)
                family |= bit
                found = triggers(pattern)
                if found is None:
                    self.always |= bit
                    continue
                for text, whole in found:
                    if whole:
                        first, *rest = text.split(" ")
                        index.setdefault(first, []).append((bit, frozenset(rest)))
                    else:
                        substrings[text] = substrings.get(text, 0) | bit
            self._family_masks.append(family)
        self._index = {k: tuple(v) for k, v in index.items()}
        self._first_words = frozenset(index)
        self.substrings = tuple(substrings.items())
        self._compiled: dict[int, re.Pattern[str]] = {}

    def open(self, toks: Set[str], folded: str) -> int:
        """A bit mask of the patterns that may match ``folded`` (whose tokens are ``toks``)."""
        mask = self.always
        for word in self._first_words & toks:
            for bit, rest in self._index[word]:
                if not mask & bit and rest <= toks:
                    mask |= bit
        for text, bits in self.substrings:
            if bits & ~mask and text in folded:
                mask |= bits
        return mask

    def search(self, family: int, opened: int, folded: str) -> re.Match[str] | None:
        """``search`` of family number ``family`` in ``folded``, running only the ``opened`` patterns."""
        sub = opened & self._family_masks[family]
        if not sub:
            return None
        compiled = self._compiled.get(sub)
        if compiled is None:
            chosen = [p for i, p in enumerate(self._patterns) if sub >> i & 1]
            joined = "|".join(f"(?:{p})" for p in chosen)
            compiled = self._compiled[sub] = re.compile(with_first_chars(joined))
        return compiled.search(folded)

    def search_all(self, folded: str, toks: Set[str] | None = None) -> list[re.Match[str] | None]:
        """The search result of every family, in order."""
        opened = self.open(tokens(folded) if toks is None else toks, folded)
        return [self.search(i, opened, folded) for i in range(len(self.names))]
