"""Digits in another order or count, with an instruction that says so: written backwards (digits, groups or
words), every digit doubled, one digit too many to drop, every digit shifted by a constant, the last two
swapped."""

from __future__ import annotations

import re
from functools import cache

from lagesbild.normalize._gate import with_first_chars
from lagesbild.normalize._rules import rules
from lagesbild.normalize.identifiers._arith import _number
from lagesbild.normalize.identifiers._common import (
    _DIGIT_RUN,
    _SENTENCE_END,
    _SEP,
    _WORD,
    _accept,
    _same_sentence_span,
    _trie,
)
from lagesbild.normalize.identifiers._digits import _CANDIDATE
from lagesbild.normalize.identifiers._e164 import _NON_DIGIT, _SE_MOBILE, _SE_MOBILE_PLUS, normalize_phone
from lagesbild.normalize.identifiers._spelled import _spelled

# ---- a number written backwards, with a word saying so: "läs baklänges: 21 60 471 070"


@cache
def _reversed_stems() -> re.Pattern[str]:
    """The first four letters of each cue's longest word ("vänd på": "vänd"), to search the lower-cased text
    for: a text holding none has no cue (one scan, cheaper than the cue pattern)."""
    cues = [str(w).lower() for w in rules("identifiers").get("reversed_cues") or ()]
    return re.compile(_trie(sorted({max(w.split(), key=len)[:4] for w in cues})))


@cache
def _reversed_cue() -> re.Pattern[str]:
    cues = sorted(str(w).lower() for w in rules("identifiers").get("reversed_cues") or ())
    return re.compile(with_first_chars(rf"(?<![^\W_])(?i:{_trie(cues)})"))


_REVERSED_REACH = 80  # characters on either side of the cue


def _find_reversed(text: str, low: str, out: list[tuple[int, int, str]]) -> None:
    """Numbers whose digits are written in reverse order next to a word that says so.

    A run of digits near the cue ("baklänges", "omvänd ordning", "backwards") that read backwards is a
    Swedish number is taken backwards, unless the whole run reads forwards as a mobile and backwards as
    none (a plain number beside the cue). A forward reading of part of the run, or one that is no mobile
    where backwards is one, gives way.
    """
    if not _reversed_stems().search(low):
        return
    for cue in _reversed_cue().finditer(text):
        lo, hi = max(0, cue.start() - _REVERSED_REACH), min(len(text), cue.end() + _REVERSED_REACH)
        # "grupp för grupp", "grupperna baklänges": the groups in reverse order, each written forwards
        # (unless each group is turned too: "läs grupperna bakifrån och vänd varje grupp" is every digit backwards)
        by_group = _BY_GROUP.search(text, lo, hi) is not None and _EACH_GROUP.search(text, lo, hi) is None
        for m in _CANDIDATE.finditer(text, lo, hi):
            if "+" in m.group(0):
                continue
            found = _backward(text, m.start(), m.group(0), by_group)
            if found is None:
                continue
            start, end, digits, backward = found
            forward = [x for x in out if x[0] < end and start < x[1]]
            whole = any(_NON_DIGIT.sub("", text[a:b]) == digits for a, b, _ in forward)
            if whole and (
                not _SE_MOBILE_PLUS.match(backward)
                or (any(_SE_MOBILE_PLUS.match(x[2]) for x in forward) and not _same_sentence(text, cue, start, end))
            ):
                continue  # the whole run is a number forwards, and backwards no better one (or the cue is elsewhere)
            for x in forward:
                out.remove(x)
            out.append((start, end, backward))
        _find_reversed_words(text, lo, hi, out)


_BY_GROUP = re.compile(r"(?i:grupp|group)")
_EACH_GROUP = re.compile(
    r"(?i:varje grupp|var grupp|alla grupper|each group|every group|all groups|jede gruppe|cada grupo)(?![^\W_])"
)


def _same_sentence(text: str, cue: re.Match[str], start: int, end: int) -> bool:
    """True when no sentence ends between the cue and the run at ``text[start:end]``."""
    a, b = (cue.end(), start) if cue.end() <= start else (end, cue.start())
    return _SENTENCE_END.search(text, a, b) is None


