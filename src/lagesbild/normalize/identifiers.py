"""Find and normalize phone numbers, e-mail addresses and messaging handles in ad text.

Pure functions without keys: :mod:`lagesbild.privacy` turns what they return into
pseudonyms, and scrubs the returned spans from the text, so every obfuscated form
found here is also removed before storage. Phone numbers become E.164
(``+46701740612``); a fast path handles the common Swedish mobile formats and
``phonenumbers`` handles everything else.

Forms found: plain and split digits (``070-174 06 12``, ``0 7 0 1 7 4 ...``),
international numbers (``+46 (0)70...``, ``0046...``), letters typed for digits
(``O7O-l74 O6 l2``) and spelled-out digits in Swedish and English (``noll sju noll
...``, ``zero seven zero ...``). Numbers that look like phones but are prices, dates,
times or post codes are rejected: a national number must start with the trunk prefix
0, dates and clock times have their own shapes, and an amount followed by a currency
is a price.

>>> normalize_phone("070-174 06 12")
'+46701740612'
>>> [v for _, _, v in find_phones("Ring 070-174 06 12 eller +46 8 465 004 78")]
['+46701740612', '+46846500478']
>>> [v for _, _, v in find_phones("noll sju noll ett sju fyra noll sex ett två")]
['+46701740612']
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from functools import cache, lru_cache
from itertools import combinations, pairwise
from typing import Any

import phonenumbers

from lagesbild.normalize._gate import with_first_chars
from lagesbild.normalize._rules import rules
from lagesbild.normalize.ages import find_age

__all__ = ["find_emails", "find_handles", "find_phones", "normalize_email", "normalize_phone"]

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


# ---- the text the finders read: one character for one, so spans index the caller's text

_IGNORED = "\u00ad\u034f\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u20e3"


_HOMOGLYPHS = {"\u041e": "O", "\u043e": "o", "\u039f": "O", "\u03bf": "o", "\u0406": "I", "\u0399": "I", "\u04c0": "I"}


def _map_char(ch: str) -> str:
    """What the phone finders read for ``ch``: digits in any script as ASCII digits, separators."""
    cp = ord(ch)
    if cp < 128:
        return ch
    if ch in _IGNORED or 0xFE00 <= cp <= 0xFE0F or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:
        return "\x01"  # zero-width characters, the keycap of "7️⃣", skin tones, tag characters
    if ch in _HOMOGLYPHS:
        return _HOMOGLYPHS[ch]  # Cyrillic and Greek O and I typed for 0 and 1
    d = unicodedata.digit(ch, None)
    if d is not None:
        return str(d)  # "０７０", "𝟎𝟕𝟎", "⓪⑦⓪"
    if ch in "×÷":
        return ch  # arithmetic between digits, not a separator: "070-174 06 (3×8)" is no 0701740638
    cat = unicodedata.category(ch)
    if cat == "Pd" or ch in "\u00b7\u2022\u2219\u22c5\u30fb\u2212":
        return "-"  # dashes, the minus sign, middle dots and bullets
    if cat[0] in "ZC" or cat in ("So", "Sk", "Sm", "Po", "Ps", "Pe", "Pi", "Pf", "Mn", "Me"):
        return " "  # spaces of every width, emoji and other symbols, quotes and brackets
    return ch  # letters, currency signs


class _CharMap(dict[int, str]):
    """``str.translate`` table filled on first sight of each character."""

    def __missing__(self, cp: int) -> str:
        out = self[cp] = _map_char(chr(cp))
        return out


_CHARS = _CharMap()
_EXOTIC = re.compile(r"[^\x00-\x7f\u00c0-\u00ff]")

# Separators people put between digit groups: spaces and line breaks, dashes, dots, slashes,
# brackets, colons, commas, bars, stars, underscores and what the table above turns emoji into.
_SEP = r"[ \t\r\n\-./\\()\[\]{}<>:;,|~#*_'\"=!^\x01]"
# up to five of them, not starting with a full stop and a space (a new sentence: "Annons-ID: 07204426. 21 år",
# a gap always follows a digit); or a longer row of one sign ("070 ..... 174 ~~~~~~ 06 🔥🔥🔥🔥🔥🔥 12")
_GAP = rf"(?:(?!\.\s){_SEP}{{0,5}}|[ \x01]{{0,2}}(?P<row>[.\-_~*=# \x01])(?P=row){{3,12}}[ \x01]{{0,2}})"
# A phone candidate: optional + or 00, then digits with the separators people type.
# The run may be long: two numbers next to each other are split afterwards.
_CANDIDATE = re.compile(with_first_chars(rf"(?<![\d+])(?:\+[ \x01]?|00)?\d(?:{_GAP}\d){{6,40}}(?!\d)"))
# Letters typed for digits: only inside a run that is bounded by non-letters.
_LETTER_GATE = re.compile(r"\d[^\w]{0,3}[OoIl](?![^\W\d_])|(?<![^\W\d_])[OoIl][^\w]{0,3}\d")
_LETTER_CANDIDATE = re.compile(
    with_first_chars(rf"(?<![^\W_])(?:\+[ \x01]?|00)?[\dOo](?:{_GAP}[\dOoIl]){{6,30}}(?![^\W_])")
)
_LETTER_MAP = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})
_DIGIT_RUN = re.compile(r"\d+")
# Shapes that are not phones.
_DATE = re.compile(r"^(\d{1,4})([-/.])(\d{1,2})\2(\d{2,4})$")
_TIME_RANGE = re.compile(r"^\d{1,2}[.:]\d{2}\s*-\s*\d{1,2}[.:]\d{2}$")
_PRICE_AFTER = re.compile(r"^\s?(?:kr\b|kr\.|:-|sek\b|€|eur|euro|\$|usd|kronor|rosor|roses)", re.IGNORECASE)
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
    if _SE_MOBILE.match(_NON_DIGIT.sub("", s)):
        # a whole mobile number is no price, whatever currency word touches it: "0701740612kr" is a
        # number glued to a price, "1500 SEK 070-174 06 65" a price followed by a number
        return False
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
# ("Ref.nr 0701-74-0655-7", "Fakturanr: 0701 74 06 55", "Ärendenr 0701-74 06 90", "Invoice no. 0701...")
_RECEIPT_BEFORE = re.compile(
    r"(?<![^\W_])(?:(?:order|ocr|kvitto|referens|ref|faktura|invoice)(?:[ .-]?(?:nr|no|nummer|number))?"
    r"|(?:ärende|arende)[ .-]?(?:nr|nummer))[ .:#-]{0,3}$",
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


# ---- spelled-out digits: "noll sju noll ett sju fyra ...", "zero seven zero 174 06 12"


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


_WORD = re.compile(r"[^\W_]+")


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
        if index in no_fill:
            slot = 0
        pieces = _unstretched(word) if _STRETCHED.search(word) else []
        if not pieces:
            pieces = _pieces(word, piece)
            if sum(map(len, pieces)) != len(word):
                pieces = _unstretched(word)  # "nooll", "sjuu": a letter written twice
                if not pieces:
                    break
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
                    target[2] = target[2][:-2] + (value[1] + "0" if value[0] == "t" else value[1:])
                    slot = 1 if value[0] == "t" else 0
                    target[1] = max(target[1], group[1])
                    if target is not group and index not in fills:
                        fills.append(index)
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


# ---- written digit groups joined by words: "070 sen 174 sist 0621", "070 (ta bort detta) 174 06 36"

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


_SE_MOBILE_START = re.compile(r"^07[02369]\d{0,6}$")
_WORD_BEFORE = re.compile(r".*[^\W_]\Z", re.DOTALL)
_SUM = re.compile(r" ?(?:\+|(?i:plus)(?![^\W_])) ?(\d{1,3})(?![\d+])")
# a product written with a word after a cue: "... sista två siffrorna är 9 gånger 3" (27); an x is no product
# ("... är 3 x 4" stays text: a count, a size or a mask)
_PRODUCT = re.compile(r" ?(?:×|(?i:gånger|ganger|times|multiplicerat med)(?![^\W_])) ?(\d{1,2})(?![\d+*x×])")
# a product with an x, only right after a cue word: "070-174 06 och sen 6x8" (48); "sista två är 3 x 4" stays text
_X_PRODUCT = re.compile(r" ?[xX×] ?(\d)(?![\d+*x×]|[^\W_])")
# other arithmetic after the last group: not a number to complete ("... är 20 minus 8", "3 x 4")
_OTHER_SUM = re.compile(r" ?(?:[-*x×/]|(?i:minus|gånger|times|delat med|dividerat med)(?![^\W_])) ?\d")
_AGE_CUE = re.compile(
    r"\D{0,30}?(?<![^\W_])(?i:min ålder|mitt ålder|my age|ålder|age|mitt alder|min alder|mein alter|meinem alter"
    r"|mi edad|mon âge|mój wiek|moj wiek)(?![^\W_])"
)
_AGE = re.compile(r"(?<![\d+])([1-9]\d) ?(?:år|years|yo|y/o|y\.o\.|jahre|años|anos|ans|lat)(?![^\W_])", re.IGNORECASE)
_FIRST_GROUP = re.compile(r"(?:(?:\+|00)46[ \x01-]?(?:\(0\)[ ]?)?)?\d+")
_SHORT_FIRST = re.compile(r"(?:^|\D)0?7\d$")  # "070", "+46 76", "0046 (0)73": the first group is just 07x


def _more_digits(text: str, pos: int, plain_gap: re.Pattern[str]) -> bool:
    """More digits follow at ``pos`` ("... sen 06 12 15"), other than a price ("... 9 gånger 3 😉 1500kr/h")."""
    gap = plain_gap.match(text, pos)
    if gap is None:
        return False
    run = _DIGIT_RUN.match(text, gap.end())
    return run is None or _PRICE_AFTER.match(text, run.end()) is None


_PRICE_AFTER = re.compile(rf"{_SEP1}{{0,2}}(?i:kr|sek|kronor|euro|eur|usd|dollar)(?![^\W_])")


# the last digit in a word after a cue: "070.174.06.4 och sen en åtta på slutet"
_LAST_WORD = re.compile(
    rf"{_SEP1}{{0,3}}(?i:och |and )?(?i:sen|sedan|sist|till sist|then|and then|last)(?![^\W_]){_SEP1}{{1,3}}"
    r"(?:(?i:en|ett|an|a) )?(?P<w>[^\W\d_]{2,8})(?![^\W_])(?: (?i:på slutet|sist|at the end|last)(?![^\W_]))?"
)


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
        if len(digits) == 9 and digits.startswith("07"):
            last = _LAST_WORD.match(text, pos)
            value = _spelled()[2].get(last.group("w").lower(), "") if last is not None else ""
            e164 = normalize_phone(digits + value) if len(value) == 1 and value.isdigit() else None
            if (
                last is not None
                and e164 is not None
                and _SE_MOBILE_PLUS.match(e164)
                and not _UNIT_AFTER.match(text, last.end())
                and not _more_digits(text, last.end(), plain_gap)
                and _accept(text, m.start(), last.end(), e164)
            ):
                out.append((m.start(), last.end(), e164))  # "070.174.06.4 och sen en åtta på slutet"
            continue
        if len(digits) == 8 and _AGE_CUE.match(text, pos):
            # "070-174 06 följt av min ålder", "... + min ålder 😉": the two last digits are the age in the ad
            ages = set(_AGE.findall(text))
            if not ages:  # "Åsa 47, Strängnäs ... 070-174 06 + min ålder": the age the ad states in any form
                stated = find_age(text)
                ages = {str(stated.value)} if stated is not None and 10 <= stated.value <= 99 else set()
            e164 = normalize_phone(digits + ages.pop()) if len(ages) == 1 else None
            if e164 is not None and _SE_MOBILE_PLUS.match(e164) and _accept(text, m.start(), pos, e164):
                out.append((m.start(), pos, e164))


# ---- a digit group written as arithmetic in brackets: "070-174 06 (3×8)", "070 174 (2*3) 24", "0701740 [60/10] 12"

# the terms are digits or digit words ("[sju gånger nio]", "(seven times nine)"); a word operator then needs spaces
_BRACKET_TERM = r"(?:\d{1,3}|[^\W\d_]{2,8})"
_BRACKET_GATE = re.compile(
    r"[(\[] ?(?:\d{1,3} ?(?:[×xX*·+/÷\-]|(?i:gånger|ganger|times|plus|minus|delat med|durch|mal)(?![^\W_])) ?\d{1,3}"
    r"|[^\W\d_]{2,8} (?i:gånger|ganger|times|plus|minus|delat med|durch|mal|x) [^\W\d_]{2,8}) ?[)\]]"
)
_BRACKET_EXPR = re.compile(
    rf"(?P<a>{_BRACKET_TERM}) ?(?:(?P<mul>[×xX*·]|(?i:gånger|ganger|times|mal)(?![^\W_]))"
    r"|(?P<add>\+|(?i:plus)(?![^\W_]))"
    rf"|(?P<sub>-|(?i:minus)(?![^\W_]))|(?P<div>[/÷]|(?i:delat med|durch)(?![^\W_]))) ?(?P<b>{_BRACKET_TERM})"
)
# the start of a Swedish mobile right before the bracket, with nothing but separators between (not "... + (10+2)")
_BRACKET_HEAD = re.compile(r"(?:(?<![\d+])(?:\+|00)46[ \-]?|(?<![\d+])0)7[02369](?:[ \-.]?\d)*[ \-.]?\Z")
_BRACKET_TAIL = re.compile(r"(?:[ \-.]?\d)*(?![ \-.]?\d)")


def _bracket_value(expr: str) -> str | None:
    m = _BRACKET_EXPR.fullmatch(expr.strip(" ([])"))
    if m is None:
        return None
    a, b = _small_number(m.group("a")), _small_number(m.group("b"))  # a digit word reads as its digit
    if a is None or b is None:
        return None
    if m.group("mul"):
        v = a * b
    elif m.group("add"):
        v = a + b
    elif m.group("sub"):
        v = a - b
    elif b and a % b == 0:
        v = a // b
    else:
        return None
    return str(v) if v >= 0 else None


def _find_bracketed(text: str, out: list[tuple[int, int, str]]) -> None:
    """Swedish mobiles with a digit group written as a sum, product, difference or quotient in brackets
    right after the digits before it ("070-174 06 (3×8)": 0701740624; "070 174 (3x2) 24"). The number must be
    whole only with the bracket's value in it; an hour range ("(10-12)") or a fraction reads as no number."""
    for m in _BRACKET_GATE.finditer(text):
        head = _BRACKET_HEAD.search(text, max(0, m.start() - 24), m.start())
        value = _bracket_value(m.group(0))
        if head is None or value is None:
            continue
        tail = _BRACKET_TAIL.match(text, m.end())
        end = tail.end() if tail is not None else m.end()
        before = _NON_DIGIT.sub("", head.group(0))
        if normalize_phone(before) is not None:
            continue  # a whole number already; the bracket is something else
        digits = before + value + _NON_DIGIT.sub("", text[m.end() : end])
        e164 = normalize_phone(digits)
        if e164 is not None and _SE_MOBILE_PLUS.match(e164) and _accept(text, head.start(), end, e164):
            out.append((head.start(), end, e164))


