"""Last digits that a clause gives: masked digits named and valued ("070 174 06 xx där xx = 7 x 4"), blanks
("070-174 06 _ _ där luckorna är sju och noll"), "de två sista siffrorna är ..." after a masked number, after
the start of one, or for a variant of a number already found ("samma men sista två siffrorna är sju tre")."""

from __future__ import annotations

import re

from lagesbild.normalize.identifiers._arith import _CLAUSE_OPERATORS, _clause_digits, _number
from lagesbild.normalize.identifiers._common import _SE_MOBILE_START, _take
from lagesbild.normalize.identifiers._e164 import _NON_DIGIT, _SE_MOBILE_PLUS, normalize_phone

_COUNT = r"[1-6]|två|tre|fyra|fem|sex|two|three|four|five|six"
# "de två sista siffrorna är sju tre", "sista 2 siffrorna = 6 gånger 8", "last two digits are 7 3"
_LAST_DIGITS = re.compile(
    rf"(?<![^\W_])(?i:(?:de\s+)?(?:(?P<n1>{_COUNT})\s+)?sista\s+(?:(?P<n2>{_COUNT})\s+)?siffr(?:orna|an|or)"
    rf"|(?:the\s+)?last\s+(?:(?P<n3>{_COUNT})\s+)?digits?"
    rf"|(?:de\s+)?sista\s+(?P<n4>{_COUNT})(?=\s*(?:=|:|är\s))|(?:the\s+)?last\s+(?P<n5>{_COUNT})(?=\s*(?:=|:|are\s)))"
    r"(?:\s+(?i:i|in|of|på)\s+(?i:mitt|my|the|numret|nummret)(?:\s+(?i:nummer|number|nr|telefonnummer))?)?"
    r"\s*(?i:är|blir|=|:|are|is)?\s*(?P<v>[^.!?\n]{1,40})"
)
_SAME_BUT = re.compile(r"(?i:samma|same)(?:\s+\w+){0,2}?[\s,]+(?i:men|but)\s+$")


# the masked number after its clue, in the next sentence at most: "... = 30+12. Nummer: 070-174 06 ??"
_MASK_LATER = re.compile(r"[^\d\n]{0,30}?((?:\d[ \-./]?){3,10})[ \-./]?([?*#]{1,4}|[xX]{1,4}(?![^\W_]))(?![?*#\d])")


# the start of a mobile right before the cue for its last digits, no mask: "070-174-06 och sista två siffrorna är"
_HEAD_BEFORE = re.compile(
    r"(?<![\d+])(0(?:[ \-./]?\d){5,8})[ \-./,]{0,3}(?:(?i:och|and|und|y)\s+)?(?:(?i:sen|sedan|then|dann)\s+)?$"
)


def _find_last_digits(text: str, out: list[tuple[int, int, str]]) -> None:
    """The last digits given apart: a number whose last digits are masked ("070-174 06 ?? – de två sista
    siffrorna är 6 gånger 8"), or a second number that is the first with other last digits ("Signe: samma men
    sista två siffrorna är sju tre"). Only a whole Swedish mobile counts."""
    for m in _LAST_DIGITS.finditer(text):
        counts = (m.group("n1"), m.group("n2"), m.group("n3"), m.group("n4"), m.group("n5"))
        n = next((_number(c) for c in counts if c), None)
        head = text[m.start() : m.start("v")].lower()
        if n is None and ("siffran" in head or ("digit" in head and "digits" not in head)):
            n = 1  # "sista siffran är 5"
        before = text[max(0, m.start() - 40) : m.start()]
        if _SAME_BUT.search(before):
            prev = max((x for x in out if x[1] <= m.start() and _SE_MOBILE_PLUS.match(x[2])), default=None)
            value = _clause_digits(m.group("v"), n) if prev is not None and n is not None else None
            if prev is None or value is None:
                continue  # a variant of no number, or of a number of digits the ad does not say
            e164 = normalize_phone(prev[2][: -len(value)] + value)
            if e164 is not None and _SE_MOBILE_PLUS.match(e164) and e164 != prev[2]:
                out.append((m.start(), m.end(), e164))
            continue
        mask = re.search(r"((?:\d[ \-./]?){3,10})[ \-./]?([?*#xX]{1,4})[^\w]{0,6}$", before)
        at = m.start() - len(before) + mask.start() if mask is not None else 0
        lead = _HEAD_BEFORE.search(before) if mask is None and n is not None else None
        if lead is not None and not any(x[0] < m.end() and m.start() - len(lead.group(0)) < x[1] for x in out):
            # no mask: the start of a mobile, then its last digits named ("070 174 06 och sen sista två = trettiotre");
            # named digits only, no arithmetic ("070-174 06, sista två är 3 x 4" stays text)
            digits = _NON_DIGIT.sub("", lead.group(1))
            # ("genom" is a common word too: "kontakta mig genom ...")
            arithmetic = any(
                t.lower() in _CLAUSE_OPERATORS and t.lower() != "genom"
                for t in re.findall(r"[^\W\d_]+|[×*+]", m.group("v"))
            )
            value = None if arithmetic else _clause_digits(m.group("v"), n)
            if _SE_MOBILE_START.match(digits) and value is not None and len(digits) + len(value) == 10:
                e164 = normalize_phone(digits + value)
                _take(out, m.start() - len(lead.group(0)), m.end(), e164)
            continue
        if mask is None:
            # the clue first: "Sista siffrorna i mitt nummer = 30+12. Nummer: 070-174 06 ??"
            mask = _MASK_LATER.match(text, m.end())
            at = mask.start(1) if mask is not None else 0
            if mask is None or any(x[0] < mask.end() and mask.start(1) < x[1] for x in out):
                continue
        elif any(x[0] < m.end() and m.start() - len(mask.group(0)) < x[1] for x in out):
            continue
        k = len(mask.group(2))
        if n is not None and n != k:
            continue
        value = _clause_digits(m.group("v"), k)
        if value is None:
            continue
        e164 = normalize_phone(_NON_DIGIT.sub("", mask.group(1)) + value)
        _take(out, min(at, m.start()), max(m.end(), mask.end()), e164)


