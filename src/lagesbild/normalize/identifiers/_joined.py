"""Written digit groups joined by words, a bracketed remark or a cue: "070 sen 174 sist 0621", "070 (ta bort
detta) 174 06 36", "börjar på 070 174 och slutar på 06 12"; the last group may be a sum, a product or the age."""

from __future__ import annotations

import re
from functools import cache

from lagesbild.normalize._gate import with_first_chars
from lagesbild.normalize._rules import rules
from lagesbild.normalize.ages import find_age
from lagesbild.normalize.identifiers._arith import _OTHER_SUM, _PRODUCT, _SUM, _X_PRODUCT, _number
from lagesbild.normalize.identifiers._common import (
    _DIGIT_RUN,
    _GAP,
    _MASK_IN_BRIDGE,
    _PRICE_AFTER,
    _SEP1,
    _UNIT_AFTER,
    _UNIT_WORDS,
    _accept,
    _take,
    _trie,
)
from lagesbild.normalize.identifiers._e164 import _NON_DIGIT, _SE_MOBILE_PLUS, normalize_phone
from lagesbild.normalize.identifiers._spelled import _spelled
from lagesbild.normalize.prices import find_prices


@cache
def _joined() -> tuple[
    re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]
]:
    """The start of a Swedish mobile (its first digit groups), a gap with joiner words, a gap
    with any one other word ("076 kärlek 234 kyss 56 puss 78") or a short letter or sign ("070 x 174",
    "070a174", "070 + 174"), a gap without words, and a cue that carries the number on after any text
    ("börjar på 070 174 och slutar på 06 12", "070-174. Fortsättning: 06 12")."""
    cfg = rules("identifiers")
    joiners = sorted(str(w).lower() for w in cfg.get("written_group_joiners") or ())
    cues = sorted(str(w).lower() for w in cfg.get("split_number_cues") or ())
    remark = r"\([^()\d\n]{1,30}\)|\[[^\[\]\d\n]{1,30}\]"  # "(ta bort detta)", "[remove this]"
    word_gap = rf"(?:{_SEP1}{{0,5}}(?:{remark}|(?i:{_trie(joiners)})(?![^\W_]))){{1,3}}{_SEP1}{{0,5}}(?=\d)"
    # one word of letters between separators, not a unit ("070 kr", "073 år"): any word the writer likes;
    # or one or two letters or a sign, spaced or not ("070 x 174 x 06 x 12", "070a174b06c12", "070 + 174 ...")
    not_unit = rf"(?!(?i:{_trie(list(_UNIT_WORDS))})(?![^\W_]))"
    # (glued to the digits on both sides only an x: "070x174x06x12"; "070c093b8211" is a hash)
    short = rf"{not_unit}(?![OoIl](?![^\W_]))(?:[^\W\d_]{{1,2}}|[+&])"
    # or one word glued to the digits on both sides, "070kyss174kram06puss59", "073love174kiss06hug59": a word
    # with a letter that is no hex digit ("070abc174def" is a hash), in a number that stands alone (see below)
    other_gap = (
        rf"(?:{_SEP1}{{1,3}}{not_unit}[^\W\d_]{{3,12}}{_SEP1}{{1,3}}"
        rf"|{_SEP1}{{1,2}}{short}{_SEP1}{{0,2}}|{short}{_SEP1}{{1,2}}|[xX×]"
        rf"|{not_unit}(?P<glued>(?=[^\W\d_]{{0,11}}[^\W\d_a-fA-F])[^\W\d_]{{2,12}}))(?=\d)"
    )
    # a cue word somewhere in the text between two parts (no digits in between)
    bridge = rf"\D{{0,60}}?(?<![^\W_])(?i:{_trie(cues)})(?![^\W_])\D{{0,30}}?(?=\d)"
    # the cue word right before the digits ("... och sen 6x8"): a product with an x there is arithmetic
    cue_last = rf"(?<![^\W_])(?i:{_trie(cues)}){_SEP1}{{1,3}}$"
    # the group that starts the number ("070", "0701", "+46 70", "0046 (0)70"), maybe more groups after it
    first = r"(?<![\d+])(?:(?:\+|00)46[ \x01-]?(?:\(0\)[ ]?)?|0)7[02369]\d*+"
    return (
        re.compile(with_first_chars(rf"{first}(?:{_GAP}\d++)*+")),
        re.compile(word_gap),
        re.compile(other_gap),
        re.compile(rf"{_GAP}(?=\d)"),
        re.compile(bridge),
        re.compile(cue_last),
    )


