"""A number given in parts across the ad: labelled halves ("Första halvan: 07017 ... Andra halvan: 40609"), a local
number with "riktnummer <city>", parts joined by "+" to be written together, groups given one by one ("0, sen
70, sen 174 ..."), single bracketed digits, numbered parts."""

from __future__ import annotations

import re
from functools import cache

from lagesbild.normalize._rules import rules
from lagesbild.normalize.identifiers._arith import _OTHER_SUM, _PRODUCT, _SUM
from lagesbild.normalize.identifiers._common import (
    _DIGIT_RUN,
    _MASK_AFTER,
    _PRICE_AFTER,
    _SE_MOBILE_START,
    _SENTENCE_END,
    _UNIT_AFTER,
    _phrases,
    _take_parts,
)
from lagesbild.normalize.identifiers._e164 import _NON_DIGIT, _SE_MOBILE_PLUS, normalize_phone

# a whole run of digits (not a piece of a longer one: "+44 (0)7700 900123" gives no part)
_FRAGMENT = r"(?<![\d+(])(?<!\d[ \-.])\d(?:[ \-.]?\d){1,8}(?![ \-.]?\d)(?![^\W_])"


@cache
def _part_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """A labelled part (label, a little text, digits), digits with a label after them, any digits, area codes."""
    cfg = rules("identifiers")
    labels = cfg.get("number_part_labels") or {}
    codes = {str(k).lower(): str(v) for k, v in (cfg.get("area_codes") or {}).items()}
    start, start_after, end, area, middle = (
        _phrases([str(w) for w in labels.get(k) or ()]) for k in ("start", "start_after", "end", "area", "middle")
    )
    labelled = re.compile(
        rf"(?<![^\W_])(?i:(?P<s>{start})|(?P<e>{end})|(?P<a>{area})|(?P<m>{middle}))(?![^\W_])"
        rf"[^\d\n.!?]{{0,25}}?(?P<d>{_FRAGMENT})"
    )
    return (
        labelled,
        re.compile(rf"(?P<d>{_FRAGMENT})[ ,]{{1,3}}(?:\w+[ ,]{{1,3}}){{0,1}}(?i:{start_after})(?![^\W_])"),
        re.compile(_FRAGMENT),
        codes,
    )


# a part that starts a mobile ("070", "07017", "070-174"), not inside a longer run: every such number has one
# (the literal 0 first lets the regex engine skip to the zeros)
_PART_GATE = re.compile(r"0(?<![\d+(]0)(?<!\d[ \-.]0)7[02369](?:[ \-.]?\d){0,6}(?![ \-.]?\d)")
_AREA_LABEL = re.compile(r"(?i:riktnummer|riktnr)\.?:?\s+(?P<city>[^\W\d_]+)")


def _masked_part(text: str, part: tuple[int, int, str, bool]) -> bool:
    return part[0] < part[1] and _MASK_AFTER.match(text, part[1]) is not None


