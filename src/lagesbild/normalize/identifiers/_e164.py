"""Phone numbers as E.164: :func:`normalize_phone` and the shapes of a Swedish mobile the finders test for."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_NON_DIGIT = re.compile(r"[^\d+]")
_SE_MOBILE = re.compile(r"^07[02369]\d{7}$")
_SE_MOBILE_NO_PLUS = re.compile(r"^467[02369]\d{7}$")
_SE_MOBILE_PLUS = re.compile(r"^\+467[02369]\d{7}$")
# "+44 (0)7700 ...", "0046 (0)70 ...": the trunk 0 written after the country code.
_TRUNK_IN_PARENS = re.compile(r"^([^\d+]*(?:\+|00)[^\d]{0,2}\d{1,3}[^\d(]{0,2})\(\s?0\s?\)")
# "0044 7700 ...": a 00 prefix, the country code, then a separator (an id such as "0012345678" has none).
_SPACED_00 = re.compile(r"^[^\d]*00\d{1,3}[^\d]")
_UK_NATIONAL = re.compile(r"^07[14578]\d{8}$")


@lru_cache(maxsize=100_000)
def normalize_phone(raw: str) -> str | None:
    """Normalize a phone number to E.164, assuming Sweden when no country code is given.

    Returns None for anything that is not a possible phone number. National numbers must
    start with the trunk prefix 0 (as Swedish numbers are written); this keeps prices,
    dates and post codes from being taken for phone numbers. Swedish numbers must be valid
    in the numbering plan; a number written with another country code (``+44 7700 900123``)
    needs only a possible length for that country, as the plus shows it is meant as a number.

    >>> normalize_phone("+46 (0)70-174 06 12")
    '+46701740612'
    >>> normalize_phone("+44 (0)7700 900123")
    '+447700900123'
    >>> normalize_phone("1500") is None
    True
    """
    if "(" in raw:
        raw = _TRUNK_IN_PARENS.sub(r"\1", raw)
    digits = _NON_DIGIT.sub("", raw)
    if not digits:
        return None
    if digits.startswith("+0") and not digits.startswith("+00"):
        digits = digits[1:]  # "+ 070 ...": a plus used as a bullet, not a country code
    if _SE_MOBILE.match(digits):
        return "+46" + digits[1:]
    spaced_00 = False
    if digits.startswith("00"):
        spaced_00 = bool(_SPACED_00.match(raw))
        digits = "+" + digits[2:]
    if _SE_MOBILE_NO_PLUS.match(digits):
        return "+" + digits
    if _SE_MOBILE_PLUS.match(digits):
        return digits  # "+46 70 174 06 70": the commonest international form, without phonenumbers
    if digits.startswith("+460"):
        digits = "+46" + digits[4:]  # "+46 (0)70 ...": the trunk 0 written after the country code
    if _UK_NATIONAL.match(digits):
        # "07700 900123": a British mobile written nationally (eleven digits; 071, 074, 075, 077 and 078
        # are no Swedish mobile prefix, so no Swedish number with a digit more)
        uk = phonenumbers.parse("+44" + digits[1:], None)
        return "+44" + digits[1:] if phonenumbers.is_possible_number(uk) else None
    if not digits.startswith("+") and not digits.startswith("0"):
        return None
    if "+" in digits[1:] or len(digits) > 17:
        return None
    try:
        num = phonenumbers.parse(digits, "SE")
    except phonenumbers.NumberParseException:
        return None
    if num.country_code == 46 and len(str(num.national_number)) > 9:
        return None  # longer than any Swedish number written in an ad (machine-to-machine ranges)
    if not phonenumbers.is_valid_number(num):
        # Another country, written in international form: a possible length is enough (fictional
        # ranges such as the UK's 07700 900xxx are not "valid"); an unspaced 00 id is not a number.
        intl = raw.lstrip()[:1] == "+" or spaced_00 or (digits.startswith("+") and not raw.lstrip().startswith("00"))
        cc = num.country_code or 0
        if cc in (0, 1, 46) or not intl or len(str(num.national_number)) < 6:
            return None  # +1: a "+1 555 ..." run is too often a count ("+1 2 3 ...")
        if not phonenumbers.region_codes_for_country_code(cc):
            return None
        if phonenumbers.is_possible_number_with_reason(num) != phonenumbers.ValidationResult.IS_POSSIBLE:
            return None
    return str(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164))