@cache
def _price_word() -> re.Pattern[str]:
    """A price word or currency in a gap ("070-174 Pris 1500", "070-174 SEK 1500"): the group after it is an
    amount, not the rest of the number."""
    words = sorted(str(w).lower() for w in rules("identifiers").get("price_words") or ())
    return re.compile(rf"(?<![^\W_])(?i:{_trie(words)})(?![^\W_])")


_WORD_BEFORE = re.compile(r".*[^\W_]\Z", re.DOTALL)
_AGE_CUE = re.compile(
    r"\D{0,30}?(?<![^\W_])(?i:min ålder|mitt ålder|my age|ålder|age|mitt alder|min alder|mein alter|meinem alter"
    r"|mi edad|mon âge|mój wiek|moj wiek)(?![^\W_])"
)
# the height the ad states, for its last two digits: "070-174 06 + de två sista siffrorna i min längd" (152 cm: 52)
_HEIGHT_CUE = re.compile(
    r"\D{0,30}?(?<![^\W_])(?i:min längd|my height|meiner größe|meine größe|mi altura|ma taille)"
    r"(?![^\W_])"
)
# the room number the ad states, as the last two digits: "bor på hotell ..., rum 18. ... 070-174 06 + rumsnumret"
_ROOM_CUE = re.compile(
    r"\D{0,30}?(?<![^\W_])(?i:rumsnumret|rumsnummer|mitt rumsnummer|rummets nummer|numret på rummet"
    r"|my room number|the room number|my room no|room number)(?![^\W_])"
)
_ROOM = re.compile(
    r"(?<![^\W_])(?i:rum|room|zimmer|rumsnummer|room number)(?:[ \t]*(?i:nr|no|nummer)\.?)?[ \t]*[:#]?[ \t]*"
    r"(\d{2})(?![\d]|[.,:]\d)"
)
# the first two digits of the hourly price the ad states: "070-174 06 och sedan de två första siffrorna i mitt timpris"
# with "Timme 2400 kr" (24)
_PRICE_CUE = re.compile(
    r"\D{0,25}?(?<![^\W_])(?i:de två första siffrorna|två första siffrorna|de första två siffrorna|första två siffrorna"
    r"|the first two digits|first two digits)(?![^\W_])[ \t]*(?i:i|av|från|of|in|from)[ \t]+"
    r"(?i:mitt timpris|timpriset|mitt pris för en timme|my hourly rate|my hourly price|my price for an hour)(?![^\W_])"
)
_HEIGHT = re.compile(r"(?<![\d+.,])(1[2-9]\d) ?(?i:cm)(?![^\W_])|(?<![\d+.,])1[.,]([2-9]\d) ?(?i:m)(?![^\W_])")
_AGE_PLUS = re.compile(r"[ \t]*(?:\+|(?i:plus)(?![^\W_]))[ \t]*(\d{1,2})(?![\d]|[ \t]*(?i:år|kr|min|h)\b)")
_AGE_MINUS = re.compile(r"[ \t]*(?:-|–|(?i:minus)(?![^\W_]))[ \t]*\d")
_AGE = re.compile(r"(?<![\d+])([1-9]\d) ?(?:år|years|yo|y/o|y\.o\.|jahre|años|anos|ans|lat)(?![^\W_])", re.IGNORECASE)
_FIRST_GROUP = re.compile(r"(?:(?:\+|00)46[ \x01-]?(?:\(0\)[ ]?)?)?\d+")
_SHORT_FIRST = re.compile(r"(?:^|\D)0?7\d$")  # "070", "+46 76", "0046 (0)73": the first group is just 07x


_STOP_IN_GAP = re.compile(r"[.!?]\s")


def _more_digits(text: str, pos: int, plain_gap: re.Pattern[str]) -> bool:
    """More digits follow at ``pos`` ("... sen 06 12 15"), other than a price ("... 9 gånger 3 😉 1500kr/h") or the
    next sentence's."""
    gap = plain_gap.match(text, pos)
    if gap is None or _STOP_IN_GAP.search(gap.group(0)):
        return False  # (digits after a full stop start the next sentence: "... sista siffran är 9). 1 tim 1800 kr")
    run = _DIGIT_RUN.match(text, gap.end())
    return run is None or _PRICE_AFTER.match(text, run.end()) is None