def _find_parts(text: str, out: list[tuple[int, int, str]]) -> None:
    """A Swedish mobile written in two labelled parts anywhere in the ad, in any order; or a local number
    with "riktnummer <city>". Exactly one mobile must come out of the parts, one of them labelled."""
    if not _PART_GATE.search(text) and "iktn" not in text:
        return
    labelled, after_label, fragment, codes = _part_patterns()
    taken = [(a, b) for a, b, _ in out]
    starts: list[tuple[int, int, str, bool]] = []  # (start, end, digits, labelled)
    ends: list[tuple[int, int, str, bool]] = []
    middles: list[tuple[int, int, str, bool]] = []  # "början är 070, mitten är 174, slutet är 0698"
    areas: set[int] = set()  # starts of area codes: a landline may come out
    for m in labelled.finditer(text):
        part = (m.start("d"), m.end("d"), _NON_DIGIT.sub("", m.group("d")), True)
        if _UNIT_AFTER.match(text, part[1]) or _PRICE_AFTER.match(text[part[1] : part[1] + 8]):
            continue  # "resten i chatten 25 år": an age, a price or a time is no part of a number
        if _SUM.match(text, part[1]) or _PRODUCT.match(text, part[1]) or _OTHER_SUM.match(text, part[1]):
            continue  # "sista två siffrorna är 20 minus 8": a sum is no part (a product: the last-digits finder's)
        if m.group("m"):
            middles.append(part)
            continue
        if m.group("a"):
            if not part[2].startswith("0") or len(part[2]) > 4:
                continue
            areas.add(part[0])
        (starts if m.group("s") or m.group("a") else ends).append(part)
    for m in after_label.finditer(text):
        starts.append((m.start("d"), m.end("d"), _NON_DIGIT.sub("", m.group("d")), True))
    area = _AREA_LABEL.search(text)
    code = codes.get(area.group("city").lower()) if area is not None else None
    if code is not None and area is not None:
        starts.append((area.start(), area.start(), code, True))
        areas.add(area.start())
    if not starts and not ends:
        return
    known = {(a, b) for a, b, _, _ in starts + ends}
    for m in fragment.finditer(text):
        if (
            (m.start(), m.end()) in known
            or _UNIT_AFTER.match(text, m.end())
            or _PRICE_AFTER.match(text[m.end() : m.end() + 8])
        ):
            continue
        part = (m.start(), m.end(), _NON_DIGIT.sub("", m.group(0)), False)
        ends.append(part)
        if _SE_MOBILE_START.match(part[2]):
            starts.append(part)
    if len(starts) * len(ends) > 2_500:
        return  # a list of numbers, not an ad with one number in parts
    found: dict[str, list[tuple[int, int]]] = {}
    for s in starts:
        for e in ends:
            if s[:2] == e[:2] or not (s[3] or e[3]) or any(a < x[1] and x[0] < b for x in (s, e) for a, b in taken):
                continue
            if (
                (len(s[2]) < 3 and s[0] not in areas)
                or (not e[3] and len(e[2]) < 5)
                or _masked_part(text, s)
                or _masked_part(text, e)
            ):
                continue  # "börjar på 070-174 06, resten får du i chatten ... 25 år": an age is no rest
            e164 = normalize_phone(s[2] + e[2])
            landline = s[0] in areas  # after "riktnummer 08", "riktnr Malmö"
            # (a local number has six digits or more: "211 22, riktnr Malmö" is a post code)
            if e164 is None or not (_SE_MOBILE_PLUS.match(e164) or (landline and len(e[2]) >= 6)):
                continue
            found.setdefault(e164, []).extend([(s[0], s[1]), (e[0], e[1])])
    for s in starts if len(middles) == 1 else ():  # three parts: a labelled middle between a start and an end
        for e in ends:
            mid = middles[0]
            parts = (s, mid, e)
            if len({p[:2] for p in parts}) < 3 or any(a < x[1] and x[0] < b for x in parts for a, b in taken):
                continue
            if len(s[2]) < 3 or _masked_part(text, e) or (not e[3] and len(e[2]) < 2) or not (s[3] or e[3]):
                continue  # (a start or an end labelled too: "Julia 26 ... sista delen 68, första 070, mitten 174 06")
            e164 = normalize_phone(s[2] + mid[2] + e[2])
            if e164 is not None and _SE_MOBILE_PLUS.match(e164):
                found.setdefault(e164, []).extend([(s[0], s[1]), (mid[0], mid[1]), (e[0], e[1])])
    if len(found) == 1:
        e164, spans = found.popitem()
        for a, b in dict.fromkeys(spans):
            if a < b:
                out.append((a, b, e164))