# ---- the parts of a number written apart, with labels: "Första halvan: 07017 ... Andra halvan: 40609"


def _phrases(words: list[str]) -> str:
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True))


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
            if len(s[2]) < 3 or _masked_part(text, e) or (not e[3] and len(e[2]) < 2):
                continue
            e164 = normalize_phone(s[2] + mid[2] + e[2])
            if e164 is not None and _SE_MOBILE_PLUS.match(e164):
                found.setdefault(e164, []).extend([(s[0], s[1]), (mid[0], mid[1]), (e[0], e[1])])
    if len(found) == 1:
        e164, spans = found.popitem()
        for a, b in dict.fromkeys(spans):
            if a < b:
                out.append((a, b, e164))


# ---- leetspeak: capital letters for digits in groups that each hold a digit ("O7O I7A O6 E3")

# (the first group is 07x: the literal first characters let the regex engine skip to them)
_LEET = re.compile(r"[0O](?<![^\W_][0O])[7T][\dOIAESBGTZ]{0,2}(?:[ .\-]{1,2}[\dOIAESBGTZ]{1,4}){2,5}(?![^\W_])")
_LEET_MAP = str.maketrans("OIZEASGTB", "012345678")


def _find_leet(text: str, out: list[tuple[int, int, str]]) -> None:
    """A whole Swedish mobile in digit groups with capital letters for digits (O=0, I=1, Z=2, E=3, A=4, S=5,
    G=6, T=7, B=8), only when every group holds a written digit and the run is nothing but groups."""
    for m in _LEET.finditer(text):
        run = m.group(0)
        if not any(c in "AESBGTZ" for c in run):
            continue  # "O7O-174 O6 l2": the letter finder's
        if not all(any(c.isdigit() for c in g) for g in re.split(r"[ .\-]+", run)):
            continue
        digits = _NON_DIGIT.sub("", run.translate(_LEET_MAP))
        if _SE_MOBILE.match(digits) and _accept(text, m.start(), m.end(), "+46" + digits[1:]):
            out.append((m.start(), m.end(), "+46" + digits[1:]))


# ---- digits with single letters between them: "0x7x0x1x7x4x0x6x1x2", "0a7b0c1d7e4f0g6h1i2"

# (the literal 0 first lets the regex engine skip to the zeros of a text; the lookbehind comes after it)
_LETTER_JOINED = re.compile(
    r"0(?<![^\W_]0)\d{0,3}(?:[ \x01.\-]{0,2}(?![OoIl])[^\W\d_][ \x01.\-]{0,2}\d{1,4}){3,9}(?![^\W_])"
)