def _backward(text: str, offset: int, run: str, by_group: bool) -> tuple[int, int, str, str] | None:
    """The longest groups of ``run`` (at ``offset``) that read backwards as a Swedish number, a mobile
    first: ``(start, end, digits as written, e164)``. Digit by digit, or group by group with ``by_group``
    (and when the digits backwards are no number: "12 06 390 031")."""
    groups = [(offset + g.start(), offset + g.end(), g.group(0)) for g in _DIGIT_RUN.finditer(run)]
    found: list[tuple[bool, int, int, int, str, str]] = []
    for i in range(len(groups)):
        for j in range(i, len(groups)):
            part = groups[i : j + 1]
            digits = "".join(g[2] for g in part)
            if len(digits) > 13:
                break
            if len(digits) < 7:
                continue
            regrouped = "".join(g[2] for g in reversed(part)) if len(part) > 1 else None
            backward = None if by_group else normalize_phone(digits[::-1])
            if backward is None and regrouped is not None:
                backward = normalize_phone(regrouped)
            if backward is not None and _accept(text, part[0][0], part[-1][1], backward):
                found.append((not _SE_MOBILE_PLUS.match(backward), -len(digits), i, j, digits, backward))
    if not found:
        return None
    _, _, i, j, digits, backward = min(found)
    return groups[i][0], groups[j][1], digits, backward


_SEP_ONLY = re.compile(rf"{_SEP}{{1,5}}")


def _find_reversed_words(text: str, lo: int, hi: int, out: list[tuple[int, int, str]]) -> None:
    """Digits written as words in reverse order: "två ett sex noll fyra sju ett noll sju noll" -> 070 174 06 12."""
    words = _spelled()[2]
    runs: list[list[tuple[int, int, str]]] = [[]]
    for tok in _WORD.finditer(text, lo, hi):
        w = tok.group(0)
        value = w if w.isdigit() and len(w) <= 4 else words.get(w.lower(), "")
        if not value.isdigit():
            runs.append([])
            continue
        if runs[-1] and not _SEP_ONLY.fullmatch(text, runs[-1][-1][1], tok.start()):
            runs.append([])
        runs[-1].append((tok.start(), tok.end(), value))
    for run in runs:
        digits = "".join(v for _, _, v in run)
        if not 7 <= len(digits) <= 10 or sum(not text[a:b].isdigit() for a, b, _ in run) < 3:
            continue
        start, end = run[0][0], run[-1][1]
        backward = normalize_phone(digits[::-1])
        if (
            backward is not None
            and _SE_MOBILE_PLUS.match(backward)
            and not any(x[0] < end and start < x[1] for x in out)
        ):
            out.append((start, end, backward))


# "ta bort 1 från varje siffra i 1812851764", "lägg till 2 på varje siffra", "subtract 1 from each digit"
_SHIFT = re.compile(
    r"(?<![^\W_])(?P<op>(?i:ta\s+bort|dra\s+av|dra\s+ifrån|dra|subtrahera|minska|lägg\s+till|addera|öka|add|subtract))"
    r"\s+(?P<n>\d|[^\W\d_]{2,5})\s+(?i:från|av|till|på|med|to|from)\s+(?i:varje|alla|each|every|all)\s+"
    r"(?i:siffra|siffror|siffrorna|digit|digits)(?P<gap>[^\d.!?\n]{0,12})(?P<d>\d(?:[ \-]?\d){9})(?![\d])"
)


# every digit written twice, with a cue that says so: "00770011774400663300 (varje siffra står två gånger)"
_DOUBLED_CUE = re.compile(
    r"(?i:varje siffra|alla siffror|siffrorna|each digit|every digit|all digits|the digits|jede ziffer|cada dígito)"
    r"[^.!?\n\d]{0,25}?(?i:två gånger|2 gånger|dubbel|dubbla|dubblad|twice|two times|doubled|double|zweimal|dos veces)"
    r"|(?i:dubbla|dubblade|doubled|double) (?i:siffror|digits)"
    r"|(?<![^\W_])(?i:ta varannan|läs varannan|varannan siffra|take every other|every other digit|every second digit"
    r"|jede zweite ziffer)(?![^\W_])"
)
_DOUBLED_RUN = re.compile(r"(?<![\d+])\d(?:[ \-.]?\d){19}(?![ \-.]?\d)")