# masked last digits the ad names and gives: "070 174 06 xx där xx = 7 x 4", "070-174 06 ?? (?? är 48)"
_MASK_NAMED = re.compile(
    r"((?:\d[ \-./]?){3,10})[ \-./]?([?*#]{1,4}|[xX]{1,4})(?![^\W_?*#])(?P<t>(?:[ \-./]?\d){1,6}(?!\d))?"
    r"[^\d\n.!?]{0,20}?"
    r"(?<![^\W_?*#])([?*#]{1,4}|[xX]{1,4})(?![^\W_?*#])\s*(?:=|(?i:är|blir|is|equals|ist|es)(?![^\W_]))\s*"
    r"(?P<v>[^.!?\n]{1,30})"
)


def _find_mask_named(text: str, out: list[tuple[int, int, str]]) -> None:
    """A number whose masked digits are named again with their value after it ("xx = 7 x 4"); the mask may stand
    inside the number ("070-174 XX 72, där XX = noll sex")."""
    for m in _MASK_NAMED.finditer(text):
        if m.group(2).lower() != m.group(4).lower() or any(x[0] < m.end() and m.start() < x[1] for x in out):
            continue
        value = _clause_digits(m.group("v"), len(m.group(2)))
        tail = _NON_DIGIT.sub("", m.group("t") or "")  # "070-174 XX 72, där XX = noll sex": digits after the mask
        e164 = normalize_phone(_NON_DIGIT.sub("", m.group(1)) + value + tail) if value is not None else None
        _take(out, m.start(), m.end(), e164)


# blanks after the start of a number, filled in by a clause that names them: "070-174 06 _ _ där luckorna är sju och
# noll", "070 174 06 __, the blanks are 1 and 2", or that names the same blanks again with their value: "070-174 06 _ _
# där _ _ = 12 + 12" (as masks: "xx = 7 x 4"; the same count of blanks, "=" or a verb before the value)
_BLANKS = re.compile(
    r"((?:\d[ \-./]?){6,9})[ \-./]?((?:_[ ]?){1,4})(?![\w])[^\d.!?\n_]{0,12}?"
    r"(?:(?i:luckorna|luckan|tomrummen|strecken|de saknade siffrorna|saknade siffror|the blanks|blanks|the gaps|gaps"
    r"|the missing digits|missing digits|die lücken|lücken)|(?<![\w_])(?P<again>_(?:[ ]?_){0,3})(?![\w]))"
    r"\s*(?:=|:|(?i:är|are|is|sind|blir)(?![^\W_]))\s*"
    r"(?P<v>[^.!?\n]{1,40})"
)


def _find_blanks(text: str, out: list[tuple[int, int, str]]) -> None:
    """A number whose last digits are blanks ("_ _") that a clause after it fills; a whole Swedish mobile only."""
    for m in _BLANKS.finditer(text):
        if m.group("again") is not None and m.group("again").count("_") != m.group(2).count("_"):
            continue  # "_ _ där _ = 4": another count of blanks names no digits of these
        value = _clause_digits(m.group("v"), m.group(2).count("_"))
        e164 = normalize_phone(_NON_DIGIT.sub("", m.group(1)) + value) if value is not None else None
        _take(out, m.start(), m.end(), e164, alone=True)