_WORD_LETTERS = re.compile(r"[^\W\d_]")
# "07a01b74c06d12, skippa bokstäverna", "ta bort bokstäverna", "bara siffrorna gäller", "ignore the letters"
_DROP_LETTERS = re.compile(r"(?i:bokstäver|bokstav|bara siffr|endast siffr|letters|only the digits|only digits)")


def _find_letter_joined(text: str, out: list[tuple[int, int, str]]) -> None:
    """A whole Swedish mobile whose digits are parted by single letters (none of O, o, I, l)."""
    for m in _LETTER_JOINED.finditer(text):
        digits = _NON_DIGIT.sub("", m.group(0))
        if len(set(_WORD_LETTERS.findall(m.group(0)))) != 1 and not _DROP_LETTERS.search(text):
            continue  # one letter all through ("0x7x0x1..."), or the ad says to drop the letters; else a hash
        if _SE_MOBILE.match(digits) and _accept(text, m.start(), m.end(), "+46" + digits[1:]):
            out.append((m.start(), m.end(), "+46" + digits[1:]))


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
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")


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


# ---- set L (issue 17): an article before a digit noun, symbols between digit groups, a variant or the masked
# last digits given in words or a product, every digit shifted by a constant

_ARTICLE_GATE = re.compile(r"(?i:en)\s+(?i:noll|etta|tvåa|trea|femma|sexa|sjua|nia)")
# "en nolla och en sexa": "en" before a digit noun is an article, not a 1 ("fyra" and "åtta" are words too: "en
# fyra" may be 1 4, so those two keep their reading)
_ARTICLE = re.compile(r"(?<![^\W_])(?i:en)(?=\s+(?i:nolla|nollor|etta|tvåa|trea|femma|sexa|sjua|nia)(?![^\W_]))")
# digit groups with any symbol between them ("07@0174@06@17", "070§174§06§17"); "+" and "=" are sums and keys
_SYMBOL_RUN = re.compile(r"(?<![^\W_]|\+)\d{1,4}(?:[ ]?[^\w\s+=][ ]?\d{1,4}){1,9}(?![^\W_])")
_PLAIN_SEPS = frozenset(" \t\r\n-./\\()[]{}<>:;,|~#*_'\"=!^\x01")  # the characters of _SEP
_SYMBOL_GATE = re.compile(r"\d ?[^\w\s+=\-./\\()\[\]{}<>:;,|~#*_'\"!^\x01] ?\d")
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
_PRODUCT_WORDS = re.compile(r"(?i:gånger|ganger|times|x|×|\*)")
_SUM_WORDS = re.compile(r"(?i:plus|\+)")
# "ta bort 1 från varje siffra i 1812851764", "lägg till 2 på varje siffra", "subtract 1 from each digit"
_SHIFT = re.compile(
    r"(?<![^\W_])(?P<op>(?i:ta\s+bort|dra\s+av|dra\s+ifrån|dra|subtrahera|minska|lägg\s+till|addera|öka|add|subtract))"
    r"\s+(?P<n>\d|[^\W\d_]{2,5})\s+(?i:från|av|till|på|med|to|from)\s+(?i:varje|alla|each|every|all)\s+"
    r"(?i:siffra|siffror|siffrorna|digit|digits)(?P<gap>[^\d.!?\n]{0,12})(?P<d>\d(?:[ \-]?\d){9})(?![\d])"
)


# the masked number after its clue, in the next sentence at most: "... = 30+12. Nummer: 070-174 06 ??"
_MASK_LATER = re.compile(r"[^\d\n]{0,30}?((?:\d[ \-./]?){3,10})[ \-./]?([?*#]{1,4}|[xX]{1,4}(?![^\W_]))(?![?*#\d])")


# the start of a mobile right before the cue for its last digits, no mask: "070-174-06 och sista två siffrorna är"
_HEAD_BEFORE = re.compile(
    r"(?<![\d+])(0(?:[ \-./]?\d){5,8})[ \-./,]{0,3}(?:(?i:och|and|und|y)\s+)?(?:(?i:sen|sedan|then|dann)\s+)?$"
)


def _small_number(word: str) -> int | None:
    """A digit or a Swedish/other digit word as an int (None when it is none)."""
    if word.isdigit():
        return int(word)
    read = _spelled()[2].get(word.lower(), "")
    if len(read) == 1 and read.isdigit():
        return int(read)
    v = _decoder()[0].get(word.lower())
    if v is not None and v in _SV_DIGITS:
        return _SV_DIGITS.index(v)
    return None


def _clause_digits(value: str, n: int | None) -> str | None:
    """The digits a clause gives: "sju tre", "06 47", "7 och 3", "6 gånger 8", "40 + 8"; ``n`` digits when known."""
    toks = re.findall(r"\d+|[^\W\d_]+|[×*+]", value)
    if len(toks) >= 2 and toks[1].lower() in ("minus", "delat", "dividerat", "genom"):
        return None  # "20 minus 8": only products and sums are worked out
    if len(toks) >= 3 and (_PRODUCT_WORDS.fullmatch(toks[1]) or _SUM_WORDS.fullmatch(toks[1])):
        a = int(toks[0]) if toks[0].isdigit() else _small_number(toks[0])
        b = int(toks[2]) if toks[2].isdigit() else _small_number(toks[2])
        if a is not None and b is not None and (n is None or len(toks) == 3 or not toks[3].isdigit()):
            got = str(a * b if _PRODUCT_WORDS.fullmatch(toks[1]) else a + b)
            return got if n is None or len(got) == n else None
    digits = ""
    for t in toks:
        if t.isdigit():
            digits += t
        elif t.lower() in ("och", "and", "sen", "then", "samma", "same", "both", "båda"):  # "är samma: fyra fyra"
            continue
        else:
            d = _small_number(t)
            if d is None:
                _, piece, words, _, _ = _spelled()
                read = _spelled_groups(t, 0, piece, words)[0]  # a tens word with its unit: "trettiotre" = 33
                if len(read) != 1 or read[0][1] != len(t) or len(read[0][2]) != 2:
                    break
                digits += read[0][2]
            else:
                digits += str(d)
        if n is not None and len(digits) >= n:
            break
    if not digits or (n is not None and len(digits) != n):
        return None
    return digits


def _find_last_digits(text: str, out: list[tuple[int, int, str]]) -> None:
    """The last digits given apart: a number whose last digits are masked ("070-174 06 ?? – de två sista
    siffrorna är 6 gånger 8"), or a second number that is the first with other last digits ("Signe: samma men
    sista två siffrorna är sju tre"). Only a whole Swedish mobile counts."""
    for m in _LAST_DIGITS.finditer(text):
        counts = (m.group("n1"), m.group("n2"), m.group("n3"), m.group("n4"), m.group("n5"))
        n = next((_small_number(c) for c in counts if c), None)
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
            arithmetic = any(
                _PRODUCT_WORDS.fullmatch(t) or _SUM_WORDS.fullmatch(t) or t.lower() in ("minus", "delat", "dividerat")
                for t in re.findall(r"[^\W\d_]+|[×*+]", m.group("v"))
            )
            value = None if arithmetic else _clause_digits(m.group("v"), n)
            if _SE_MOBILE_START.match(digits) and value is not None and len(digits) + len(value) == 10:
                e164 = normalize_phone(digits + value)
                if e164 is not None and _SE_MOBILE_PLUS.match(e164):
                    out.append((m.start() - len(lead.group(0)), m.end(), e164))
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
        if e164 is not None and _SE_MOBILE_PLUS.match(e164):
            out.append((min(at, m.start()), max(m.end(), mask.end()), e164))


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
        if e164 is not None and _SE_MOBILE_PLUS.match(e164):
            out.append((m.start(), m.end(), e164))


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


# ---- the two last digits as arithmetic after a cue: "070-174 06 och sedan två siffror: sex gånger sju" (42),
# "070 174 06 followed by 9 times 10" (90), "07O174O6 följt av talet som är tolv gånger sju" (84). The start has
# eight digits (O for a zero allowed), the terms are digits or number words, and the result is two digits.
_ARITH_GATE = re.compile(r"gånger|ganger|times|plus|multipl|×")
_ARITH_HEAD = re.compile(r"(?<![^\W_+])0(?:[ \-.]?[\dOo]){7}(?![^\W_])(?![ \-.]?\d)")
# only products and sums, as everywhere ("... är 20 minus 8" stays text, docs/normalize.md)
_ARITH_OP = {"gånger": "*", "ganger": "*", "times": "*", "multiplicerat med": "*", "multiplied by": "*", "×": "*",
             "*": "*", "plus": "+", "+": "+"}  # fmt: skip