def _find_doubled(text: str, out: list[tuple[int, int, str]]) -> None:
    """A mobile with every digit written twice, read once each, when the ad says so within its sentence."""
    for cue in _DOUBLED_CUE.finditer(text):
        lo, hi = max(0, cue.start() - 60), cue.end() + 60
        for m in _DOUBLED_RUN.finditer(text, lo, hi):
            digits = _NON_DIGIT.sub("", m.group(0))
            if any(digits[i] != digits[i + 1] for i in range(0, 20, 2)):
                continue
            e164 = normalize_phone(digits[::2])
            if e164 is None or not _SE_MOBILE_PLUS.match(e164):
                continue
            overlap = [x for x in out if x[0] < m.end() and m.start() < x[1]]
            if any(_SE_MOBILE_PLUS.match(x[2]) for x in overlap):
                continue
            for x in overlap:  # "00 77 00 11 ...": a 00 prefix and a foreign number read from the doubled digits
                out.remove(x)
            out.append((m.start(), m.end(), e164))


# ... and the instruction right after the digits: "Kod: 1812851724 (dra av 1 från varje siffra; 0 blir 9)"
_SHIFT_AFTER = re.compile(
    r"(?<![\d+])(?P<d>\d(?:[ \-]?\d){9})(?![\d])[^\w.!?\n]{0,4}"
    r"(?P<op>(?i:ta\s+bort|dra\s+av|dra\s+ifrån|dra|subtrahera|minska|lägg\s+till|addera|öka|add|subtract))"
    r"\s+(?P<n>\d|[^\W\d_]{2,5})\s+(?i:från|av|till|på|med|to|from)\s+(?i:varje|alla|each|every|all)\s+"
    r"(?i:siffra|siffror|siffrorna|digit|digits)(?![^\W_])"
)


def _find_shifted(text: str, out: list[tuple[int, int, str]]) -> None:
    """A number with every digit shifted by a constant the ad names ("ta bort 1 från varje siffra i 1812851764",
    "1812851724 (dra av 1 från varje siffra)")."""
    for m in (*_SHIFT.finditer(text), *_SHIFT_AFTER.finditer(text)):
        n = _number(m.group("n"))
        if n is None or not 0 < n <= 9:
            continue  # a shift is by one digit
        op = m.group("op").lower()
        sign = 1 if op.startswith(("lägg", "add", "öka")) else -1
        shifted = "".join(str((int(c) + sign * n) % 10) for c in _NON_DIGIT.sub("", m.group("d")))
        if _SE_MOBILE.match(shifted):
            out.append((m.start(), m.end(), normalize_phone(shifted) or ""))


# a number with one digit too many and an instruction to drop the first or last one: "Ring 90701740676 men ta bort
# första 9:an", "remove the first digit", "stryk sista siffran"
_DROP_GATE = re.compile(r"ta bort|stryk|remove|drop|delete|ignore|skip|hoppa över|strecka över|streich")
_DROP_RUN = re.compile(r"(?<![\d+])\d(?:[ \-.]?\d){10}(?![ \-.]?\d)")
_DROP_WHAT = re.compile(
    r"(?i:ta bort|stryk|remove|drop|delete|ignore|skip|hoppa över|streiche)\s+(?i:den\s+|the\s+|die\s+)?"
    r"(?P<w>första|first|erste|sista|last|letzte)(?![^\W_])"
)


def _find_dropped(text: str, out: list[tuple[int, int, str]]) -> None:
    """An eleven-digit run that is a Swedish mobile once the digit the ad says to drop, first or last, is gone."""
    for m in _DROP_RUN.finditer(text):
        for what in _DROP_WHAT.finditer(text, max(0, m.start() - 60), min(len(text), m.end() + 60)):
            if not _same_sentence_span(text, m.start(), m.end(), what.start(), what.end()):
                continue
            digits = _NON_DIGIT.sub("", m.group(0))
            first = what.group("w").lower() in ("första", "first", "erste")
            kept = digits[1:] if first else digits[:-1]
            e164 = normalize_phone(kept) if _SE_MOBILE.match(kept) else None
            if e164 is not None and not any(x[0] < m.end() and m.start() < x[1] for x in out):
                out.append((m.start(), m.end(), e164))
                break


