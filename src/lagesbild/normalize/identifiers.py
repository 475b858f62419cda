"""Find and normalize phone numbers and e-mail addresses in ad text.

Pure functions without keys: :mod:`lagesbild.privacy` turns what they return into
pseudonyms. Phone numbers become E.164 (``+46701234567``); a fast path handles the
common Swedish mobile formats and ``phonenumbers`` handles everything else.

>>> normalize_phone("070-123 45 67")
'+46701234567'
>>> [v for _, _, v in find_phones("Ring 070-123 45 67 eller +46 8 123 456 78")]
['+46701234567', '+46812345678']
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

__all__ = ["find_emails", "find_phones", "normalize_email", "normalize_phone"]

_NON_DIGIT = re.compile(r"[^\d+]")
_SE_MOBILE = re.compile(r"^07[02369]\d{7}$")
# A phone candidate: optional + or 00, then digits with the separators people type.
_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[\s\-./()]{0,3}\d){6,16}(?![\w])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}(?![\w])")


@lru_cache(maxsize=100_000)
def normalize_phone(raw: str) -> str | None:
    """Normalize a phone number to E.164, assuming Sweden when no country code is given.

    Returns None for anything that is not a possible phone number. National numbers must
    start with the trunk prefix 0 (as Swedish numbers are written); this keeps prices,
    dates and post codes from being taken for phone numbers.
    """
    digits = _NON_DIGIT.sub("", raw)
    if not digits:
        return None
    if _SE_MOBILE.match(digits):
        return "+46" + digits[1:]
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+") and not digits.startswith("0"):
        return None
    try:
        num = phonenumbers.parse(digits, "SE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(num) or not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def find_phones(text: str) -> list[tuple[int, int, str]]:
    """Every phone number written in digits in ``text``, as ``(start, end, e164)``."""
    out = []
    for m in _CANDIDATE.finditer(text):
        e164 = normalize_phone(m.group(0))
        if e164 is not None:
            out.append((m.start(), m.end(), e164))
    return out


def normalize_email(raw: str) -> str | None:
    """Lower-case and trim an e-mail address; None if it is not one."""
    s = raw.strip().lower()
    m = _EMAIL.fullmatch(s)
    return s if m else None


def find_emails(text: str) -> list[tuple[int, int, str]]:
    """Every e-mail address in ``text``, as ``(start, end, normalized)``."""
    if "@" not in text:
        return []
    return [(m.start(), m.end(), m.group(0).lower()) for m in _EMAIL.finditer(text)]
