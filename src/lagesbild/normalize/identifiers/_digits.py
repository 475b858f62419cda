"""Runs of digits and of letters typed for digits (``070-174 06 12``, ``O7O-l74 O6 l2``), with the dates and clock
times inside a run blanked first."""

from __future__ import annotations

import re

from lagesbild.normalize._gate import with_first_chars
from lagesbild.normalize.identifiers._common import _DIGIT_RUN, _GAP, _TIME_RANGE, _accept, _is_date, _is_list, _windows
from lagesbild.normalize.identifiers._e164 import _SE_MOBILE_PLUS, normalize_phone

# A phone candidate: optional + or 00, then digits with the separators people type.
# The run may be long: two numbers next to each other are split afterwards.
_CANDIDATE = re.compile(with_first_chars(rf"(?<![\d+])(?:\+[ \x01]?|00)?\d(?:{_GAP}\d){{6,40}}(?!\d)"))
# Letters typed for digits: only inside a run that is bounded by non-letters.
_LETTER_CANDIDATE = re.compile(
    with_first_chars(rf"(?<![^\W_])(?:\+[ \x01]?|00)?[\dOo](?:{_GAP}[\dOoIl]){{6,30}}(?![^\W_])")
)


def _resolve_run(text: str, start: int, end: int, mapped: str, out: list[tuple[int, int, str]]) -> None:
    """Normalize the run ``mapped`` (``text[start:end]`` with letters mapped to digits).

    A run that is not one number is split at its digit groups: "10-22 070 174 06 12"
    (opening hours, then a phone) or two numbers written next to each other.
    """
    shape = mapped.strip()
    if _is_date(shape) or _TIME_RANGE.match(shape):
        return
    e164 = normalize_phone(mapped)
    if e164 is not None:
        if _accept(text, start, end, e164) and not _is_list(mapped):
            out.append((start, end, e164))
        return
    groups = []
    for m in _DIGIT_RUN.finditer(mapped):
        a, b = m.start(), m.end()
        plus = mapped[:a].rstrip(" \x01").endswith("+")
        if plus:
            a = mapped.rindex("+", 0, a)
        groups.append((start + a, start + b, ("+" if plus else "") + m.group(0), 0, 0))
    if 2 <= len(groups) <= 40 and sum(len(g[2]) for g in groups) >= 8:
        _windows(text, groups, out)


# Dates ("12/05/2025", "2025-05-12", not inside a longer run of numbers) and clock times
# ("14:30", "10.00-22.00"). Every alternative consumes its first digit before its
# lookbehinds: a pattern that starts with a digit lets the regex engine skip to the
# digits of a text, where leading lookbehinds made it try every position (4x slower).
_WORD_DIGIT = r"\d(?<!\w\d)"  # a digit that starts a word: "\b\d"
_DATE_OR_TIME = re.compile(
    rf"{_WORD_DIGIT}(?<!\d[-/.]\d)"
    r"(?:\d?([-/.])\d{1,2}\1(?:19|20)\d{2}|(?:(?<=1)9|(?<=2)0)\d{2}([-/.])\d{1,2}\2\d{1,2})\b(?![-/.]\d)"
    # a range of clock times ("10.00-22.00", "07:00-23:00"), then one clock time (not "74:06" or
    # "06:98", and not one group of a number typed with colons, "070:1:74:06:30")
    rf"|{_WORD_DIGIT}\d?[.:]\d{{2}}\s?-\s?\d{{1,2}}[.:]\d{{2}}\b"
    rf"|{_WORD_DIGIT}(?<!\w:\d)(?<!\d[-./|_ ]\d)(?:(?<=[01])\d|(?<=2)[0-3])?:[0-5]\d\b(?![:./]\w|-[^\W\d_])"
    rf"|{_WORD_DIGIT}(?<=2)4/7\b"  # "24/7"
)