_ARITH_TERM = r"(?:\d{1,3}|[^\W\d_]{2,12})"
_ARITH_EXPR = re.compile(
    rf"(?P<a>{_ARITH_TERM}) ?(?P<op>(?i:{_trie(list(_ARITH_OP))})) ?(?P<b>{_ARITH_TERM})(?![^\W_])(?! ?[\d+*×/-])"
)


def _term_value(term: str) -> int | None:
    if term.isdigit():
        return int(term)
    value = _spelled()[2].get(term.lower(), "")
    if value.isdigit() and len(value) == 1:
        return int(value)
    if value.startswith("=") and value[1:].isdigit():
        return int(value[1:])  # a teen: "tolv"
    if value.startswith("t") and value[1:].isdigit():
        return 10 * int(value[1:])  # a tens word: "sjuttio"
    return None


@cache
def _arith_tail() -> re.Pattern[str]:
    cues = sorted(str(w).lower() for w in rules("identifiers").get("split_number_cues") or ())
    return re.compile(
        rf"[^\d\n]{{0,60}}?(?<![^\W_])(?i:{_trie(cues)})(?![^\W_])[^\d\n]{{0,40}}?(?<![^\W_])" + _ARITH_EXPR.pattern
    )


def _find_arith_tail(text: str, out: list[tuple[int, int, str]]) -> None:
    """A mobile's first eight digits, a cue ("sen", "följt av", "followed by") and the last two digits as a sum."""
    for m in _ARITH_HEAD.finditer(text):
        digits = _NON_DIGIT.sub("", m.group(0).translate(_LETTER_MAP))
        if not _SE_MOBILE_START.match(digits) or len(digits) != 8:
            continue
        expr = _arith_tail().match(text, m.end())
        if expr is None or _MASK_IN_BRIDGE.search(text, m.end(), expr.start("a")):
            continue
        a, b = _term_value(expr.group("a")), _term_value(expr.group("b"))
        op = _ARITH_OP[expr.group("op").lower()]
        if a is None or b is None or _UNIT_AFTER.match(text, expr.end()) or _PRICE_AFTER.match(text, expr.end()):
            continue
        value = a * b if op == "*" else a + b
        if not 0 <= value <= 99:
            continue
        e164 = normalize_phone(digits + str(value).zfill(2))
        if e164 is None or not _SE_MOBILE_PLUS.match(e164) or not _accept(text, m.start(), expr.end(), e164):
            continue
        overlap = [x for x in out if x[0] < expr.end() and m.start() < x[1]]
        if any(x[1] > expr.end("a") for x in overlap):
            continue  # another reading goes past the first term: not the last digits as a sum
        for x in overlap:  # "0701 7406 och sist 24 delat med 2": a reading that took the first term as the digits
            out.remove(x)
        out.append((m.start(), expr.end(), e164))


# a whole number and an amount to add to it, with an instruction to add: "0701740610 plus 37 (räkna ihop)"
_ADD_TO = re.compile(r" ?(?:\+|(?i:plus)(?![^\W_])) ?(\d{1,3})(?![\d+])")
_ADD_CUE = re.compile(
    r"[^\w\n.!?]{0,10}(?<![^\W_])(?i:och |and |then |sen |y |und )?"
    r"(?i:räkna ihop|räkna ut|lägg ihop|lägg till|addera|summera|summan|add them|add it|add up|do the math"
    r"|work it out|regn ut|legg sammen|rechne|zusammenrechnen|suma|súmalo|dodaj)(?![^\W_])"
)


# "plus N" that ends the sentence after a whole mobile is a sum too: "Mitt nummer = 0701740610 plus 53."
_ADD_END = re.compile(r"[ \t]*(?:[.!?](?!\d)|\n|$)")


def _apply_additions(text: str, out: list[tuple[int, int, str]]) -> None:
    """A number followed by "plus N" and a word that says to add is the sum, not the number written."""
    for k, (a, b, e164) in enumerate(out):
        add = _ADD_TO.match(text, b)
        if add is None or _UNIT_AFTER.match(text, add.end()) or _PRICE_AFTER.match(text, add.end()):
            continue  # "0701740612 + 1 extra timme": an amount of something else
        if not _SE_MOBILE_PLUS.match(e164) or (
            _ADD_CUE.match(text, add.end()) is None and _ADD_END.match(text, add.end()) is None
        ):
            continue
        total = normalize_phone("0" + str(int(e164[3:]) + int(add.group(1))))
        out[k] = (a, add.end(), total) if total is not None and _SE_MOBILE_PLUS.match(total) else (a, b, "")
    out[:] = [x for x in out if x[2]]


def _find_symbol_separated(text: str, out: list[tuple[int, int, str]]) -> None:
    """A whole Swedish mobile in digit groups with any symbol between them ("07@0174@06@17")."""
    if not _SYMBOL_GATE.search(text):
        return  # no symbol between digits that the digit finder does not take as a separator
    for m in _SYMBOL_RUN.finditer(text):
        run = m.group(0)
        if all(c in _PLAIN_SEPS for c in _DIGIT_RUN.sub("", run)):
            continue  # only the digit finder's separators: its reading (a date, a price, a mask) stands
        digits = _NON_DIGIT.sub("", run)
        e164 = normalize_phone(digits) if _SE_MOBILE.match(digits) else None
        if _accept(text, m.start(), m.end(), e164) and not any(x[0] < m.end() and m.start() < x[1] for x in out):
            out.append((m.start(), m.end(), e164 or ""))


def _find_shifted(text: str, out: list[tuple[int, int, str]]) -> None:
    """A number with every digit shifted by a constant the ad names ("ta bort 1 från varje siffra i 1812851764")."""
    for m in _SHIFT.finditer(text):
        n = _small_number(m.group("n"))
        if n is None or n == 0:
            continue
        op = m.group("op").lower()
        sign = 1 if op.startswith(("lägg", "add", "öka")) else -1
        shifted = "".join(str((int(c) + sign * n) % 10) for c in _NON_DIGIT.sub("", m.group("d")))
        if _SE_MOBILE.match(shifted):
            out.append((m.start(), m.end(), normalize_phone(shifted) or ""))


_PRICE_MARK = re.compile(r":-(?!\d)")


# the one whole number between two that differ by two, as a digit group: "slutar med 06 och ett tal mellan 47 och 49"
_BETWEEN = re.compile(
    r"(?<![^\W_])(?i:ett tal|talet|en siffra|siffran|a number|the number|eine zahl|die zahl)\s+"
    r"(?i:mellan|between|zwischen)\s+(\d{1,3})\s+(?i:och|and|und)\s+(\d{1,3})(?!\d)"
)


def _between_value(m: re.Match[str]) -> str:
    a, b = m.group(1), m.group(2)
    if int(b) - int(a) != 2:
        return m.group(0)
    value = str(int(a) + 1).zfill(len(a))
    return value + " " * (len(m.group(0)) - len(value))


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


def _same_sentence_span(text: str, a: int, b: int, c: int, d: int) -> bool:
    """True when no sentence end stands between the spans ``a..b`` and ``c..d``."""
    lo, hi = (b, c) if b <= c else (d, a)
    return _SENTENCE_END.search(text, lo, hi) is None


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


# blanks after the start of a number, filled in by a clause that names them: "070-174 06 _ _ där luckorna är sju och
# noll", "070 174 06 __, the blanks are 1 and 2"
_BLANKS = re.compile(
    r"((?:\d[ \-./]?){6,9})[ \-./]?((?:_[ ]?){1,4})(?![\w])[^\d.!?\n]{0,12}?"
    r"(?i:luckorna|luckan|tomrummen|strecken|de saknade siffrorna|saknade siffror|the blanks|blanks|the gaps|gaps"
    r"|the missing digits|missing digits|die lücken|lücken)\s*(?:=|:|(?i:är|are|is|sind|blir)(?![^\W_]))\s*"
    r"(?P<v>[^.!?\n]{1,40})"
)


def _find_blanks(text: str, out: list[tuple[int, int, str]]) -> None:
    """A number whose last digits are blanks ("_ _") that a clause after it fills; a whole Swedish mobile only."""
    for m in _BLANKS.finditer(text):
        value = _clause_digits(m.group("v"), m.group(2).count("_"))
        e164 = normalize_phone(_NON_DIGIT.sub("", m.group(1)) + value) if value is not None else None
        if (
            e164 is not None
            and _SE_MOBILE_PLUS.match(e164)
            and not any(x[0] < m.end() and m.start() < x[1] for x in out)
        ):
            out.append((m.start(), m.end(), e164))