# parts joined by "+" with a word that says to write them together, not to add: "0313900 + 6 + 66 (no spaces)",
# "070174 + 06 + 12, skriv ihop"
_JOIN_CUE = re.compile(
    r"(?i:no spaces|without spaces|utan mellanslag|utan mellanrum|skriv ihop|skriv dem ihop|sätt ihop|sätt ihop dem"
    r"|put together|put them together|write together|concatenate|zusammenschreiben|ohne leerzeichen)(?![^\W_])"
)
_JOIN_RUN = re.compile(r"(?<![\d+])0\d{1,8}(?:[ ]?\+[ ]?\d{1,8}){1,5}(?![\d+])")


def _find_joined_parts(text: str, out: list[tuple[int, int, str]]) -> None:
    """Digit parts joined by "+" that the ad says to write together are one number (a mobile or a landline)."""
    for m in _JOIN_RUN.finditer(text):
        digits = _NON_DIGIT.sub("", m.group(0)).replace("+", "")
        cue = _JOIN_CUE.search(text, m.end(), min(len(text), m.end() + 40))
        if cue is None or _SENTENCE_END.search(text, m.end(), cue.start()) is not None or len(digits) not in (9, 10):
            continue
        e164 = normalize_phone(digits)
        if e164 is not None and e164.startswith("+46") and not any(x[0] < m.end() and m.start() < x[1] for x in out):
            out.append((m.start(), m.end(), e164))


# ---- digit groups given one by one: "Första siffran 0, sen 70, sen 174, sen 0, sen 6, sen 2, sen 6", "0, then 70,
# then 174, then 06, then 12"; single digits in brackets with a word that says so ("Ring(0)mig(7)gärna(0)...
# siffrorna i parentes är mitt nummer"); parts numbered in any order ("(3) 06 85 — (1) 070 — (2) 174"). Each
# gives a whole Swedish mobile or nothing.

_CHAIN = re.compile(
    r"(?<![\d+])\d{1,4}(?:[ ,;]{0,3}(?i:och sen|och sedan|sen|sedan|därefter|and then|then|dann|luego|puis)"
    r"(?![^\W_])[ :]{1,3}\d{1,4}(?!\d)){3,9}"
)
_CHAIN_GATE = re.compile(r"(?:sen|sedan|därefter|then|dann|luego|puis)[ :]{1,3}\d")
_BRACKET_DIGIT = re.compile(r"[(\[](\d)[)\]]")
_BRACKET_CUE = re.compile(r"(?i:parentes|parantes|parenthes|bracket|klammer|inom parentes)")
_NUMBERED_PART = re.compile(r"(?<![^\W_])[(\[](?P<k>[1-5])[)\]][ :]{0,2}(?P<g>\d{1,4}(?:[ \-.]\d{1,4}){0,3})(?!\d)")
# parts numbered with a word: "Del 1 av numret: 070 • Del 2: 174 • Del 3: 06 • Del 4: 80", "Part 2 - 174"
_LABELLED_PART = re.compile(
    r"(?<![^\W_])(?i:del|delen|bit|part|teil)[ ]?(?:nr\.?[ ]?|#)?(?P<k>[1-5])"
    r"(?P<of>[ ]+(?i:(?:av|of|von)[ ]+(?:numret|numm?ret|nummer|mitt nummer|the number|my number|the phone number)"
    r"|(?:der|des|meiner)[ ]+nummer))?"
    r"[ ]?[:=\-–][ ]?(?P<g>\d{1,4}(?:[ \-.]\d{1,4}){0,3})(?!\d|[.,:]\d|[ ]?\d)"
)
_LABELLED_PART_GATE = re.compile(r"(?i:del|bit|part|teil)[ ]?(?:nr\.?[ ]?|#)?1(?!\d)")


def _unit_after_part(text: str, part: re.Match[str]) -> bool:
    """A unit after a numbered part makes it an amount ("Del 2: 25 år"); after a part labelled "of the number" a
    capitalised unit word starts the next item of the ad instead ("Del 2 av numret: 174 Timme 1900 kr")."""
    unit = _UNIT_AFTER.match(text, part.end())
    if unit is None:
        return False
    first = next((c for c in unit.group(0) if c.isalpha()), "")
    return not (part.groupdict().get("of") and first.isupper())


