"""What every phone finder shares: separators and gaps, unit words, the guards that reject dates, prices, masked
numbers, ids and numbers the ad disowns (:func:`_accept`), and the choice of numbers in a run of digit groups
(:func:`_windows`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from lagesbild.normalize.identifiers._e164 import _NON_DIGIT, _SE_MOBILE_PLUS, normalize_phone

# Separators people put between digit groups: spaces and line breaks, dashes, dots, slashes,
# brackets, colons, commas, bars, stars, underscores and what the character map (``_chars``) turns emoji into.
_SEP = r"[ \t\r\n\-./\\()\[\]{}<>:;,|~#*_'\"=!^\x01]"
# up to five of them, not starting with a full stop and a space (a new sentence: "Annons-ID: 07204426. 21 år",
# a gap always follows a digit); or a longer row of one sign ("070 ..... 174 ~~~~~~ 06 🔥🔥🔥🔥🔥🔥 12")
_GAP = rf"(?:(?!\.\s){_SEP}{{0,5}}|[ \x01]{{0,2}}(?P<row>[.\-_~*=# \x01])(?P=row){{3,12}}[ \x01]{{0,2}})"
_LETTER_MAP = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})
_DIGIT_RUN = re.compile(r"\d+")
# Shapes that are not phones.
_DATE = re.compile(r"^(\d{1,4})([-/.])(\d{1,2})\2(\d{2,4})$")
_TIME_RANGE = re.compile(r"^\d{1,2}[.:]\d{2}\s*-\s*\d{1,2}[.:]\d{2}$")
# a whole Swedish mobile, national or international ("0701740612", "+46701740612", "0046701740612")
_WHOLE_MOBILE = re.compile(r"^(?:0|\+46|0046)7[02369]\d{7}$")
# the last group of a run, three digits or more after a separator ("070-174\n1500" before "kr")
_AMOUNT_LAST = re.compile(r"(?<=[^\d+])\d{3,}$")
_PRICE_BEFORE = re.compile(r"(?:€|\$|sek|eur|usd)\s?$", re.IGNORECASE)
# "070-174 06 xx", "08-123 45x": digits hidden with x, stars or question marks cannot be completed.
_MASK_AFTER = re.compile(r"[ \t\-./]{0,3}(?:[xX](?![^\W\dxX_])|[*?#]{2})")


def _is_date(shape: str) -> bool:
    """True when ``shape`` is a date written with one separator: "2025-05-12", "12/05/2025", "12.05.25"
    (not "0701-74-0619", whose middle is no month)."""
    m = _DATE.match(shape)
    if m is None:
        return False
    a, month, c = int(m.group(1)), int(m.group(3)), int(m.group(4))
    if not 1 <= month <= 12:
        return False
    if len(m.group(1)) >= 3:  # year first: the day last
        return len(m.group(4)) <= 2 and 1 <= c <= 31
    return 1 <= a <= 31


def _not_a_phone(text: str, start: int, end: int) -> bool:
    """True when the digits at ``text[start:end]`` are a date, a time range or a price."""
    s = text[start:end].strip()
    if _is_date(s) or _TIME_RANGE.match(s):
        return True
    if _WHOLE_MOBILE.match(_NON_DIGIT.sub("", s)):
        # a whole mobile number is no price, whatever currency word touches it: "0701740612kr" is a
        # number glued to a price, "1500 SEK 070-174 06 65" and "2000 sek 0046 701 740 665" a price
        # followed by a number (national or international form); but a last group of three digits or more written
        # apart with a price after it is the amount ("Ny i stan 070-174" / "1500 kr": no number)
        return _AMOUNT_LAST.search(s) is not None and _PRICE_AFTER.match(text[end : end + 8]) is not None
    return bool(_PRICE_AFTER.match(text[end : end + 8]) or _PRICE_BEFORE.search(text[max(0, start - 5) : start]))


def _masked(text: str, end: int, e164: str) -> bool:
    """True when the number ending at ``end`` goes on in masking characters ("070-174 06 xx").

    A number that could not be longer (a whole Swedish mobile, a foreign one of twelve characters)
    is kept: "... 06 12 xx" are kisses, and a number left in the text would not be scrubbed.
    """
    if _SE_MOBILE_PLUS.match(e164) or (len(e164) >= 12 and not e164.startswith("+46")):
        return False
    return _MASK_AFTER.match(text, end) is not None


# An ad, order or reference number: "Annons-ID: 08123456", "Ref 0812345678", "#08123456".
_ID_BEFORE = re.compile(
    r"(?:(?<![^\W_])(?:id|ref|referens|order|kod|code|annonsnummer|annonsnr|objektnr|objektnummer|ocr|kvitto)"
    r"(?:[ .-]?(?:nr|no|nummer))?[ .:#-]{0,3}|#)$",
    re.IGNORECASE,
)


# The ad says a number is no phone: after an order, OCR, reference or receipt label (even a whole mobile
# number: "Order-nr: 0701 7406 99"), or with "ej/inte/inget telefonnummer", "not a phone" in its sentence.
# ("Ref.nr 0701-74-0655-7", "Fakturanr: 0701 74 06 55", "Ärendenr 0701-74 06 90", "Invoice no. 0701...", an ad's
# own id: "Ad ID 070174-0655", "Annons-ID 0701740655"; a handle's id stays a phone: "Kik id 0701740612")
_RECEIPT_BEFORE = re.compile(
    r"(?<![^\W_])(?:(?:order|ocr|kvitto|referens|ref|faktura|invoice)(?:[ .-]?(?:nr|no|nummer|number))?"
    r"|(?:ärende|arende)[ .-]?(?:nr|nummer)|(?:annons|ad)[ .-]?id)[ .:#-]{0,3}$",
    re.IGNORECASE,
)
_NO_PHONE = (
    r"(?:(?:ej|inte|inget|icke)(?: (?:ett|mitt))? (?:telefonnummer|telefonnr|mobilnummer)"
    r"|not (?:a|my) phone(?! ?calls?)(?: ?(?:number|no))?)"
)
_NO_PHONE_AFTER = re.compile(rf"[^.!?\n]{{0,30}}?(?<![^\W_]){_NO_PHONE}(?![^\W_])", re.IGNORECASE)
_NO_PHONE_BEFORE = re.compile(rf"(?<![^\W_]){_NO_PHONE}(?![^\W_])[^.!?\n]{{0,25}}$", re.IGNORECASE)


def _disown_word(low: str) -> bool:
    return (
        "telefonnr" in low
        or "mobilnummer" in low
        or "kvitto" in low
        or "ref" in low
        or "faktura" in low
        or "invoice" in low
        or "rende" in low
        or "ad id" in low
        or "ad-id" in low
        or "annons" in low
    )


def _disowned(text: str, start: int, end: int) -> bool:
    """True when the ad itself says the number at ``text[start:end]`` is not a phone."""
    return bool(
        _RECEIPT_BEFORE.search(text, max(0, start - 16), start)
        or _NO_PHONE_AFTER.match(text, end)
        or _NO_PHONE_BEFORE.search(text, max(0, start - 60), start)
    )


def _glued(text: str, i: int) -> bool:
    """True when ``text[i]`` is a letter or digit (the number is glued to a word there)."""
    return 0 <= i < len(text) and text[i].isalnum()


def _accept(text: str, start: int, end: int, e164: str | None) -> bool:
    if e164 is None or _not_a_phone(text, start, end) or _masked(text, end, e164):
        return False
    if e164.startswith("+44") and text[start] == "0" and (_glued(text, start - 1) or _glued(text, end)):
        return False  # a British number written nationally stands alone ("1b07472272401d37" is a hash)
    # a landline-like number right after "ID", "Ref", "#" is the ad's number, not a phone; a whole
    # mobile number is kept ("Kik id 0701740612": it would stay in the stored text otherwise)
    if text[start] == "+" or _SE_MOBILE_PLUS.match(e164):
        return True
    return _ID_BEFORE.search(text, max(0, start - 16), start) is None


def _take(
    out: list[tuple[int, int, str]],
    start: int,
    end: int,
    e164: str | None,
    text: str | None = None,
    *,
    alone: bool = False,
) -> bool:
    """Keep the reading ``(start, end, e164)`` in ``out`` when ``e164`` is a Swedish mobile.

    With ``text``, only when :func:`_accept` takes the span there (no date, no masked or disowned
    number); with ``alone``, only when no reading already in ``out`` overlaps the span. Returns
    whether it was kept: the one acceptance every reader of a disguised number ends with.
    """
    if e164 is None or not _SE_MOBILE_PLUS.match(e164):
        return False
    if alone and any(x[0] < end and start < x[1] for x in out):
        return False
    if text is not None and not _accept(text, start, end, e164):
        return False
    out.append((start, end, e164))
    return True


def _take_parts(out: list[tuple[int, int, str]], spans: Sequence[tuple[int, int]], e164: str | None) -> bool:
    """Keep one reading written in several places (``spans``: parts, groups, a key and its run) when ``e164`` is a
    Swedish mobile and no span overlaps a reading already in ``out``; each span is kept with the number."""
    if e164 is None or not _SE_MOBILE_PLUS.match(e164):
        return False
    if any(x[0] < b and a < x[1] for a, b in spans for x in out):
        return False
    out.extend((a, b, e164) for a, b in spans)
    return True


def _windows(
    text: str,
    groups: list[tuple[int, int, str, int, int]],
    out: list[tuple[int, int, str]],
    min_words: int = 0,
) -> None:
    """The numbers in a run of digit groups that is not one number, as few and as long as they come.

    ``groups`` are ``(start, end, digits, words, letters)``: where each group is in ``text``, its
    digits (a leading "+" for a plus before it) and how many number words and letters-for-digits
    it was read from. Every window of consecutive groups that starts like a number ("0", "+",
    "46") and normalizes is a candidate; Swedish mobiles win, then the longest ("08 - 20 070 174 06 12":
    opening hours, then a mobile; two spelled mobiles after each other), and no two overlap.
    A window read from words needs ``min_words`` number words.
    """
    found: list[tuple[bool, int, bool, int, int, int, str]] = []
    n = len(groups)
    masked = _MASK_AFTER.match(text, groups[-1][1]) is not None  # "04 / 070-590 25 xx"
    for i in range(n):
        first = groups[i][2]
        if not (first[0] in "0+" or first[:2] == "46"):
            continue
        if i and len(first) <= 2 and groups[i][0] - groups[i - 1][1] == 1 and text[groups[i][0] - 1] in "-/.":
            continue  # "15-07 545 64": the second half of a date or a range does not start a number
        digits, words, letters = "", 0, 0
        for j in range(i, n):
            digits += groups[j][2]
            words += groups[j][3]
            letters += groups[j][4]
            size = len(digits) - digits.count("+")
            if size > 15:
                break
            if size < 7 or words + letters < min_words:
                continue
            e164 = normalize_phone(digits)
            if e164 is None or not _accept(text, groups[i][0], groups[j][1], e164):
                continue
            if masked and (j >= n - 1 or not _SE_MOBILE_PLUS.match(e164)):
                continue  # in a run that ends masked only a whole mobile before the masked part counts
            if not _is_list(text[groups[i][0] : groups[j][1]]):
                # of two whole mobiles in one run, the one that starts a line wins: the title's first words
                # repeated at the start of the body ("Nolla sjua\nNolla sjua nolla etta ...")
                starts_line = i > 0 and "\n" in text[groups[i - 1][1] : groups[i][0]]
                found.append((not _SE_MOBILE_PLUS.match(e164), -size, not starts_line, i, j, groups[i][0], e164))
    if not found:
        return
    found.sort()
    taken: list[tuple[int, int]] = []
    for _, _, _, i, j, _, e164 in found:
        if any(i <= b and a <= j for a, b in taken):
            continue
        taken.append((i, j))
        out.append((groups[i][0], groups[j][1], e164))


def _is_list(run: str) -> bool:
    """True when ``run`` is a list of numbers, not one number: days or hours with commas
    ("01, 02, 03, 04, 05 juni", "kl 08, 09, 10, 11") or a counting sequence ("01 02 03 04 05")."""
    groups = _DIGIT_RUN.findall(run)
    if len(groups) < 3:
        return False
    if (
        all(len(g) <= 2 for g in groups)
        and all("," in sep for sep in _DIGIT_RUN.split(run.strip())[1:-1])
        and not (len(groups) >= 7 and all(len(g) == 1 for g in groups))  # "0,7,0,1,7,4,0,6,6,7": a number
    ):
        return True
    steps = {int(b) - int(a) for a, b in pairwise(groups)}
    return len(groups) >= 4 and len({len(g) for g in groups}) == 1 and len(steps) == 1 and steps != {0}


def _trie(words: list[str]) -> str:
    """One regex for ``words`` that branches on each next character (a plain alternation of a
    hundred words is tried word by word at every position, several times slower).

    >>> _trie(["sex", "sexa", "sju"])
    's(?:ex(?:a)?|ju)'
    """
    tree: dict[str, Any] = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        ends = "" in node
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return emit(tree)


# a word of letters or digits
_WORD = re.compile(r"[^\W_]+")


# a separator, but not a full stop and a space after a digit (a new sentence)
_SEP1 = rf"(?:(?!(?<=\d)\.\s){_SEP})"


# Words that follow a written number as its unit or a time: never a word joining one phone's groups.
_UNIT_WORDS = (
    "kr", "sek", "kronor", "euro", "eur", "usd", "dollar", "år", "ar", "years", "yo", "cm", "kg", "min", "minuter",
    "tim", "timme", "timmar", "hour", "hours", "kl", "till", "to", "st", "nr", "procent", "gånger", "dagar", "days",
)  # fmt: skip


_UNIT_AFTER = re.compile(rf"{_SEP1}{{0,2}}(?i:{_trie(list(_UNIT_WORDS))})(?![^\W_])")
# what may not stand between the two halves of a number split by a cue: masked digits ("06 xx. Sen ...")
_MASK_IN_BRIDGE = re.compile(r"(?<![^\W\d_])[xX]{1,2}(?![^\W\d_])|[*?#]{2}")


# a group that may start a Swedish mobile (07x and at most six more digits)
_SE_MOBILE_START = re.compile(r"^07[02369]\d{0,6}$")


# a price after digits: "1500 kr", "06 12 kr"
_PRICE_AFTER = re.compile(rf"{_SEP1}{{0,2}}(?i:kr|sek|kronor|euro|eur|usd|dollar)(?![^\W_])")


def _phrases(words: list[str]) -> str:
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True))


# the end of a sentence or a line
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")


def _same_sentence_span(text: str, a: int, b: int, c: int, d: int) -> bool:
    """True when no sentence end stands between the spans ``a..b`` and ``c..d``."""
    lo, hi = (b, c) if b <= c else (d, a)
    return _SENTENCE_END.search(text, lo, hi) is None


# The finders that read a number from several places in the ad (cues, labels, hints, keys) run on texts of
# ad length: on a whole page their pairings would grow with the square of its numbers.
_AD_LENGTH = 20_000