def find_phones(text: str) -> list[tuple[int, int, str]]:
    """Every phone number in ``text``, as ``(start, end, e164)`` sorted by position.

    Finds digits, split digits, letters typed for digits and spelled-out digits; spans
    never overlap. Prices, dates, clock times and post codes are not returned, nor numbers
    whose last digits are masked ("070-174 06 xx").
    """
    if not text:
        return []
    raw = text
    if _EXOTIC.search(text):
        if len(text) <= _AD_LENGTH and _may_hint(text.lower()):
            text = raw = _symbol_hints(text)
        text = text.translate(_CHARS)
    text = _mask_dates(text)
    if ":-" in text:
        text = _PRICE_MARK.sub("kr", text)  # "8 400:-": the price ends there (same length, still a price)
    if _ARTICLE_GATE.search(text):  # "en nolla och en sexa": an article, not a 1 (same length)
        text = _ARTICLE.sub("  ", text)
    if "mellan" in text or "between" in text or "zwischen" in text:  # "ett tal mellan 47 och 49": 48 (same length)
        text = _BETWEEN.sub(_between_value, text)
    low = text.lower()
    out = _find_all(text, low)
    if len(text) <= _AD_LENGTH and not any(x[2].startswith("+46") for x in out):
        n = len(out)
        if "siffr" in low or "digit" in low:
            _find_shifted(text, out)
        _find_symbol_separated(text, out)
        if len(out) > n:
            pass  # a mobile from symbols between digits or a digit shift: nothing left to decode
        elif _decoder()[1].search(low):
            _find_decoded(raw, text, out)
        elif _zero_word().search(low if raw is text else _MARK.sub("", raw.lower())):  # a number in words, no cue
            _find_decoded(raw, text, out, min_words=_DEC_MIN_WORDS_UNCUED)
    if len(text) <= _AD_LENGTH and not any(x[2].startswith("+46") for x in out) and _DROP_GATE.search(low):
        _find_dropped(text, out)
    if "+" in text and len(text) <= _AD_LENGTH and not any(x[2].startswith("+46") for x in out):
        _find_joined_parts(text, out)
    if "_" in text and len(text) <= _AD_LENGTH:
        _find_blanks(text, out)
    if ("sista" in low or "last" in low) and len(text) <= _AD_LENGTH:
        _find_last_digits(text, out)
    if len(text) <= _AD_LENGTH and (
        "gånger" in low
        or "twice" in low
        or "dubb" in low
        or "doubl" in low
        or "zweimal" in low
        or "varannan" in low
        or "every other" in low
        or "every second" in low
        or "zweite" in low
    ):
        _find_doubled(text, out)
    if out and ("plus" in low or "+" in text) and len(text) <= _AD_LENGTH:
        _apply_additions(text, out)
    if ("xx" in low or "??" in text or "**" in text or "##" in text) and len(text) <= _AD_LENGTH:
        _find_mask_named(text, out)
    if len(text) <= _AD_LENGTH and _ARITH_GATE.search(low):
        _find_arith_tail(text, out)
    if out and ("telefonn" in low or "phone" in low or "order" in low or "ocr" in low or _disown_word(low)):
        out = [item for item in out if not _disowned(text, item[0], item[1])]
    if len(text) <= _AD_LENGTH and _may_hint(low) and _HINT_GATE.search(text):
        _find_hinted(text, low, out)
    if len(text) <= _AD_LENGTH:
        _find_given_apart(text, low, out)
    if "wa.me/" in text or "phone=" in text:
        _find_links(text, out)
    if "=" in text and len(text) <= _AD_LENGTH:
        _find_keyed(text, out)
    if out and _SWAP_GATE.search(low) and len(text) <= _AD_LENGTH:
        _apply_swaps(text, out)
    if len(out) < 2:
        return out
    out.sort(key=lambda t: (t[0], -t[1]))
    merged: list[tuple[int, int, str]] = []
    for item in out:
        if merged and item[0] < merged[-1][1]:
            continue
        merged.append(item)
    return merged


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


def _find_all(text: str, low: str) -> list[tuple[int, int, str]]:
    """Every finder over ``text`` (already mapped and with dates blanked; ``low`` is it in lower case);
    spans may overlap."""
    out: list[tuple[int, int, str]] = []
    for m in _CANDIDATE.finditer(text):
        _find_in_run(text, m.start(), m.end(), m.group(0), out)
    for m in _LETTER_CANDIDATE.finditer(text):
        s = m.group(0)
        if not any(c in "OoIl" for c in s):
            continue
        # a lone letter first or last is a word: "y/o 📞 0980-..." is not "00980...", "... 06 12 I" not "...121"
        a, b = _edge_letters(s)
        # lone letters at the edges are words first, digits only if that leaves no number
        for lead, tail in dict.fromkeys(((a, b), (a, 0), (0, b), (0, 0))):
            run = s[lead : len(s) - tail]
            if sum(c.isdigit() for c in run) < 3:
                continue  # "OlO IOI" is no number: at least three written digits
            n = len(out)
            _find_in_run(text, m.start() + lead, m.end() - tail, run.translate(_LETTER_MAP), out)
            if len(out) > n:
                break
    if _spelled_may_start(text, low):
        _find_spelled(text, out)
    _find_joined(text, out)
    if len(text) > _AD_LENGTH:
        return out
    if ("(" in text or "[" in text) and _BRACKET_GATE.search(text):
        _find_bracketed(text, out)
    _find_reversed(text, low, out)
    _find_letter_spaced(text, out)
    _find_letter_joined(text, out)
    if "O7" in text or "7O" in text:  # "O7O", "07O", "O70": a writer who types letters types one for 0
        _find_leet(text, out)
    _find_parts(text, out)
    if "7" in text:
        _find_no_trunk(text, out)
    return out


# The finders that read a number from several places in the ad (cues, labels, hints, keys) run on texts of
# ad length: on a whole page their pairings would grow with the square of its numbers.
_AD_LENGTH = 20_000


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
        if e164 is not None and _SE_MOBILE_PLUS.match(e164) and _accept(text, m.start(), m.end(), e164):
            out.append((m.start(), m.end(), e164))


# ---- a sign or letter standing for a digit, with a hint: "X7X-174 X6 31 (X = noll)", "070-174 06 1#, där # är sju"

_HINT_GATE = re.compile(  # "06 X7, X = 1"; "06-XY, X = 2 och Y = 2"
    r"\d[#*?¤A-HJ-NP-Zx]|[#*?¤]\d|(?<![^\W\d_])[A-HJ-NP-Zx]\d|\d[ \-./][A-HJ-NP-Z]{2}(?![^\W_])"
)
_HINT = re.compile(
    r"(?i:byt|ersätt|replace)\s+(?:(?i:ut|alla|all)\s+)?(?P<a>[^\s\d\w]|[A-Za-z])\s+(?i:mot|med|with|by)\s+"
    r"(?P<av>\d|[^\W\d_]+)"
    r"|(?:(?<=\s)|(?<=\())\(?(?P<b>[^\s\d\w()]|[A-Za-z](?![^\W_]))\)?\s*"  # a lone letter: not the d of "där"
    r"(?:=|(?i:är|betyder|står för|means|is)(?![^\W_]))"
    r"\s*(?P<bv>\d|[^\W\d_]+)"
    r"(?:\s?(?P<op>[+\-*×]|(?i:plus|minus|gånger|times)(?![^\W_]))\s?(?P<bw>\d)(?!\d))?"  # "X är 4+5": a sum
)


def _may_hint(low: str) -> bool:
    """A hint needs one of its words or "=": most ads have none."""
    return (
        "=" in low or " är " in low or "byt" in low or "ersätt" in low or "replace" in low or "betyder" in low
        or "står för" in low or " means " in low or " is " in low
    )  # fmt: skip


def _symbol_hints(text: str) -> str:
    """An emoji or symbol the ad explains ("⭕7⭕-174-⭕6-34 (⭕ = noll)") is read as a sign the hint finder
    knows (``#``, ``¤``, ``*``, ``?``, one not in the text), before symbols become separators."""
    for h in _HINT.finditer(text):
        sym = h.group("a") or h.group("b")
        if sym.isascii() or _map_char(sym) != " ":
            continue
        free = next((c for c in "#¤*?" if c not in text), None)
        if free is None:
            break
        text = text.replace(sym, free)
    return text