def _find_given_apart(text: str, low: str, out: list[tuple[int, int, str]]) -> None:
    """A mobile given one group at a time after a cue word, in bracketed single digits the ad points to, or in
    numbered parts ("(1) 070", "Del 1: 070"); each gate is a substring test."""

    def taken(a: int, b: int) -> bool:
        return any(x[0] < b and a < x[1] for x in out)

    def replace(a: int, b: int, e164: str) -> None:
        # the ad says how to read these digits: a reading of the same digits as written gives way
        out[:] = [x for x in out if not (x[0] < b and a < x[1])]
        out.append((a, b, e164))

    if (
        ("sen" in low or "then" in low or "därefter" in low or "dann" in low or "luego" in low or "puis" in low)
        and len(_CHAIN_GATE.findall(text)) >= 3
        and not any(x[2].startswith("+46") for x in out)
    ):
        for m in _CHAIN.finditer(text):
            e164 = normalize_phone("".join(_DIGIT_RUN.findall(m.group(0))))
            if e164 is not None and _SE_MOBILE_PLUS.match(e164) and not taken(m.start(), m.end()):
                out.append((m.start(), m.end(), e164))
    if "parent" in low or "parant" in low or "bracket" in low or "klammer" in low:
        digits = list(_BRACKET_DIGIT.finditer(text))
        if len(digits) >= 10 and _BRACKET_CUE.search(text):
            # consecutive bracketed digits no more than 20 characters apart
            run = [digits[0]]
            for d in digits[1:]:
                if d.start() - run[-1].end() > 20:
                    break
                run.append(d)
            e164 = normalize_phone("".join(d.group(1) for d in run))
            if e164 is not None and _SE_MOBILE_PLUS.match(e164):
                replace(run[0].start(), run[-1].end(), e164)
    numbered = [_NUMBERED_PART] if "(1)" in text or "[1]" in text else []
    if _LABELLED_PART_GATE.search(text):
        numbered.append(_LABELLED_PART)
    for pattern in numbered:
        parts = [
            p
            for p in pattern.finditer(text)
            if not (_unit_after_part(text, p) or _PRICE_AFTER.match(text[p.end() : p.end() + 8]))
        ]
        keys = [int(p.group("k")) for p in parts]
        if 2 <= len(parts) <= 5 and sorted(keys) == list(range(1, len(parts) + 1)):
            a, b = parts[0].start(), parts[-1].end()
            # within 100 characters; a part labelled "of the number" ("Del 1 av numret: 070") says what the
            # parts are, and they may then be spread across the whole ad (the same guards on each part)
            if b - a <= 100 or any(p.groupdict().get("of") for p in parts):
                ordered = sorted(parts, key=lambda p: int(p.group("k")))
                e164 = normalize_phone("".join(_NON_DIGIT.sub("", p.group("g")) for p in ordered))
                if e164 is not None and _SE_MOBILE_PLUS.match(e164):
                    if b - a <= 100:
                        replace(a, b, e164)
                    else:  # each part alone: the ad between them (an age, a price) is read as it stands
                        for p in parts:
                            replace(p.start(), p.end(), e164)