# Shapes only looked for inside a candidate run (they cost a scan of every text otherwise): a date
# range of full dates ("2025.06.01-2025.06.07"), day and month ("05/06", "1/6-7/6"), day, month
# and a two-digit year ("01.02.03"), a range of clock times with minutes ("09 00 - 21 00").
_DATE_IN_RUN = re.compile(
    rf"{_WORD_DIGIT}(?<!\d[-/.]\d)(?:(?<=1)9|(?<=2)0)\d{{2}}([-/.])\d{{1,2}}\1\d{{1,2}}(?=\s?-\s?(?:19|20)\d{{2}}[-/.])"
    rf"|{_WORD_DIGIT}(?<![\d][-/.]\d)(?<![\d][-/.])(?:(?<=0)[1-9]|(?<=[12])\d?|(?<=3)[01]?|(?<=[4-9]))"
    r"/(?:0?[1-9]|1[0-2])(?!\d|/\d)"
    rf"|{_WORD_DIGIT}(?<![\d][-/.]\d)(?<![\d][-/.])(?:(?<=0)[1-9]|(?<=[12])\d?|(?<=3)[01]?|(?<=[4-9]))"
    r"\.(?:0?[1-9]|1[0-2])\.\d{2}(?!\d|\.\d)"
    rf"|{_WORD_DIGIT}(?<![\d][-/. ]\d)(?:(?<=[01])\d?|(?<=2)[0-3]?)[ .:][0-5]\d\s?-\s?(?:[01]?\d|2[0-3])[ .:][0-5]\d\b"
    rf"|{_WORD_DIGIT}(?<![\d][-/.]\d)(?:(?<=[01])\d|(?<=2)[0-3])[0-5]\d\s?-\s?(?:[01]\d|2[0-4])[0-5]\d(?![\d])"
    # opening hours one after the other: "08-20; 21-23", "08-20 | 21-23", "08-10 06-10"
    rf"|{_WORD_DIGIT}(?<![\d][-/. ]\d)(?:(?<=[01])\d|(?<=2)[0-4])\s?-\s?(?:[01]\d|2[0-4])"
    r"(?=\s?[;|,/\s]\s?(?:[01]?\d|2[0-4])\s?-\s?\d)"
)


def _mask_dates(text: str) -> str:
    """``text`` with dates ("12/05/2025", "2025-05-12") and clock times blanked, same length."""
    if not _DATE_OR_TIME.search(text):
        return text
    return _DATE_OR_TIME.sub(lambda m: " " * len(m.group(0)), text)


_RUN_TOKEN = re.compile(r"[\dOoIl]+")


def _edge_letters(run: str) -> tuple[int, int]:
    """How many characters of lone letters (and their separators) start and end ``run``.

    A lone O, I or l next to a group of several digits is a word ("y/o 📞 0980-...", "... 06 12 I"),
    unless the number is written one character at a time ("O-7-O-1-7-4 ...").
    """
    toks = [(m.start(), m.end()) for m in _RUN_TOKEN.finditer(run)]
    i, j = 0, len(toks)
    while (
        i < j - 1 and toks[i][1] - toks[i][0] == 1 and run[toks[i][0]] in "OoIl" and toks[i + 1][1] - toks[i + 1][0] > 1
    ):
        i += 1
    while (
        j - 1 > i
        and toks[j - 1][1] - toks[j - 1][0] == 1
        and run[toks[j - 1][0]] in "OoIl"
        and toks[j - 2][1] - toks[j - 2][0] > 1
    ):
        j -= 1
    if not toks or i >= j:
        return 0, 0
    return toks[i][0], len(run) - toks[j - 1][1]


_DATE_CHARS = re.compile(r"[/.:]|\d{4}\s?-\s?\d{4}")


def _find_in_run(text: str, start: int, end: int, mapped: str, out: list[tuple[int, int, str]]) -> None:
    """Resolve a candidate run, first blanking the dates and clock times only looked for in runs.

    A run that is one Swedish mobile number as a whole, with no slash, dot, colon or two four-digit
    groups around a dash, is no date (and most runs are).
    """
    e164 = normalize_phone(mapped)
    if e164 is not None and _SE_MOBILE_PLUS.match(e164) and not _DATE_CHARS.search(mapped):
        _resolve_run(text, start, end, mapped, out)
        return
    probe = text if mapped == text[start:end] else text[:start] + mapped + text[end:]  # letters read as digits
    if not _DATE_IN_RUN.search(probe, start, end):
        _resolve_run(text, start, end, mapped, out)
        return
    blanked = list(mapped)
    for m in _DATE_IN_RUN.finditer(probe, start, end):
        blanked[m.start() - start : m.end() - start] = " " * (m.end() - m.start())
    rest = "".join(blanked)
    for m in _CANDIDATE.finditer(rest):
        _resolve_run(text, start + m.start(), start + m.end(), m.group(0), out)