def _find_hinted(text: str, low: str, out: list[tuple[int, int, str]]) -> None:
    """Numbers with a sign or letter for a digit that the ad explains ("byt X mot 0", "(# = noll)",
    "alla X är nollor"): the sign next to digits is read as that digit, and the finders run again once
    (a sign given two digits is left alone)."""
    words = _spelled()[2]
    digit_of: dict[str, str] = {}
    for h in _HINT.finditer(text):
        sym, value = (h.group("a"), h.group("av")) if h.group("a") else (h.group("b"), h.group("bv"))
        digit = value if value.isdigit() else words.get(value.lower(), "").lstrip("p")
        if len(digit) != 1 or not digit.isdigit():
            continue
        if not h.group("a") and h.group("op"):  # "X är 4+5", "X = 3 gånger 3": the digit is the result
            op, term = h.group("op").lower(), int(h.group("bw"))
            total = (
                int(digit) + term if op in ("+", "plus")
                else int(digit) - term if op in ("-", "minus")
                else int(digit) * term
            )  # fmt: skip
            if not 0 <= total <= 9:
                continue
            digit = str(total)
        for c in {sym, sym.upper(), sym.lower()}:  # "X7X-174 X6 12 (x = 0)"
            digit_of[c] = digit if digit_of.get(c, digit) == digit else ""
    digit_of = {c: d for c, d in digit_of.items() if d}
    if not digit_of:
        return
    chars = list(text)
    at = []
    for i, c in enumerate(text):
        if c in digit_of and ((i > 0 and text[i - 1].isdigit()) or (i + 1 < len(text) and text[i + 1].isdigit())):
            chars[i] = digit_of[c]
            at.append(i)
    if len(digit_of) > 1:
        # several signs side by side after a group, each explained: "070-174-06-XY där X = 2 och Y = 2"
        for run in re.finditer("[" + re.escape("".join(digit_of)) + "]{2,4}", text):
            a, b = run.start(), run.end()
            if (a > 0 and text[a - 1].isalpha()) or (b < len(text) and text[b].isalpha()):
                continue
            if (a > 0 and text[a - 1].isdigit()) or (a > 1 and text[a - 1] in " -./" and text[a - 2].isdigit()):
                for i in range(a, b):
                    chars[i] = digit_of[text[i]]
                    at.append(i)
        at.sort()
    if not at:
        return
    for a, b, e164 in _find_all("".join(chars), low):
        k = bisect_left(at, a)  # the number holds a sign read as a digit
        if k < len(at) and at[k] < b and not any(x[0] < b and a < x[1] for x in out):
            out.append((a, b, e164))


# ---- letters for digits by a key the ad gives: "a=0 b=1 c=2 ... j=9: aha bhe ag id"

_KEY_PAIR = re.compile(r"(?<![^\W_])([a-zA-Z]) ?= ?(\d)(?!\d)")
_KEY_MIXED = re.compile(r"(?<![^\W_])[^\W_]{1,5}(?![^\W_])(?:[ ,\-/]{1,3}[^\W_]{1,5}(?![^\W_])){1,9}", re.ASCII)
_KEY_WORDS = re.compile(r"(?<![^\W_])[^\W\d_]{1,4}(?![^\W_])(?:[ ,\-/]{1,3}[^\W\d_]{1,4}(?![^\W_])){1,9}")


def _find_keyed(text: str, out: list[tuple[int, int, str]]) -> None:
    """A number written in letters after a key of at least three letter=digit pairs; a key in alphabet
    order ("a=0, b=1, c=2 … j=9") stands for the whole run of ten letters."""
    pairs = list(_KEY_PAIR.finditer(text))
    if len(pairs) < 3:
        return
    key = {m.group(1).lower(): m.group(2) for m in pairs}
    first = pairs[0].group(1).lower()
    if all(ord(k) - ord(first) == int(v) - int(key[first]) for k, v in key.items()):
        key = {chr(ord(first) + i): str(int(key[first]) + i) for i in range(10 - int(key[first]))}
    for m in _KEY_WORDS.finditer(text, pairs[-1].end()):
        letters = "".join(_WORD.findall(m.group(0)))
        if not all(c in key for c in letters.lower()):
            continue
        e164 = normalize_phone("".join(key[c] for c in letters.lower()))
        if e164 is not None and not any(x[0] < m.end() and m.start() < x[1] for x in out):
            out.append((m.start(), m.end(), e164))
    # letters and digits mixed, before or after the key: "Mitt nummer i kod: 0G0 AGD 0F BC (A=1 B=2 C=3 ...)"; a
    # whole Swedish mobile with three key letters or more
    for m in _KEY_MIXED.finditer(text):
        chars = "".join(_WORD.findall(m.group(0))).lower()
        if sum(c in key for c in chars) < 3 or not all(c.isdigit() or c in key for c in chars):
            continue
        e164 = normalize_phone("".join(key.get(c, c) for c in chars))
        if (
            e164 is not None
            and _SE_MOBILE_PLUS.match(e164)
            and not any(x[0] < m.end() and m.start() < x[1] for x in out)
        ):
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


def _find_given_apart(text: str, low: str, out: list[tuple[int, int, str]]) -> None:
    """A mobile given one group at a time after a cue word, in bracketed single digits the ad points to, or in
    numbered parts; each gate is a substring test."""

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
    if "(1)" in text or "[1]" in text:
        parts = list(_NUMBERED_PART.finditer(text))
        keys = [int(p.group("k")) for p in parts]
        if 2 <= len(parts) <= 5 and sorted(keys) == list(range(1, len(parts) + 1)):
            a, b = parts[0].start(), parts[-1].end()
            if b - a <= 80:
                ordered = sorted(parts, key=lambda p: int(p.group("k")))
                e164 = normalize_phone("".join(_NON_DIGIT.sub("", p.group("g")) for p in ordered))
                if e164 is not None and _SE_MOBILE_PLUS.match(e164):
                    replace(a, b, e164)


# ---- chat links with the number in them: "wa.me/46701740612", "api.whatsapp.com/send?phone=46701740612"

_LINK = re.compile(r"(?:wa\.me/|[?&]phone=)\+?(\d{8,15})(?!\d)")


def _find_links(text: str, out: list[tuple[int, int, str]]) -> None:
    for m in _LINK.finditer(text):
        e164 = normalize_phone("+" + m.group(1))
        if e164 is not None and not any(x[0] < m.end(1) and m.start(1) < x[1] for x in out):
            out.append((m.start(1), m.end(1), e164))


# ---- the fallback decoder: any token that can stand for a digit, the filler between skipped, and the numbering
# plan as the guard (a whole valid Swedish mobile or nothing). It runs only in an ad that asks to be contacted and
# where the finders above found no Swedish number, so a new trick made of known parts is read without a rule of its
# own: digit words of many languages, glued or not ("ศูนย์เจ็ดศูนย์ ...", "sıfır yedi sıfır ..."), any Unicode digit
# (CJK numerals too), letters that look like digits next to digits ("O7O-l74-O6-S2"), words or emoji between
# single digits ("0 hej 7 hej 0 ...").

# a word may hold combining marks ("ศูนย์", "0̶7̶0̶"), which are no word characters to the regex engine
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0900-\u0903\u093a-\u094f"
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u20d0-\u20ff"
)
_MARK = re.compile(f"[{_MARKS}]")
_DEC_SPLIT = re.compile(rf"(?:[^\W_]|[{_MARKS}])+|[+]|[*?#]{{2,}}")
_DEC_MAX_FILL = 3  # filler words between two digit tokens
_DEC_MAX_GAP = 60  # characters between two digit tokens
_DEC_MIN_WORDS_UNCUED = 7  # number words in a number decoded from an ad that does not ask for contact


_HOMOGLYPH_MAP = str.maketrans({k: v.lower() for k, v in _HOMOGLYPHS.items()})
_SV_DIGITS = ("noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio")
_SV_TENS = ("tjugo", "trettio", "fyrtio", "femtio", "sextio", "sjuttio", "åttio", "nittio")
_SV_TEENS = ("tio", "elva", "tolv", "tretton", "fjorton", "femton", "sexton", "sjutton", "arton", "nitton")


@cache
def _decoder() -> tuple[
    dict[str, str], re.Pattern[str], frozenset[str], frozenset[str], dict[str, str], int, frozenset[str]
]:
    """(word -> its value as the spelled finder reads it, the contact cues, units after digits, words before
    digits, lookalike letters, the longest word, the words of the spelled finder's own vocabulary)."""
    cfg = rules("identifiers")
    own = _spelled()[2]
    words = {w: v for w, v in own.items() if v != "f"}  # fillers ("och", "sen") are filler here
    # another language's number word reads as the Swedish one ("setenta cuatro" as "sjuttio fyra": 74)
    for key, canon in (
        ("decoder_digit_words", _SV_DIGITS),
        ("decoder_tens_words", _SV_TENS),
        ("decoder_teens_words", _SV_TEENS),
    ):
        for spelled in (cfg.get(key) or {}).values():
            for w, sv in zip(spelled, canon, strict=True):
                plain = _unmarked(str(w).lower())
                words.setdefault(plain, sv)
                words.setdefault(plain.translate(_HOMOGLYPH_MAP), sv)  # the finders read a Cyrillic o as a Latin one
    # a hundred ("ciento setenta y cuatro", "sto siedemdziesiąt cztery" -> 174), read as "hundra"
    for w in cfg.get("decoder_hundred_words") or ():
        plain = _unmarked(str(w).lower())
        words.setdefault(plain, "hundra")
        words.setdefault(plain.translate(_HOMOGLYPH_MAP), "hundra")
    cue_words = [str(c) for c in cfg["contact_cues"]]
    cue_words = list(dict.fromkeys([*cue_words, *(c.translate(_HOMOGLYPH_MAP) for c in cue_words)]))
    # a longer cue also ends a compound ("landsnummer", "telefonnumret", "mobilnr" has "mobil")
    short, long = [c for c in cue_words if len(c) < 5], [c for c in cue_words if len(c) >= 5]
    # (a trie: the cues are looked for in every ad without a number, at every position; the text is lower case)
    cues = re.compile(
        with_first_chars(rf"(?<![^\W_])(?:{_trie([c.lower() for c in short])})|{_trie([c.lower() for c in long])}")
    )
    after = frozenset(str(w).lower() for w in cfg.get("decoder_units_after") or ())
    before = frozenset(str(w).lower() for w in cfg.get("decoder_words_before") or ())
    look = {str(k): str(v) for k, v in (cfg.get("decoder_lookalikes") or {}).items()}
    return words, cues, after, before, look, max(map(len, words)), frozenset(w for w in own if own[w] != "f")