# the start of the number in the title, the rest in the body with a remark that says so: "Manuela – ny i stan
# 070-174…" / "Skriv till mig: …06 78 (början står i rubriken)"; "... tar emot noll sju noll" / "174 06 69 (början
# står i rubriken)"; the rest of it after a remark that it follows the title: "Maja Gävle – 070 174" / "Resten av
# numret efter rubriken: 06 45", "The rest of my number after the title: 06 45"
_TITLE_START_CUE = re.compile(
    r"(?i:början|starten|första delen|första siffrorna|the start|the beginning|the first part|the first digits)"
    r"[^.!?\n]{0,20}?(?i:rubriken|titeln|the title|the headline)(?![^\W_])"
    r"|(?<![^\W_])(?i:resten|fortsättningen|the rest|rest)(?![^\W_])[^.!?\n\d]{0,25}?(?<![^\W_])"
    r"(?i:efter|after|following)\s+(?i:rubriken|titeln|the title|the headline|title)(?![^\W_])"
    # the remark in brackets, naming the title's digits: "Resten av numret (efter 070-174 i rubriken): 06 44"
    r"|(?<![^\W_])(?i:resten|fortsättningen|the rest)(?![^\W_])[^.!?\n\d()]{0,25}?\([ \t]*(?i:efter|after|following)"
    r"[ \t]+(?P<named>\d[\d \-]{1,12}\d)[ \t]+(?i:i|in)[ \t]+(?i:rubriken|titeln|the title|the headline)[ \t]*\)"
)
_AFTER_CUE = re.compile(r"[ \t]*[:=\-–—]?[ \t]*")
_BODY_PART = re.compile(r"(?<![\d+.:/])\d(?:[ \-]?\d){3,8}(?![\d]|[.:/]\d)")


def _unit_after_rest(text: str, end: int) -> bool:
    """A unit after the body's digits makes them an amount ("Resten ...: 06 44 timmar"); a capitalised unit word on the
    next line starts the next item of the ad instead ("Resten ...: 06 44" / "Timme 2000 kr")."""
    unit = _UNIT_AFTER.match(text, end)
    if unit is None:
        return False
    first = next((c for c in unit.group(0) if c.isalpha()), "")
    return not ("\n" in unit.group(0) and first.isupper())


def _find_title_start(text: str, out: list[tuple[int, int, str]]) -> None:
    """A mobile whose start ends the title (``text`` up to its first line break) and whose rest the body gives right
    before a remark that the start is in the title, or right after one that the rest follows the title ("Resten av
    numret efter rubriken: 06 45"); both parts are returned as spans of the number."""
    from lagesbild.normalize.identifiers._scan import _find_all

    title_end = text.find("\n")
    if title_end < 0:
        return
    for cue in _TITLE_START_CUE.finditer(text, title_end):
        line_start = text.rfind("\n", 0, cue.start()) + 1
        before = list(_BODY_PART.finditer(text, max(line_start, cue.start() - 40), cue.start()))
        gap = _AFTER_CUE.match(text, cue.end())
        after = _BODY_PART.match(text, gap.end()) if gap is not None else None
        if not before and after is None:
            continue
        part = before[-1] if before else after
        assert part is not None
        tail_start = max(0, title_end - 40)
        tail = text[tail_start:title_end].rstrip(" .…-–—:")
        named = cue.group("named")
        if named and not _NON_DIGIT.sub("", tail).endswith(_NON_DIGIT.sub("", named)):
            continue  # the remark names digits the title does not end with
        joined = f"{tail} {part.group(0)}"
        for a, b, e164 in _find_all(joined, joined.lower()):
            if not (_SE_MOBILE_PLUS.match(e164) and a < len(tail) and b > len(tail) + 1):
                continue  # the number must take digits from both the title and the body
            if _PRICE_AFTER.match(text, part.end()) or _unit_after_rest(text, part.end()):
                continue  # the body's digits are an amount: "Pris 1500 kr (början står i rubriken)"
            if _take_parts(out, ((tail_start + a, tail_start + len(tail)), (part.start(), part.end())), e164):
                return