# the last group in words after a cue: "070.174.06.4 och sen en åtta på slutet", "070 174 06 then fifteen",
# "070 174 06 then eighty-four", "070-174 06 och sen två sjuor" (a second word only for a group of two digits)
_LAST_WORD = re.compile(
    rf"{_SEP1}{{0,3}}(?i:och |and )?(?i:sen|sedan|sist|till sist|then|and then|last)(?![^\W_]){_SEP1}{{1,3}}"
    r"(?:(?i:en|ett|an|a) )?(?P<w>[^\W\d_]{2,14})(?:[- ](?P<w2>[^\W\d_]{3,8}))?(?![^\W_])"
)
_LAST_TAIL = re.compile(r"(?: (?i:på slutet|sist|at the end|last)(?![^\W_]))?")
# a count or a time after a two-digit group in words: "sen femton minuter", "then fifteen minutes"
_COUNT_AFTER = re.compile(
    r"[ \t]{1,2}(?i:min|mins|minut|minuter|minutes?|timmar|timme|hours?|kr|kronor|sek|euro|dollars?|år|years?"
    r"|procent|percent|gånger|times|dagar|days|st)(?![^\W_])"
)


def _last_words(text: str, pos: int, digits: str) -> tuple[int, str] | None:
    """The end and the digits of the last group written in words after a cue at ``pos``: one digit after
    nine ("... 06.4 och sen en åtta på slutet"), two after eight ("... 06 then fifteen", "... sen två sjuor")."""
    last = _LAST_WORD.match(text, pos)
    if last is None:
        return None
    if len(digits) == 9:
        value = _spelled()[2].get(last.group("w").lower(), "")
        if len(value) != 1 or not value.isdigit():
            return None
        return _tail_end(text, last.end("w")), value
    tries = [(last.group("w"), last.end("w"))]
    if last.group("w2"):
        tries.insert(0, (text[last.start("w") : last.end("w2")].replace("-", " "), last.end("w2")))
    for words, end in tries:
        n = _number(words)
        if n is not None and 10 <= n <= 99:
            end = _tail_end(text, end)
            return None if _COUNT_AFTER.match(text, end) else (end, str(n))
    return None


def _ended_in_words(
    text: str, start: int, pos: int, digits: str, plain_gap: re.Pattern[str], out: list[tuple[int, int, str]]
) -> bool:
    """Add the mobile whose written digits ``text[start:pos]`` end in a group in words after a cue; True if found."""
    if not digits.startswith("07"):
        return False
    last = _last_words(text, pos, digits)
    e164 = normalize_phone(digits + last[1]) if last is not None else None
    if (
        last is None
        or e164 is None
        or not _SE_MOBILE_PLUS.match(e164)
        or _UNIT_AFTER.match(text, last[0])
        or _more_digits(text, last[0], plain_gap)
        or not _accept(text, start, last[0], e164)
    ):
        return False
    out.append((start, last[0], e164))
    return True


def _tail_end(text: str, pos: int) -> int:
    """Where "på slutet", "at the end" after the last group ends (``pos`` when none follows)."""
    tail = _LAST_TAIL.match(text, pos)
    return tail.end() if tail is not None else pos