@cache
def _zero_word() -> re.Pattern[str]:
    """Any language's word for zero (as the finders read it, Cyrillic o as Latin): a number in words starts with one."""
    zeros = sorted({w for w, v in _decoder()[0].items() if v in ("0", "noll")}, key=len, reverse=True)
    latin = [w for w in zeros if _latin(w)]
    other = [w for w in zeros if not _latin(w)]  # Thai and CJK words are glued to their neighbours
    return re.compile(with_first_chars(rf"(?<![^\W_])(?:{_trie(latin)})(?![^\W_])|{_trie(other)}"))


@cache
def _country_cue() -> re.Pattern[str]:
    """Words that say a number starts with its country code: "Landsnummer 46, sedan sjuttio, ..."."""
    return re.compile(_phrases([str(c) for c in rules("identifiers").get("country_code_cues") or ()]), re.IGNORECASE)


_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7", "VIII": "8", "IX": "9"}
# digits typed for letters inside a number word ("sev3n", "zer0", "s1x")
_DELEET = str.maketrans("0134578", "oieastb")
_DELEET_L = str.maketrans("0134578", "oleastb")


def _unmarked(word: str) -> str:
    """``word`` without combining marks: "ศูนย์" and "0̶7̶0̶" as the decoder compares them."""
    return word if word.isascii() else "".join(c for c in word if not unicodedata.category(c).startswith("M"))


def _latin(word: str) -> bool:
    return all(ord(c) < 0x250 for c in word)


@lru_cache(maxsize=8192)
def _read_token(tok: str) -> tuple[str, int, int] | None:
    """``tok`` as the spelled finder reads it (its own number words kept, other digit words and lookalike
    letters as digits), how many number words and lookalike letters it was read from; None when it is
    no number token.

    A token glued from several words needs words of three letters or more (or a digit): "entre" is no
    "en tre"; a lookalike letter counts only in a token that holds a written digit ("O7O", not "Oslo").
    """
    if tok.isascii() and tok.isdigit():
        return tok, 0, 0
    if tok in _ROMAN:  # "Tel: 0 VII 0 I VII IV 0 VI V IX": capitals only, read like lookalike letters
        return _ROMAN[tok], 0, 1
    words, _, _, _, look, longest, own = _decoder()
    if not tok.isascii():
        tok = unicodedata.normalize("NFKC", tok)  # "ｓｊｕ", "𝐬𝐣𝐮": letters in other styles
    low = _unmarked(tok).lower()
    if not low:
        return None
    if low in words:
        v = words[low]
        return (low if low in own else v), 1, 0
    if not low.isalpha() and not low.isdigit():
        for deleet in (low.translate(_DELEET), low.translate(_DELEET_L)):  # "sev3n", "zer0", "f0ur"
            if deleet in words and deleet.isalpha():
                v = words[deleet]
                return (deleet if deleet in own else v), 1, 0
    n = len(low)
    # best[i]: (lookalikes, pieces, canonical pieces, short words, number words) for low[i:]
    best: list[tuple[int, int, tuple[str, ...], int, int] | None] = [None] * (n + 1)
    best[n] = (0, 0, (), 0, 0)
    original = tok if len(tok) == n else low  # lookalikes are case-sensitive; marks stripped: no lookalikes
    has_digit = False
    for i in range(n - 1, -1, -1):
        options: list[tuple[int, str, int, int, int]] = []  # (length, canonical, lookalike, short, word)
        d = unicodedata.digit(low[i], None)
        if d is not None:
            options.append((1, str(d), 0, 0, 0))
            has_digit = True
        for k in range(min(longest, n - i), 0, -1):
            w = low[i : i + k]
            value = words.get(w)
            if value is not None:
                options.append((k, w if w in own else value, 0, int(k < 3 and _latin(w)), 1))
        if d is None and original[i] in look:
            options.append((1, look[original[i]], 1, 0, 0))
        for k, canon, lk, short, word in options:
            rest = best[i + k]
            if rest is None:
                continue
            cand = (rest[0] + lk, rest[1] + 1, (canon, *rest[2]), rest[3] + short, rest[4] + word)
            cur = best[i]
            if cur is None or cand[:2] < cur[:2]:
                best[i] = cand
    got = best[0]
    if got is None:
        return None
    lookalikes, pieces, read, short, nwords = got
    if lookalikes and not has_digit:
        return None
    if pieces > 1 and short and not has_digit:
        return None
    return "".join(read), nwords, lookalikes


def _decode_view(raw: str, text: str) -> str:
    """What the decoder reads: ``text`` (digits in any script already ASCII, dates blanked) with the marks of
    ``raw`` put back into words ("ศูนย์", "0̶7̶0̶"), and every other sign but "+" and masks as a space."""
    if raw is text or not _EXOTIC.search(raw):
        return text
    chars = list(text)
    for i, (a, b) in enumerate(zip(raw, text, strict=True)):
        if a != b and b in " \x01" and unicodedata.category(a)[0] == "M":
            chars[i] = a
    return "".join(chars)


def _find_decoded(raw: str, text: str, out: list[tuple[int, int, str]], min_words: int = 0) -> None:
    """Swedish mobiles in any spelling of their digits (see the section comment); ``raw`` is the ad before the
    finders' character map, ``text`` after it, one character for one.

    Tokens are read one by one: a number token (digits, number words, lookalikes next to digits), a filler
    (any other word; emoji and signs are no tokens), a unit after digits or a word before them (which take those
    digits with them and end the chain), a mask ("xx", "**": what came before is no number). A chain of number
    tokens with at most three fillers between two of them is read like a spelled number, and every run of its
    digit groups that is a whole Swedish mobile is a candidate when it holds something the digit finder cannot
    read (a number word, a lookalike, or words between single digits: "0 hej 7 hej 0 ...") and, if it holds
    number words, three of them or no filler ("... 070-174 06, resten får du i chatten när du ..." has two, "du"
    being Lithuanian for 2). In an ad that does not ask for contact a number needs ``min_words`` number words.
    """
    _, _, after, before, _, _, _ = _decoder()
    view = _decode_view(raw, text)
    chains: list[list[tuple[int, int, str, int, int, bool]]] = []
    cur: list[tuple[int, int, str, int, int, bool]] = []
    fill, skip = 0, False
    for m in _DEC_SPLIT.finditer(view):
        tok = m.group(0)
        low = tok.lower()
        if tok[0] in "*?#" or low in ("x", "xx", "xxx"):
            cur, fill, skip = [], 0, False  # "070 174 06 **": what came before is masked
            continue
        if low in after:
            if cur and fill == 0 and cur[-1][2] != "plus" and not _SENTENCE_END.search(view, cur[-1][1], m.start()):
                cur.pop()  # "25 år", "1500 kr": the digits before belong to the unit ("... noll. Timme": not)
            chains.append(cur)
            cur, fill, skip = [], 0, False
            continue
        if low in before:
            chains.append(cur)
            cur, fill, skip = [], 0, True  # "kl 20", "från 0730": the digits after belong to the word
            continue
        read = ("plus", 0, 0) if tok == "+" else _read_token(tok)
        if read is None:
            fill += 1
            skip = False
            if fill > _DEC_MAX_FILL:
                chains.append(cur)
                cur, fill = [], 0
            continue
        if skip:
            skip = False
            continue
        if cur and m.start() - cur[-1][1] > _DEC_MAX_GAP:
            chains.append(cur)
            cur = []
        cur.append((m.start(), m.end(), read[0], read[1], read[2], fill > 0 and bool(cur)))
        fill = 0
    chains.append(cur)
    piece, spelled_words = _spelled()[1], _spelled()[2]
    country: bool | None = None  # the ad says the number starts with its country code
    zero: bool | None = None  # the ad says the trunk 0 is left out ("sjuttio ett ..., med nolla först")
    area = ""  # the area code the ad names apart ("riktnummer 08")
    for chain in chains:
        if sum(len(t[2]) for t in chain) < 7 or not any(t[3] or t[4] or t[5] for t in chain):
            continue  # plain digits with signs between: the digit finder's
        skeleton, tokens = "", {}
        for t in chain:
            if skeleton:
                skeleton += " "
            tokens[len(skeleton)] = t
            skeleton += t[2]
        ends = {k + len(t[2]): t[1] for k, t in tokens.items()}
        groups, fills = _spelled_groups(skeleton, 0, piece, spelled_words)
        tries = [frozenset(c) for k in range(1, len(fills) + 1) for c in combinations(fills[:4], k)]
        if country is None:
            country = _country_cue().search(view) is not None
        for no_fill in (frozenset(), *tries):
            if no_fill:
                groups, _ = _spelled_groups(skeleton, 0, piece, spelled_words, no_fill)
            if zero is None:
                zero = _ZERO_HINT.search(view) is not None
                hint = _AREA_HINT.search(view)
                area = hint.group(1) if hint is not None else ""
            if _decoded_windows(text, groups, tokens, ends, out, country, min_words, zero, area):
                break