# a number the ad says it hides in its prices: "Mitt nummer står gömt som 'priser' – läs talen i ordning: Paket A
# 070:- Paket B 174:- ..."; the number word, a word for hiding and a price word in one sentence
_PRICE_HIDDEN_CUE = re.compile(
    r"(?<![^\W_])(?i:nummer|numret|numbers?|telefonnummer|phone number|nummer)(?![^\W_])[^.!?\n]{0,40}?"
    r"(?<![^\W_])(?i:gömt|gömd|gömda|dolt|dold|dolda|hidden|hides|versteckt|escondido|caché)(?![^\W_])[^.!?\n]{0,40}?"
    r"(?<![^\W_])(?i:pris|priser|priserna|prices?|preisen?|precios?|prix)(?![^\W_])"
)
_HIDDEN_AMOUNT = re.compile(r"(?<![\d+.,])(\d{2,4}) ?(?i:kr|sek|kronor)(?![^\W_])")


def _find_price_hidden(text: str, out: list[tuple[int, int, str]]) -> None:
    """The amounts after a cue that says the number is hidden in the prices, read in order from the first, are one
    number when together they are exactly a whole Swedish mobile (no amount left over in the middle of it)."""
    cue = _PRICE_HIDDEN_CUE.search(text)
    if cue is None:
        return
    digits, spans = "", []
    for m in _HIDDEN_AMOUNT.finditer(text, cue.end()):
        digits += m.group(1)
        spans.append((m.start(1), m.end(1)))
        if len(digits) >= 10:
            break
    e164 = normalize_phone(digits) if len(digits) == 10 and digits.startswith("07") else None
    if spans and not any(x[0] < spans[-1][1] and spans[0][0] < x[1] for x in out):  # nothing read between them
        _take_parts(out, spans, e164)


# the digits of a user name the ad gives, and more digits to add after them: "Mitt användarnamn här är mimmi0701740 –
# ta siffrorna i det, lägg till 6 och sedan 57, så har du mitt nummer", "my username is anna0701 - take the digits
# and add 740 then 657"
_NAME_DIGITS = re.compile(
    r"(?<![^\W_])(?i:användarnamn|anvandarnamn|användarnamnet|username|user name|nick|nickname|alias|profilnamn)"
    r"(?![^\W_])[^.!?\n\d]{0,25}?(?<![^\W\d_])[^\W\d_]{2,20}(\d{3,9})(?![^\W_])"
)
_DIGITS_TAKEN = re.compile(
    r"[^.!?\n\d]{0,40}?(?<![^\W_])(?i:siffrorna|siffror|digits|numbers)(?![^\W_])[^.!?\n\d]{0,30}?"
    r"(?<![^\W_])(?i:lägg till|lagg till|lägg på|lagg pa|add|append|följt av|foljt av|followed by)(?![^\W_])[ \t]*"
)
_ADDED_GROUP = re.compile(r"(\d{1,4})(?![\d]|[.,]\d|[ \t]*(?i:kr|sek|min|h|år|cm|kg|%)(?![^\W_]))")
_ADDED_JOIN = re.compile(r"[ \t]*(?:,|(?i:och sedan|och sen|och|sedan|sen|then|and then|and|plus|\+))?[ \t]*")


def _find_name_digits(text: str, out: list[tuple[int, int, str]]) -> None:
    """The digits of a user name the ad names, then the digit groups it says to add after them in the same sentence
    ("lägg till 6 och sedan 57"), are one number when together they are exactly a whole Swedish mobile."""
    for m in _NAME_DIGITS.finditer(text):
        cue = _DIGITS_TAKEN.match(text, m.end())
        if cue is None:
            continue
        digits, spans, pos = m.group(1), [(m.start(1), m.end(1))], cue.end()
        while len(digits) < 10:
            group = _ADDED_GROUP.match(text, pos)
            if group is None:
                break
            digits += group.group(1)
            spans.append((group.start(1), group.end(1)))
            pos = _ADDED_JOIN.match(text, group.end()).end()  # type: ignore[union-attr]
        e164 = normalize_phone(digits) if len(digits) == 10 and digits.startswith("07") else None
        if _ADDED_GROUP.match(text, pos):
            continue  # a group left over
        _take_parts(out, spans, e164)