def _find_joined(text: str, out: list[tuple[int, int, str]]) -> None:
    """Swedish mobiles written as digit groups with words, a bracketed remark or a cue between them.

    Only a whole mobile (07x and seven digits) counts, and only when some gap holds a word: a run
    without words is the digit finder's. A gap may hold any one word ("076 kärlek 234 kyss 56 puss
    78"), or one or two letters or a sign, when the number starts with a group of just 07x and every
    later group has two digits or more ("0730 till 1800" are hours; "07 juni" a date). Once, the rest
    of the number may follow any text with a cue word in it ("slutar på", "fortsättning", "sen"),
    when nothing masked stands between and no unit follows ("070-174 06 xx. Sen 20 min" is no number).
    """
    start_re, word_gap, other_gap, plain_gap, bridge_gap, cue_last = _joined()
    for m in start_re.finditer(text):
        digits, pos, words = _NON_DIGIT.sub("", m.group(0)), m.end(), False
        if len(digits) >= 10:
            continue  # the digit finder's
        head = _FIRST_GROUP.match(text, m.start())
        short_first = head is not None and _SHORT_FIRST.search(head.group(0)) is not None
        other = bridged = False
        if len(digits) == 8 and _ended_in_words(text, m.start(), pos, digits, plain_gap, out):
            continue  # "070 174 06 then fifteen", "070-174 06 och sen två sjuor. 1h 1800 kr" (before a cue reads on)
        for _ in range(6):
            gap = word_gap.match(text, pos)
            if gap is not None:
                words = True
            else:
                gap = other_gap.match(text, pos)
                if gap is not None:
                    words = other = True
                else:
                    gap = plain_gap.match(text, pos)
                    if gap is None and not bridged and len(digits) >= 3:
                        if len(digits) == 8 and _AGE_CUE.match(text, pos):
                            break  # "070-174 06 och sen min ålder 😉 1h 1800 kr": the age, not the next digits
                        gap = bridge_gap.match(text, pos)
                        if gap is None:
                            break
                        words = bridged = True
                    elif gap is None:
                        break
            run = _DIGIT_RUN.match(text, gap.end())
            if run is None or (other and (len(run.group(0)) < 2 or not short_first)):
                break
            if gap.re is other_gap and gap.group("glued") and _WORD_BEFORE.match(text, 0, m.start()):
                break  # "id070kyss174...": glued words in a longer token are a code
            if words and _MASK_IN_BRIDGE.search(text, pos, gap.end()):
                break  # "070 174 06 **, sen 55": the number was masked, what follows is something else
            if _PRICE_AFTER.match(text, run.end()) or _price_word().search(text, pos, gap.end()):
                break  # "070-174" / "Pris 1500 kr", "Pris: 1500", "1500:-": a group next to a price is an amount
            tail, end = run.group(0), run.end()
            total = _SUM.match(text, end)
            product = _PRODUCT.match(text, end) if total is None and len(tail) <= 2 else None
            if (
                product is None
                and total is None
                and len(tail) == 1
                and gap.re is not plain_gap
                and cue_last.search(text, gap.start(), gap.end())
            ):
                product = _X_PRODUCT.match(text, end)
            if total is not None and (gap.re is bridge_gap or gap.re is word_gap):
                # "... sista två siffrorna = 12+14", "summan av 32+34", "... är 5+7": the sum ends the number
                tail, end = str(int(tail) + int(total.group(1))).zfill(len(tail)), total.end()  # "= 0600 + 14": 0614
            elif product is not None and (gap.re is bridge_gap or product.re is _X_PRODUCT):
                tail, end = str(int(tail) * int(product.group(1))), product.end()  # "... är 9 gånger 3"
                bridged = bridged or product.re is _X_PRODUCT  # no unit or more digits may follow either
            elif total is not None and len(digits) + len(tail) >= 10:
                break  # "070-174 06 + (10+2)": a sum where the last group should be, after no words
            digits, pos = digits + tail, end
            if len(digits) > 13:  # "0046" and nine digits at most
                break
            e164 = normalize_phone(digits)
            if e164 is not None and _SE_MOBILE_PLUS.match(e164):
                if bridged and (
                    _UNIT_AFTER.match(text, pos) or _more_digits(text, pos, plain_gap) or _OTHER_SUM.match(text, pos)
                ):
                    break  # "... sen 06 12 kr", "... sen 06 12 15", "... är 20 minus 8": not the rest of this number
                if words and _accept(text, m.start(), pos, e164):
                    out.append((m.start(), pos, e164))
                break
        else:
            continue
        if len(digits) in (8, 9) and _ended_in_words(text, m.start(), pos, digits, plain_gap, out):
            continue  # "070.174.06.4 och sen en åtta på slutet"
        if len(digits) == 9:
            continue
        if len(digits) == 8 and (cue := _AGE_CUE.match(text, pos)):
            # "070-174 06 följt av min ålder", "... + min ålder 😉": the two last digits are the age in the ad
            ages = set(_AGE.findall(text))
            if not ages:  # "Åsa 47, Strängnäs ... 070-174 06 + min ålder": the age the ad states in any form
                stated = find_age(text)
                ages = {str(stated.value)} if stated is not None and 10 <= stated.value <= 99 else set()
            if _AGE_MINUS.match(text, cue.end()):
                ages = set()  # "min ålder minus 12": a difference in running text stays text, and the age is not it
            if ages and (more := _AGE_PLUS.match(text, cue.end())):
                # "sista två = min ålder plus 8": a sum is worked out (a difference in running text stays text)
                ages = {str(int(a) + int(more.group(1))) for a in ages}
                ages = {a for a in ages if len(a) == 2}
            e164 = normalize_phone(digits + ages.pop()) if len(ages) == 1 else None
            _take(out, m.start(), pos, e164, text)
        elif len(digits) == 8 and (cue := _HEIGHT_CUE.match(text, pos)):
            # "... + de två sista siffrorna i min längd": the last two digits of the one height the ad states
            heights = {(h.group(1) or "1" + h.group(2))[-2:] for h in _HEIGHT.finditer(text)}
            if _AGE_MINUS.match(text, cue.end()) or _AGE_PLUS.match(text, cue.end()):
                heights = set()  # arithmetic on the height stays text
            e164 = normalize_phone(digits + heights.pop()) if len(heights) == 1 else None
            _take(out, m.start(), pos, e164, text)
        elif len(digits) == 8 and (cue := _ROOM_CUE.match(text, pos)):
            # "070-174 06 + rumsnumret": the one two-digit room number the ad states ("rum 18")
            rooms = {r.group(1) for r in _ROOM.finditer(text) if not (r.start(1) < pos and m.start() < r.end(1))}
            if _AGE_MINUS.match(text, cue.end()) or _AGE_PLUS.match(text, cue.end()):
                rooms = set()  # arithmetic on the room number stays text
            e164 = normalize_phone(digits + rooms.pop()) if len(rooms) == 1 else None
            _take(out, m.start(), pos, e164, text)
        elif len(digits) == 8 and (cue := _PRICE_CUE.match(text, pos)):
            # "... och sedan de två första siffrorna i mitt timpris": the one hourly price in SEK the ad states
            hourly = {p.amount for p in find_prices(text) if p.currency == "SEK" and p.sek_per_hour is not None}
            if _AGE_MINUS.match(text, cue.end()) or _AGE_PLUS.match(text, cue.end()):
                hourly = set()  # arithmetic on the price stays text
            firsts = {str(a)[:2] for a in hourly if a >= 10}
            e164 = normalize_phone(digits + firsts.pop()) if len(hourly) == 1 and len(firsts) == 1 else None
            _take(out, m.start(), pos, e164, text)