def _weak_part(text: str, inside: list[tuple[int, int, str, int, int, bool]]) -> bool:
    """True when a part of a decoded number between filler words is only short words that are common words too:
    "noll sju noll ett sju fyra noll sex ... resten får du i chatten, en eller två timmar" is no 0701740621 ("du" is
    Lithuanian for 2, "en" Swedish for 1)."""
    parts: list[list[tuple[int, int, str, int, int, bool]]] = []
    for t in inside:
        if t[5] or not parts:
            parts.append([])
        parts[-1].append(t)
    return any(all(t[3] and t[1] - t[0] <= 2 and _latin(text[t[0] : t[1]]) for t in part) for part in parts)


def _decoded_windows(
    text: str,
    groups: list[tuple[int, int, str, int, int]],
    tokens: dict[int, tuple[int, int, str, int, int, bool]],
    ends: dict[int, int],
    out: list[tuple[int, int, str]],
    country: bool,
    min_words: int = 0,
    zero: bool = False,
    area: str = "",
) -> bool:
    """Add the whole Swedish mobiles among consecutive digit ``groups`` of a decoded chain (skeleton offsets;
    ``tokens`` by skeleton offset, ``ends`` the text offset of each token's end); True when one was added.
    A number starts with 0 or a plus, or with a group "46" when the ad says it starts with the ``country`` code,
    or with a 7 when it says the trunk ``zero`` is left out; or, when it names an ``area`` code ("riktnummer 08"), a
    landline of that area whose words start with the code without its 0 ("åtta, fyra sex fem, ... (riktnummer 08)")."""
    added = False
    taken: list[tuple[int, int]] = []
    for i in range(len(groups)):
        landline = bool(area) and "".join(g[2] for g in groups[i : i + 3]).startswith(area[1:])
        trunk = (zero and groups[i][2][:1] == "7") or landline
        if groups[i][2][:1] not in ("0", "+") and not (country and groups[i][2] == "46") and not trunk:
            continue
        digits = "0" if trunk else ""
        for j in range(i, len(groups)):
            digits += groups[j][2]
            if len(digits) > 14:
                break
            if len(digits) < 10:
                continue
            e164 = normalize_phone(digits)
            if e164 is None or not (_SE_MOBILE_PLUS.match(e164) or (landline and e164.startswith("+46" + area[1:]))):
                continue
            if landline and len(digits) != 10:
                continue  # the whole landline: ten digits with the area code
            inside = [t for k, t in tokens.items() if groups[i][0] <= k < groups[j][1]]
            words, looks = sum(t[3] for t in inside), sum(t[4] for t in inside)
            filled = any(t[5] for t in inside[1:])
            if (
                words < min_words
                or (0 < words < 3 and filled)
                or not (words or looks or (filled and all(len(t[2]) == 1 for t in inside)))
            ):
                continue  # written digit groups with words between are the joiner's ("070 sen 174 ...")
            if filled and _weak_part(text, inside):
                continue
            a, b = inside[0][0], ends.get(groups[j][1])
            if b is None or any(x <= j and i < y for x, y in taken) or not _accept(text, a, b, e164):
                continue
            if any(_SE_MOBILE_PLUS.match(x[2]) and x[0] < b and a < x[1] for x in out):
                continue
            out[:] = [x for x in out if not (x[0] < b and a < x[1])]  # a partial reading inside it
            out.append((a, b, e164))
            taken.append((i, j + 1))
            added = True
            break
    return added


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}(?![\w])")
_AT = r"(?:\s*(?:\(at\)|\[at\]|\{at\}|\(snabel-?a\))\s*|\s+(?:at|snabel-?a)\s+)"
_DOT = r"(?:\s*(?:\(dot\)|\[dot\]|\{dot\}|\(punkt\))\s*|\s+(?:dot|punkt)\s+|\.)"
_TLD = r"(?:com|se|net|org|nu|eu|info|ru|de|uk|co|io|me|ro|pl|es|fr|it|nl|fi|dk|no|ua|lt|lv|ee|bg|hu)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.+-])([\w.+-]{{1,64}}){_AT}([\w-]{{1,63}}(?:{_DOT}[\w-]{{1,63}})*?){_DOT}({_TLD})(?![\w])",
    re.IGNORECASE,
)
_EMAIL_GATE = re.compile(r"\(at\)|\[at\]|\{at\}|snabel|\s+at\s+\S+\s+(?:dot|punkt)\s", re.IGNORECASE)
_SPLIT_DOT = re.compile(_DOT, re.IGNORECASE)


def normalize_email(raw: str) -> str | None:
    """Lower-case and trim an e-mail address; None if it is not one."""
    s = raw.strip().lower()
    m = _EMAIL.fullmatch(s)
    return s if m else None


def find_emails(text: str) -> list[tuple[int, int, str]]:
    """Every e-mail address in ``text``, as ``(start, end, normalized)``.

    Also finds the obfuscated forms ``anna (at) example (dot) com`` and
    ``anna snabel-a example punkt se``.
    """
    if not text:
        return []
    out = [(m.start(), m.end(), m.group(0).lower()) for m in _EMAIL.finditer(text)] if "@" in text else []
    if _EMAIL_GATE.search(text):
        for m in _OBFUSCATED_EMAIL.finditer(text):
            if any(a < m.end() and m.start() < b for a, b, _ in out):
                continue
            domain = _SPLIT_DOT.sub(".", m.group(2))
            address = f"{m.group(1)}@{domain}.{m.group(3)}".lower()
            if normalize_email(address) is not None:
                out.append((m.start(), m.end(), address))
        out.sort()
    return out


@cache
def _handle_gate() -> re.Pattern[str]:
    """One pattern for every cue word and host: most ads have none, and then one scan is all."""
    cues: list[str] = []
    for spec in rules("identifiers")["handles"].values():
        cues += [re.escape(str(w)) for w in spec.get("words") or ()]
        cues += [re.escape(str(h)) for h in spec.get("hosts") or ()]
    return re.compile(
        with_first_chars(rf"(?<![^\W_])(?:{'|'.join(sorted(cues, key=len, reverse=True))})\s*[:=@/-]"), re.I
    )


@cache
def _handle_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out: list[tuple[str, re.Pattern[str]]] = []
    for platform, spec in rules("identifiers")["handles"].items():
        hosts = [re.escape(h) for h in spec.get("hosts") or ()]
        if hosts:
            out.append(
                (
                    str(platform),
                    re.compile(rf"(?:https?://)?(?:www\.)?(?:{'|'.join(hosts)})/@?([A-Za-z0-9_.+-]{{2,40}})", re.I),
                )
            )
        words = "|".join(re.escape(str(w)) for w in spec.get("words") or ())
        if words:
            out.append(
                (
                    str(platform),
                    re.compile(rf"(?<![^\W_])(?:{words})\s*(?:[:=]\s*@?|-\s*@?|\s@)\s*([A-Za-z][\w.]{{2,31}})", re.I),
                )
            )
    return tuple(out)


def find_handles(text: str) -> list[tuple[int, int, str, str]]:
    """Messaging handles in ``text``, as ``(start, end, platform, handle)``.

    Platforms and their cue words and link hosts are in ``rules/identifiers.yaml``
    (``Telegram: anna_xx``, ``t.me/anna_xx``, ``snap: anna.xx``). Handles that are
    phone numbers are left to :func:`find_phones`.

    >>> find_handles("Skriv på Telegram: anna_fiktiv")
    [(9, 30, 'telegram', 'anna_fiktiv')]
    """
    if not text or not _handle_gate().search(text):
        return []
    out: list[tuple[int, int, str, str]] = []
    for platform, pattern in _handle_patterns():
        for m in pattern.finditer(text):
            handle = m.group(1).rstrip(".").lower()
            if sum(c.isdigit() for c in handle) > len(handle) // 2:
                continue
            if any(a < m.end() and m.start() < b for a, b, _, _ in out):
                continue
            out.append((m.start(), m.end(), platform, handle))
    out.sort()
    return out