# ---- an instruction to swap digits of a number written next to it: "070-174 06 24 – byt plats på de två sista
# siffrorna", "swap the last two digits", "de två sista siffrorna är omvända". The last two are swapped; any other
# swap of digits ("byt plats på siffra 3 och 4", "swap the middle digits") cannot be read safely, and the number
# as written is then no answer either (it is known to be wrong).

_SWAP_GATE = re.compile(
    r"byt|växl|vaxl|swap|switch|flip|interchang|vänd|vand|revers|zamie|tausch|intercamb|round|hållet|hallet|bakl|backw"
)
_SWAP_VERB = (
    r"(?:byt(?:a|er|s|t|as)?(?:\s+(?:plats|håll|hall|ordning))?(?:\s+(?:på|pa|mellan))?|bytt(?:a)?\s+plats|"
    r"ombyt(?:t|ta|da)|växla|vaxla|växlade|swap(?:ped|s)?|switch(?:ed|es)?|flip(?:ped|s)?|interchange[ds]?|"
    r"zamie[nń]\w*|tausch\w*|vertausch\w*|intercambi\w*)"
)
_TURN_VERB = (
    r"(?:vänd(?:a|s)?\s+på|vand(?:a|s)?\s+pa|omvänd(?:a|t)?|omvand(?:a|t)?|i\s+omvänd\s+ordning|åt\s+andra\s+hållet|"
    r"revers(?:e|ed)|the\s+other\s+way\s+(?:round|around)|backwards|baklänges|baklanges)"
)
_LAST_TWO = (
    r"(?:(?:de|dom|the)\s+)?(?:(?:två|tva|2|two)\s+sista|sista\s+(?:två|tva|2)|(?:last|final)\s+(?:two|2)|"
    r"(?:two|2)\s+last|ostatnie\s+(?:dwie|2)|(?:últimos|ultimos)\s+(?:dos|2)|ultimele\s+(?:două|doua|2)|"
    r"letzten\s+(?:zwei|beiden|2))"
)
_SWAP_LAST = re.compile(
    rf"(?<![^\W_])(?:(?:{_SWAP_VERB}|{_TURN_VERB})[^.!?\n\d]{{0,25}}?{_LAST_TWO}"
    rf"|{_LAST_TWO}[^.!?\n\d]{{0,30}}?(?:{_SWAP_VERB}|{_TURN_VERB}))",
    re.IGNORECASE,
)
# A swap of digits the reader is asked to make that is not of the last two ("byt plats på siffra 3 och 4", "swap
# the middle digits"): the number as written is known to be wrong. Only a verb of swapping places, not "bytt nummer".
_SWAP_PLACES = (
    r"(?:byt(?:a|er|s|as)?\s+plats|bytt(?:a)?\s+plats|ombyt(?:t|ta|da)|swap\w*|switch\w*|flip\w*|interchang\w*|"
    r"zamie[nń]\w*|vertausch\w*|intercambi\w*)"
)
_DIGIT_NOUN = r"(?:siffr|digit|cyfr|d[ií]git|cifr|ziffer)"
_SWAP_OTHER = re.compile(
    rf"(?<![^\W_]){_SWAP_PLACES}[^.!?\n,;:]{{0,25}}?{_DIGIT_NOUN}"
    rf"|{_DIGIT_NOUN}\w*[^.!?\n,;:]{{0,25}}?(?<![^\W_]){_SWAP_PLACES}",
    re.IGNORECASE,
)
_SWAP_REACH = 120  # characters between the number and its instruction