# a mobile's groups in one sentence with whole clauses between them, the first its prefix: "070 och sedan, efter en
# liten paus, 174 — glöm inte 06 och till sist 10", "Börja med 070, fortsätt med 174 – jag svarar alltid snabbt –
# och sluta med 06 55" (10 digits in groups of two or more; each gap words of two letters or more, spaces, commas and
# dashes, apart from the digits: no sign, mask or blank, no single letter, no sentence end)
_LOOSE_FIRST = re.compile(r"(?<![^\W_]|\+)07\d(?![\d])")
_LOOSE_GAP = re.compile(r"[ ,:;–—\-]+(?:[^\W\d_]{2,}[ ,:;–—\-]+){0,8}(?=\d)")
_LOOSE_GROUP = re.compile(r"\d{2} \d{2}(?![\d]|[ \-.]\d)|\d{2,4}(?![\d]|[^\W_])")


def _find_loose_chain(text: str, out: list[tuple[int, int, str]]) -> None:
    """A Swedish mobile written as its prefix and then digit groups with words between them in one sentence; two
    gaps or more must hold a word (digits apart by separators are the digit finder's), no group may be an amount."""
    for first in _LOOSE_FIRST.finditer(text):
        digits, end, worded = first.group(0), first.end(), 0
        while len(digits) < 10:
            gap = _LOOSE_GAP.match(text, end)
            group = _LOOSE_GROUP.match(text, gap.end()) if gap else None
            if gap is None or group is None or _PRICE_AFTER.match(text, group.end()):
                break
            if _UNIT_AFTER.match(text, group.end()):
                break
            worded += any(c.isalpha() for c in gap.group(0))
            digits += group.group(0).replace(" ", "")
            end = group.end()
        if len(digits) != 10 or worded < 2:
            continue
        e164 = normalize_phone(digits)
        if e164 is None or not _SE_MOBILE_PLUS.match(e164) or any(x[0] < end and first.start() < x[1] for x in out):
            continue
        out.append((first.start(), end, e164))
