"""A mobile without its trunk 0 (after a phone word, with a hint to add the zero, or after a country code given
apart: "Ring 70 174 06 12", "landskod 46, sen 70 ..."), and chat links with the number in them ("wa.me/46...")."""

from __future__ import annotations

import re

from lagesbild.normalize.identifiers._common import _take
from lagesbild.normalize.identifiers._e164 import _NON_DIGIT, normalize_phone

# ---- a mobile without its trunk 0, after a phone word or with a hint: "Ring 70 174 06 12", "(utan nollan)"

_NO_TRUNK = re.compile(r"7(?<![\d+]7)[02369](?:[ \-.]?\d){7}(?![ \-.]?\d)(?![^\W_])")
_PHONE_WORD_BEFORE = re.compile(
    r"(?<![^\W_])(?i:tel|telefon|tfn|ring|sms|mobil|mobilnummer|whatsapp|call|text|phone|nummer|numret)"
    r"[ \t:.\-]{0,3}$"
)
_ZERO_HINT = re.compile(
    r"(?i:utan (?:första |den första )?(?:nollan|nolla|noll|0)|lägg till (?:en )?(?:nolla|noll|0)|(?:en )?nolla först"
    r"|0 först|add (?:a )?(?:zero|0)|without the (?:first )?(?:zero|0)|zero first"
    r"|(?:a )?(?:zero|0) (?:in front|at the start)|(?:en )?(?:nolla|noll|0) (?:framför|i början))"
)


# an area code named apart from a number in words: "(riktnummer 08)", "area code 031"
_AREA_HINT = re.compile(r"(?i:riktnummer|riktnr|area code)[ :]{1,3}(0[1-9]\d{0,2})(?!\d)")


# Sweden's country code given apart from the number ("landskod 46, sen 70 174 06 12", "prefix +46 then 701740612",
# "+ fyra sex 70 ..."): the nine digits after it are a mobile without its trunk 0.
_COUNTRY_46 = re.compile(
    r"(?:\+\s?|(?<![^\W_])(?i:plus|landskod\w*|landsnummer\w*|landsprefix\w*|country code|country prefix|prefix"
    r"|riktnummer för sverige)\W{1,3})"
    r"(?:46(?![ \-.]?\d)|(?i:fyra[ -]?sex|fyrtiosex|fyrtio[ -]sex|four[ -]six|forty[ -]six)(?![^\W_]))"
)


def _find_no_trunk(text: str, out: list[tuple[int, int, str]]) -> None:
    """A Swedish mobile written without the 0 (nine digits "7x xxx xx xx"), right after a phone word
    ("Ring", "Tel:", "nummer") or in an ad that says the zero is left out ("lägg till en nolla först")."""
    hinted: bool | None = None
    for m in _NO_TRUNK.finditer(text):
        if any(x[0] < m.end() and m.start() < x[1] for x in out):
            continue
        if not _PHONE_WORD_BEFORE.search(text, max(0, m.start() - 16), m.start()):
            if hinted is None:
                hinted = _ZERO_HINT.search(text) is not None or _COUNTRY_46.search(text) is not None
            if not hinted:
                continue
        e164 = normalize_phone("0" + _NON_DIGIT.sub("", m.group(0)))
        _take(out, m.start(), m.end(), e164, text)


# ---- chat links with the number in them: "wa.me/46701740612", "api.whatsapp.com/send?phone=46701740612"

_LINK = re.compile(r"(?:wa\.me/|[?&]phone=)\+?(\d{8,15})(?!\d)")


def _find_links(text: str, out: list[tuple[int, int, str]]) -> None:
    for m in _LINK.finditer(text):
        e164 = normalize_phone("+" + m.group(1))
        if e164 is not None and not any(x[0] < m.end(1) and m.start(1) < x[1] for x in out):
            out.append((m.start(1), m.end(1), e164))