def _apply_swaps(text: str, out: list[tuple[int, int, str]]) -> None:
    """Swap the last two digits of the number an instruction is next to, or drop it for a swap not understood.

    The number is the closest one ending before the instruction (within ``_SWAP_REACH``), else the closest
    one starting after it ("Byt plats på de två sista: 070-174 06 24")."""
    last = list(_SWAP_LAST.finditer(text))
    cues = last or list(_SWAP_OTHER.finditer(text))
    done: set[tuple[int, int, str]] = set()
    for cue in cues:
        before = [x for x in out if x[1] <= cue.start() and cue.start() - x[1] <= _SWAP_REACH]
        after = [x for x in out if x[0] >= cue.end() and x[0] - cue.end() <= _SWAP_REACH]
        target = max(before, key=lambda x: x[1]) if before else min(after, key=lambda x: x[0]) if after else None
        if target is None or target in done:
            continue
        out.remove(target)
        if last:
            e164 = target[2]
            swapped = (target[0], target[1], e164[:-2] + e164[-1] + e164[-2])
            out.append(swapped)
            done.add(swapped)


# ---- a number the ad says no longer works ("mitt gamla nr 070-174 06 51 funkar inte längre", "my old number ... no
# longer works") is disowned, and an instruction to replace its last digit ("Nya numret är samma men byt sista siffran
# 1 mot 2", "replace the last digit 1 with 2") gives the new one: the closest number before the instruction (within
# ``_SWAP_REACH``), else after it, whose last digit is the old digit the instruction names.
_OLD_BEFORE = re.compile(
    r"(?<![^\W_])(?:gamla|tidigare|förra|forra|old|previous|former)\s+(?:mobil|telefon)?(?:nr|nummer|numret|number|no)"
    r"\.?[\s:]{0,3}$",
    re.IGNORECASE,
)
_DEAD_AFTER = re.compile(
    r"[^.!?\n()]{0,30}?(?<![^\W_])(?:(?:funkar|fungerar|gäller|galler|används|anvands)\s+(?:inte|ej)\s+(?:längre|langre)"
    r"|(?:no\s+longer|not\s+any\s*more)\s+(?:works|working|in\s+use|active|valid)"
    r"|(?:does\s*n[o']?t|doesn't)\s+work\s+any\s*more)(?![^\W_])",
    re.IGNORECASE,
)
_REPLACE_LAST = re.compile(
    r"(?<![^\W_])(?:(?:byt|byta|ändra|andra)\s+(?:den\s+|på\s+|pa\s+)?sista\s+siffran"
    r"\s+(?:från\s+|fran\s+)?(?P<old>\d)\s+(?:mot|till|med)\s+(?:en\s+|ett\s+)?(?P<new>\d)"
    r"|(?:replace|change)\s+the\s+last\s+digit\s+(?:from\s+)?(?P<old2>\d)\s+(?:with|to|by)\s+(?:a\s+)?(?P<new2>\d))"
    r"(?!\d|[.,]\d)",
    re.IGNORECASE,
)
_NEW_NUMBER_GATE = re.compile(
    r"gaml|tidigare|förra|forra|old|previous|former|längre|langre|any ?more|sista siffran|last digit"
)


def _apply_new_number(text: str, out: list[tuple[int, int, str]]) -> None:
    """Replace the last digit of the number an instruction names; drop the numbers the ad says no longer work."""
    replaced: set[tuple[int, int, str]] = set()
    for cue in _REPLACE_LAST.finditer(text):
        before = [x for x in out if x[1] <= cue.start() and cue.start() - x[1] <= _SWAP_REACH]
        after = [x for x in out if x[0] >= cue.end() and x[0] - cue.end() <= _SWAP_REACH]
        target = max(before, key=lambda x: x[1]) if before else min(after, key=lambda x: x[0]) if after else None
        old, new = cue.group("old") or cue.group("old2"), cue.group("new") or cue.group("new2")
        if target is None or target in replaced or target[2][-1] != old:
            continue
        out.remove(target)
        item = (target[0], target[1], target[2][:-1] + new)
        out.append(item)
        replaced.add(item)
    out[:] = [
        x
        for x in out
        if x in replaced or not (_OLD_BEFORE.search(text, max(0, x[0] - 30), x[0]) or _DEAD_AFTER.match(text, x[1]))
    ]
