"""Number words: spelled-out digits, tens, teens and hundreds ("noll sju noll ett sju fyra ...", "zero seven zero
174 06 12", "sjuttiofyra"), stretched words ("sjuuu"), words written one letter at a time ("n o l l s j u") and
groups in words with clauses between them in one sentence ("zero seven zero like every mobile, then ...")."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from itertools import combinations
from typing import Any

from lagesbild.normalize._gate import with_first_chars
from lagesbild.normalize._rules import rules
from lagesbild.normalize.identifiers._common import (
    _LETTER_MAP,
    _SENTENCE_END,
    _SEP,
    _WORD,
    _accept,
    _take,
    _trie,
    _windows,
)
from lagesbild.normalize.identifiers._e164 import normalize_phone

_CYRILLIC_O = str.maketrans({"\u043e": "o", "\u041e": "O"})


@cache
def _spelled() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str], int, re.Pattern[str]]:
    cfg = rules("identifiers")
    words = {str(k).lower(): str(v) for k, v in cfg["spelled_digits"].items()}
    for k, v in (cfg.get("spelled_teens") or {}).items():
        words[str(k).lower()] = "=" + str(v)  # two digits
    for k, v in (cfg.get("spelled_tens") or {}).items():
        words[str(k).lower()] = "t" + str(v)  # a tens word: 7 -> "7" + the unit after it, or "70"
    for k in cfg.get("spelled_hundred") or ():
        words[str(k).lower()] = "h"
    for k, v in list(words.items()):  # the finder reads a Cyrillic o as a Latin one ("ноль" is read "нoль")
        words.setdefault(k.translate(_CYRILLIC_O), v)
    for k, v in (cfg.get("spelled_plurals") or {}).items():
        words[str(k).lower()] = "p" + str(v)  # "femmor": the digit, as many times as the count before it
    words["plus"] = "+"
    for k in cfg.get("spelled_fillers") or ():
        words[str(k).lower()] = "f"
    alternation = _trie(sorted(words))
    # A token is a whole word made of number words, digits and O/I/l ("sjuttiofyra", "O7O",
    # "zero7zero"); a number is at least two tokens with separators between them.
    piece = rf"(?i:{alternation})|\d|[OoIl]"
    # (or a number word stretched: "sjuuu", "fyraaa", "nooooll", a letter three times or more)
    stretched = r"(?=[^\W\d_]*?(?P<st>[^\W\d_])(?P=st))[^\W\d_]{3,16}"
    token = rf"(?<![^\W_])(?:(?:{piece})+|{stretched.replace('st>', 'su>').replace('=st)', '=su)')})(?![^\W_])"
    # a number starts with a zero, a plus or a country code: "noll ...", "zero ...", "O7O", "070 ett ...", "plus ..."
    first = (
        r"(?<![^\W_])(?=(?i:noll|n0ll|no+l|zero|ze+r|oh|nil|nought|plus|nul|cero|zéro|нoль|ноль)|[0Oo+4]"
        r"|(?<=\+)(?i:fyrtio|forty)|(?<=\+ )(?i:fyrtio|forty))"  # "+fyrtiosex 70 174 ...": the country code
        rf"(?:(?:{piece})+|{stretched})(?![^\W_])"
    )
    # (one token alone may be the whole number: "nollsjunollettsjufyranollsexfyrasex")
    chain = re.compile(rf"(?=[0Oo+4nNzZpPcCнН])(?:\+[ \x01]?)?{first}(?:{_SEP}{{1,5}}{token}){{0,60}}")
    # written digits, then a number word: "070 ett sju fyra ...", "0701 740 sex 07", "0sju0ett7fyra..."
    # (or a tens, teens or hundreds word: "+46 sjuttio 174 06 12", "070 hundrasjuttiofyra ..."; Swedish and
    # English only: other languages' digit words start a number with their zero, "null ...", "cero ...")
    native = {str(k).lower() for k in cfg.get("native_digit_words") or ()}
    joiners = [
        re.escape(w)
        for w, v in words.items()
        if ((len(v) == 1 and v.isdigit()) or v[0] in "t=h" or v in ("dbl", "tpl"))
        and (not native or w in native or not v.isdigit())
    ]
    # (the word may be glued to more number words and digits: "070-fem5fem 12 12", "070 femfem 5 ...")
    after_digits = re.compile(
        rf"\d[OoIl]?{_SEP}{{1,5}}(?i:{_trie(sorted(joiners))})(?:(?i:{alternation})|\d)*(?![^\W_])"
    )
    return chain, re.compile(piece), words, int(cfg["min_spelled_digits"]), after_digits


# Where a spelled number can start: a zero word ("noll", "nollsju", "zero", "oh"), "plus", "O"
# before a number word, or written digits followed by a number word ("070 ett sju fyra ...").
# (and a country code in words after a plus: "+fyrtiosex 70 174 ...")
_ZERO_WORDS = (
    "noll", "n0ll", "noo", "zero", "oh", "plus", "o ", "nul", "cero", "zéro", "нoль", "ноль",
    "+fyrtio", "+ fyrtio",
)  # fmt: skip
_SPELLED_GATE = re.compile(
    r"(?<![^\W_])(?:noll|n0ll|no+l|zero|zéro|nul|cero|нoль|ноль|oh(?![^\W_])|plus(?![^\W_])"
    r"|o[\s,.\-]{1,3}(?:seven|sju|eight|åtta|atta)|(?<=\+)fyrtio|(?<=\+ )fyrtio)",
    re.IGNORECASE,
)


def _spelled_may_start(text: str, low: str | None = None) -> bool:
    """Cheap test before the spelled-number scan: most ads have no number word at all."""
    if low is None:
        low = text.lower()
    for w in _ZERO_WORDS:
        if w in low:
            if _SPELLED_GATE.search(text):
                return True
            break
    return _spelled()[4].search(text) is not None or _glued_zero().search(text) is not None


@cache
def _glued_zero() -> re.Pattern[str]:
    """A zero glued to a number word, "0sju0ett7fyra...": the literal 0 first lets the regex engine skip to
    the zeros of a text (in one pattern with the spaced form it would try every digit)."""
    words = _spelled()[2]
    native = {str(k).lower() for k in rules("identifiers").get("native_digit_words") or ()}
    joiners = [w for w, v in words.items() if len(v) == 1 and v.isdigit() and (not native or w in native)]
    return re.compile(rf"0(?<![^\W_]0)(?i:{_trie(sorted(joiners))})")


def _find_spelled(text: str, out: list[tuple[int, int, str]]) -> None:
    chain, piece, words, min_digits, _ = _spelled()
    pos = 0
    while (m := chain.search(text, pos)) is not None:
        n = len(out)
        groups, fills = _spelled_groups(m.group(0), m.start(), piece, words)
        # a chain whose reading stopped early ("41 Call noll sju ..."): look again after what was read
        pos = m.start() + 1 if not groups else m.end() if groups[-1][1] >= m.end() else groups[-1][1]
        # a tens word and the unit word after it are one pair ("sjuttio fyra" = 74) unless that leaves no
        # number; then some are read alone ("noll sjuttio ett sjuttiofyra ..." = 0 70 1 74 ...)
        tries = [frozenset(c) for k in range(1, len(fills) + 1) for c in combinations(fills[:4], k)]
        for no_fill in (frozenset(), *tries):
            if no_fill:
                groups, _ = _spelled_groups(m.group(0), m.start(), piece, words, no_fill)
            if sum(len(g[2]) for g in groups) >= min_digits and sum(g[3] + g[4] for g in groups) >= 1:
                _windows(text, groups, out, min_words=1)
            if len(out) > n:
                break


def _pieces(word: str, piece: re.Pattern[str]) -> list[str]:
    """``word`` cut into number words, digits and O/I/l, as few letters-for-digits as possible.

    The longest word first is right almost always ("sjuttiofyra", "sextio"); when that leaves
    letters or an uncut rest, a word glued from number words is cut anew: "fyranollsex" is
    "fyra noll sex", not "fyran" "o" "l" "l" "sex".
    """
    pieces: list[str] = piece.findall(word)
    if sum(map(len, pieces)) == len(word) and not any(p in "OoIl" for p in pieces):
        return pieces
    return list(_cut(word.lower())) or pieces


_STRETCHED = re.compile(r"([^\W\d_])\1\1")
_REPEATS = re.compile(r"([^\W\d_])\1+")


@cache
def _squeezed() -> dict[str, str]:
    """Number words by their letters with every repeat squeezed to one ("noll" -> "nol"), where that is unique."""
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for w, v in _spelled()[2].items():
        key = _REPEATS.sub(r"\1", w)
        if key in seen and seen[key] != v:
            out.pop(key, None)
            continue
        seen[key] = v
        out[key] = w
    return out


def _unstretched(word: str) -> list[str]:
    """A stretched number word as written in the rules ("nollll" -> ["noll"], "sjuuu" -> ["sju"]); [] if none."""
    w = _squeezed().get(_REPEATS.sub(r"\1", word.lower()))
    return [w] if w is not None else []


@cache
def _vocab() -> tuple[str, ...]:
    return tuple(sorted(_spelled()[2], key=len, reverse=True))


@lru_cache(maxsize=4096)
def _cut(word: str) -> tuple[str, ...]:
    """The cut of ``word`` into number words and digits with the fewest pieces; () if there is none."""
    vocab = _vocab()
    best: list[tuple[str, ...] | None] = [None] * (len(word) + 1)
    best[len(word)] = ()
    for i in range(len(word) - 1, -1, -1):
        options = [w for w in vocab if word.startswith(w, i)]
        if word[i].isdigit():
            options.append(word[i])
        for w in options:
            rest = best[i + len(w)]
            if rest is not None and (best[i] is None or len(rest) + 1 < len(best[i] or ())):
                best[i] = (w, *rest)
    return best[0] or ()


def _hundreds_next(pieces: list[str], k: int, toks: list[re.Match[str]], index: int, words: dict[str, str]) -> bool:
    """True when the number word after piece ``k`` of word ``index`` is a hundred ("sex|hundra", "six hundred")."""
    if k + 1 < len(pieces):
        return words.get(pieces[k + 1].lower()) == "h"
    if index + 1 < len(toks):
        return words.get(toks[index + 1].group(0).lower()) == "h"
    return False


def _spelled_groups(
    span: str, offset: int, piece: re.Pattern[str], words: dict[str, str], no_fill: frozenset[int] = frozenset()
) -> tuple[list[tuple[int, int, str, int, int]], list[int]]:
    """The digit groups of a chain of number words and digits, one per word (see :func:`_windows`).

    A tens word leaves a zero that the unit word after it fills ("seventy four", "sjuttiofyra"
    -> 74), "hundra"/"hundred" two ("etthundrasjuttiofyra" -> 174), "dubbel"/"trippel" repeat
    the next digit; a word of letters that is not a number word ("lol", a lone "I") ends the chain.
    A word whose index is in ``no_fill`` does not complete the tens word before it ("sjuttio ett" is 70 1).
    Returns the groups and the indexes of the words that completed a tens word or "hundra" of an earlier word.
    """
    groups: list[list[Any]] = []  # [start, end, digits, number words, letters]
    fills: list[int] = []
    repeat, slot, fillers = 1, 0, 0  # slot: trailing zeros of the last group that the next word may fill
    toks = list(_WORD.finditer(span))
    for index, tok in enumerate(toks):
        word = tok.group(0)
        if index in no_fill and slot == 1:
            slot = 0  # a unit alone after a tens word; what completes a hundred is never read apart
        pieces = _unstretched(word) if _STRETCHED.search(word) else []
        if not pieces:
            pieces = _pieces(word, piece)
            if sum(map(len, pieces)) != len(word):
                pieces = _unstretched(word)  # "nooll", "sjuu": a letter written twice
                if not pieces:
                    break
        if len(pieces) > 1 and pieces[-1] == "o" and pieces[-2][-1:] == "o" and not pieces[-2].isdigit():
            pieces = pieces[:-1]  # "too", "zeroo": a word's last o written twice, not a zero ("oh six too" is 0 6 2)
        if all(p in "OoIl" for p in pieces) and (len(word) > 2 or (not groups and word not in ("O", "o"))):
            break  # "lol", "Ola", an "I" before the number: letters, not digits ("sju I fyra" reads 1)
        group: list[Any] = [offset + tok.start(), offset + tok.end(), "", 0, 0]
        for k, p in enumerate(pieces):
            value = p if p.isdigit() else words.get(p.lower())
            if value is None:  # O, o, I, l
                value = p.translate(_LETTER_MAP)
                group[4] += 1
            elif not p.isdigit():
                group[3] += 1
            target = group if group[2] or not groups else groups[-1]
            if value == "f":
                group[3] -= 1  # a filler joins groups of number words; it is not one itself
                fillers += 1
                continue
            if value in ("dbl", "tpl"):
                repeat = 2 if value == "dbl" else 3
                continue
            if value[0] == "p":  # "två femmor", "dubbla femmor", "three sevens": the count written before it
                if repeat == 1 and target[2][-1:] in ("2", "3", "4"):
                    target[2] = target[2][:-1] + value[1] * int(target[2][-1])
                    target[1] = max(target[1], group[1])
                else:
                    group[2] += value[1] * repeat
                slot, repeat = 0, 1
                continue
            if slot and not p.isdigit() and value[0] != "h" and target[2]:
                if len(value) == 1 and value not in "+0" and not _hundreds_next(pieces, k, toks, index, words):
                    # a unit fills the last zero, unless a hundred follows it: "fyrtio – sexhundratjugoåtta" is
                    # 40 628, not 46 128 (the unit counts the hundreds)
                    target[2], slot = target[2][:-1] + value, 0
                    target[1] = max(target[1], group[1])
                    if target is not group and index not in fills:
                        fills.append(index)
                    continue
                if slot == 2 and value[0] in "t=":  # "hundra sjuttio", "hundred twelve"
                    # one number, never read apart: "one hundred seventy-four" is 174, not 100 74 (no fill
                    # recorded, so no retry splits it to make a short number long enough)
                    target[2] = target[2][:-2] + (value[1] + "0" if value[0] == "t" else value[1:])
                    slot = 1 if value[0] == "t" else 0
                    target[1] = max(target[1], group[1])
                    continue
            slot = 0
            if value[0] == "t":
                group[2] += value[1] + "0"
                slot = 1
            elif value == "h":
                # "sju hundra", "etthundra": hundreds of the unit before; a word that starts with it
                # after a longer group is one hundred and more ("noll sjuttio, hundratjugotre" -> 0 70 123)
                unit = group[2] or (groups and len(groups[-1][2]) == 1 and groups[-1][2] != "0")
                group[2] += "00" if unit else "100"
                slot = 2
            else:
                group[2] += value.lstrip("=") * repeat
            repeat = 1
        if group[2]:
            groups.append(group)
        elif groups:
            groups[-1][3] += group[3]
            groups[-1][4] += group[4]
        if fillers > 1:
            break  # two filler words: a sentence, not a number
        if group[2]:
            fillers = 0
    return [(a, b, d, w, n) for a, b, d, w, n in groups], fills


# ---- number words written one letter at a time: "n o l l  s j u  n o l l ...", "N-O-L-L S-J-U ..."

_LETTER_SEP = r"[ .\-_*/\x01]{1,3}"
# starts like a zero word or "plus" ("n o l l", "z e r o", "o h", "p l u s"); then single letters only
_SPACED = re.compile(
    with_first_chars(
        rf"(?<![^\W_])(?=(?i:n{_LETTER_SEP}o|z{_LETTER_SEP}e|o{_LETTER_SEP}h|p{_LETTER_SEP}l))"
        rf"[^\W\d_](?:{_LETTER_SEP}[^\W\d_](?![^\W_])){{15,120}}"
    )
)


# two single letters in a row, the first a zero word's or "plus"'s: cheaper than _SPACED on every text
_SPACED_GATE = re.compile(r"[nNzZoOpP][ .\-_*/\x01]{1,3}[oOeEhHlL][ .\-_*/\x01]{1,3}[^\W\d_][ .\-_*/\x01]")


def _find_letter_spaced(text: str, out: list[tuple[int, int, str]]) -> None:
    """A whole number in number words spelled out letter by letter: read as one glued word."""
    if not _SPACED_GATE.search(text):
        return
    _, piece, words, min_digits, _ = _spelled()
    for m in _SPACED.finditer(text):
        glued = "".join(_WORD.findall(m.group(0)))
        groups, _fills = _spelled_groups(glued, 0, piece, words)
        digits = "".join(g[2] for g in groups)
        if len(digits) < min_digits or sum(g[3] for g in groups) < min_digits:
            continue
        e164 = normalize_phone(digits)
        if e164 is not None and _accept(text, m.start(), m.end(), e164):
            out.append((m.start(), m.end(), e164))


# ---- number words with letters starred out: "n*ll sj* n*ll *tt sj* f*ra n*ll s*x n*o sj*"

_STARRED = re.compile(r"(?<![^\W_*])(?=[^\W\d_]{0,5}\*)[^\W\d_*]{0,5}(?:\*[^\W\d_*]{0,5}){1,2}(?![^\W_*])")
_STARRED_MIN = 5  # starred number words an ad needs ("f*n", "sh*t" alone are no number)


@cache
def _starred_words() -> dict[int, list[str]]:
    """The native digit words by length."""
    out: dict[int, list[str]] = {}
    for w in rules("identifiers").get("native_digit_words") or ():
        word = str(w).lower()
        if word.isalpha():
            out.setdefault(len(word), []).append(word)
    return out


def _unstarred(text: str) -> str:
    """``text`` with each starred word that can only be one digit's word written out (same length), when the ad
    has at least five of them: "n*ll sj* n*ll *tt ..." is read "noll sju noll ett ..."."""
    found: list[tuple[int, str]] = []
    words = _spelled()[2]
    for m in _STARRED.finditer(text):
        token = m.group(0).lower()
        fits = [
            w for w in _starred_words().get(len(token), ()) if all(a in ("*", b) for a, b in zip(token, w, strict=True))
        ]
        values = {words.get(w) for w in fits}
        if fits and len(values) == 1:
            word = fits[0]
            found.append(
                (m.start(), "".join(b.upper() if a.isupper() else b for a, b in zip(m.group(0), word, strict=True)))
            )
    if len(found) < _STARRED_MIN:
        return text
    chars = list(text)
    for start, word in found:
        chars[start : start + len(word)] = word
    return "".join(chars)


# ---- a mobile in number words with whole clauses between its groups, in one sentence: "My number starts with zero
# seven zero like every Swedish mobile, then one hundred seventy-four, then zero six, and it ends with eighty-one"
# (the word form of the loose digit chain "070 och sedan, efter en liten paus, 174 — ...")

_RUN_GAP = re.compile(r"[ \t,\-]{1,3}")
_CLAUSE_GAP_WORDS = 8  # words between two groups
_CLAUSE_ZERO = frozenset({"noll", "nolla", "zero", "nought", "n0ll", "n0lla"})
_CLAUSE_NOT = frozenset({"en", "oh", "nil"})  # common words alone ("en timme", "oh baby")


@cache
def _clause_vocab() -> tuple[frozenset[str], frozenset[str]]:
    """The Swedish and English number words a group may be made of (digits, tens, teens, hundreds), and the units
    that make the group before them an amount ("tjugofyra år", "one hundred seventy cm")."""
    cfg = rules("identifiers")
    words = _spelled()[2]
    native = {str(w).lower() for w in cfg.get("native_digit_words") or ()}
    vocab = frozenset(w for w, v in words.items() if w in native or v[0] in "t=h")
    units = frozenset(str(w).lower() for w in cfg.get("decoder_units_after") or ())
    return vocab, units


def _clause_number_word(word: str) -> bool:
    low = word.lower()
    if low in _CLAUSE_NOT or not low.isalpha():
        return False
    pieces = _cut(low)
    return bool(pieces) and all(p in _clause_vocab()[0] for p in pieces)


def _find_worded_clauses(text: str, out: list[tuple[int, int, str]]) -> None:
    """A Swedish mobile whose groups are number words with clauses between them in one sentence: the first group
    starts with a zero word, each later group has two digits or more (a lone "one", "sex" is a word of the
    clause), no group is an amount (a unit after it), no digits are written between, three groups or more and at
    most eight words between two; the digits make exactly a whole Swedish mobile."""
    _, piece, words, _, _ = _spelled()
    units = _clause_vocab()[1]
    start = 0
    for end_m in (*_SENTENCE_END.finditer(text), None):
        end = end_m.start() if end_m is not None else len(text)
        sentence_start, start = start, (end_m.end() if end_m is not None else len(text))
        toks = list(_WORD.finditer(text, sentence_start, end))
        # runs of number words with only spaces, commas or dashes between
        runs: list[tuple[int, int, int, int]] = []  # (first token, last token, start, end)
        i = 0
        while i < len(toks):
            if not _clause_number_word(toks[i].group(0)):
                i += 1
                continue
            j = i
            while (
                j + 1 < len(toks)
                and _clause_number_word(toks[j + 1].group(0))
                and _RUN_GAP.fullmatch(text, toks[j].end(), toks[j + 1].start())
            ):
                j += 1
            runs.append((i, j, toks[i].start(), toks[j].end()))
            i = j + 1
        if len(runs) < 3:
            continue
        for k, first in enumerate(runs):
            if toks[first[0]].group(0).lower() not in _CLAUSE_ZERO:
                continue
            digits, parts, last, end_tok = "", 0, first, first[1]
            for run in runs[k:]:
                if run is not first:
                    gap = text[toks[end_tok].end() : run[2]]
                    if any(c.isdigit() for c in gap) or run[0] - end_tok - 1 > _CLAUSE_GAP_WORDS:
                        break
                groups, _ = _spelled_groups(text[run[2] : run[3]], run[2], piece, words)
                got = "".join(g[2] for g in groups)
                if not groups or groups[-1][1] != run[3] or (run is not first and len(got) < 2):
                    if run is first:
                        break
                    continue  # a lone number word of the clause
                after = toks[run[1] + 1].group(0).lower() if run[1] + 1 < len(toks) else ""
                if after in units:
                    break  # "tjugofyra år", "one hundred seventy cm": an amount
                digits, parts, last, end_tok = digits + got, parts + 1, run, run[1]
                if len(digits) >= 10:
                    break
            if len(digits) != 10 or parts < 3 or not digits.startswith("0"):
                continue
            _take(out, first[2], last[3], normalize_phone(digits), text, alone=True)
