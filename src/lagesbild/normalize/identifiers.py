"""Find and normalize phone numbers, e-mail addresses and messaging handles in ad text.

Pure functions without keys: :mod:`lagesbild.privacy` turns what they return into
pseudonyms, and scrubs the returned spans from the text, so every obfuscated form
found here is also removed before storage. Phone numbers become E.164
(``+46701234567``); a fast path handles the common Swedish mobile formats and
``phonenumbers`` handles everything else.

Forms found: plain and split digits (``070-123 45 67``, ``0 7 0 1 2 3 ...``),
international numbers (``+46 (0)70...``, ``0046...``), letters typed for digits
(``O7O-l23 45 67``) and spelled-out digits in Swedish and English (``noll sju noll
...``, ``zero seven zero ...``). Numbers that look like phones but are prices, dates,
times or post codes are rejected: a national number must start with the trunk prefix
0, dates and clock times have their own shapes, and an amount followed by a currency
is a price.

>>> normalize_phone("070-123 45 67")
'+46701234567'
>>> [v for _, _, v in find_phones("Ring 070-123 45 67 eller +46 8 123 456 78")]
['+46701234567', '+46812345678']
>>> [v for _, _, v in find_phones("noll sju noll ett sju fyra noll sex ett två")]
['+46701740612']
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import phonenumbers

from lagesbild.normalize._gate import with_first_chars
from lagesbild.normalize._rules import rules

__all__ = ["find_emails", "find_handles", "find_phones", "normalize_email", "normalize_phone"]

_NON_DIGIT = re.compile(r"[^\d+]")
_SE_MOBILE = re.compile(r"^07[02369]\d{7}$")
_SE_MOBILE_NO_PLUS = re.compile(r"^467[02369]\d{7}$")
_SE_MOBILE_PLUS = re.compile(r"^\+467[02369]\d{7}$")
# A phone candidate: optional + or 00, then digits with the separators people type.
# The run may be long: two numbers next to each other are split afterwards.
_CANDIDATE = re.compile(with_first_chars(r"(?<![\d+])(?:\+|00)?\d(?:[ \t\-\u2013\u2014./()]{0,3}\d){6,40}(?!\d)"))
# Letters typed for digits: only inside a run that is bounded by non-letters.
_LETTER_GATE = re.compile(r"\d[OoIl|]|[OoIl|]\d")
_LETTER_CANDIDATE = re.compile(
    with_first_chars(r"(?<![^\W_])(?:\+|00)?[\dOoIl|](?:[ \t\-\u2013\u2014./()]{0,3}[\dOoIl|]){6,30}(?![^\W_])")
)
_LETTER_MAP = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
_DIGIT_RUN = re.compile(r"\d+")
# Shapes that are not phones.
_DATE = re.compile(r"^\d{1,4}([-/.])\d{1,2}\1\d{2,4}$")
_TIME_RANGE = re.compile(r"^\d{1,2}[.:]\d{2}\s*-\s*\d{1,2}[.:]\d{2}$")
_PRICE_AFTER = re.compile(r"^\s?(?:kr\b|kr\.|:-|sek\b|€|eur|euro|\$|usd|kronor|rosor|roses)", re.IGNORECASE)
_PRICE_BEFORE = re.compile(r"(?:€|\$|sek|eur|usd)\s?$", re.IGNORECASE)
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


@lru_cache(maxsize=100_000)
def normalize_phone(raw: str) -> str | None:
    """Normalize a phone number to E.164, assuming Sweden when no country code is given.

    Returns None for anything that is not a possible phone number. National numbers must
    start with the trunk prefix 0 (as Swedish numbers are written); this keeps prices,
    dates and post codes from being taken for phone numbers.

    >>> normalize_phone("+46 (0)70-174 06 12")
    '+46701740612'
    >>> normalize_phone("1500") is None
    True
    """
    digits = _NON_DIGIT.sub("", raw)
    if not digits:
        return None
    if _SE_MOBILE.match(digits):
        return "+46" + digits[1:]
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if _SE_MOBILE_NO_PLUS.match(digits):
        return "+" + digits
    if _SE_MOBILE_PLUS.match(digits):
        return digits  # "+46 73 918 26 70": the commonest international form, without phonenumbers
    if digits.startswith("+460"):
        digits = "+46" + digits[4:]  # "+46 (0)70 ...": the trunk 0 written after the country code
    if not digits.startswith("+") and not digits.startswith("0"):
        return None
    if "+" in digits[1:]:
        return None
    try:
        num = phonenumbers.parse(digits, "SE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(num) or not phonenumbers.is_valid_number(num):
        return None
    return str(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164))


def _not_a_phone(text: str, start: int, end: int) -> bool:
    """True when the digits at ``text[start:end]`` are a date, a time range or a price."""
    s = text[start:end].strip()
    if _DATE.match(s) or _TIME_RANGE.match(s):
        return True
    if _PRICE_AFTER.match(text[end : end + 8]) and not _SE_MOBILE.match(_NON_DIGIT.sub("", s)):
        return True  # "0701740612kr" is a mobile number glued to a price, not a price
    return bool(_PRICE_BEFORE.search(text[max(0, start - 5) : start]))


def _resolve_run(text: str, start: int, end: int, mapped: str, out: list[tuple[int, int, str]]) -> None:
    """Normalize the run ``mapped`` (``text[start:end]`` with letters mapped to digits).

    A run that is not one number is split at its digit groups: "10-22 070 174 06 12"
    (opening hours, then a phone) or two numbers written next to each other.
    """
    shape = mapped.strip()
    if _DATE.match(shape) or _TIME_RANGE.match(shape):
        return
    e164 = normalize_phone(mapped)
    if e164 is not None:
        if not _not_a_phone(text, start, end):
            out.append((start, end, e164))
        return
    groups = [(m.start(), m.end()) for m in _DIGIT_RUN.finditer(mapped)]
    if len(groups) < 2 or len(groups) > 24 or sum(b - a for a, b in groups) < 8:
        return
    # Greedy from the left: the longest window of digit groups that is a number.
    i = 0
    while i < len(groups):
        g0 = groups[i][0]
        if g0 > 0 and mapped[g0 - 1] == "+":
            g0 -= 1
        found = False
        if mapped[g0] in "0+" or mapped[g0 : g0 + 2] == "46":
            for j in range(len(groups), i, -1):
                g1 = groups[j - 1][1]
                if g1 - g0 < 7:
                    break
                e164 = normalize_phone(mapped[g0:g1])
                if e164 is not None and not _not_a_phone(text, start + g0, start + g1):
                    out.append((start + g0, start + g1, e164))
                    i, found = j, True
                    break
        if not found:
            i += 1


_SPELLED_SEP = r"[\s,.\-\u2013\u2014/]+"


@cache
def _spelled() -> tuple[re.Pattern[str], dict[str, str], int]:
    cfg = rules("identifiers")
    words = {str(k).lower(): str(v) for k, v in cfg["spelled_digits"].items()}
    alternation = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    # digits may come in groups ("noll sju noll 174 06 12": the prefix spelled, the rest written)
    group = int(cfg.get("spelled_max_group_digits", 1))
    token = rf"(?:{alternation}|plus|(?=[OoIl]*\d)[\dOoIl]{{1,{group}}})"
    pattern = re.compile(
        with_first_chars(rf"(?<![^\W_])(?:{token})(?:{_SPELLED_SEP}(?:{token})){{3,40}}(?![^\W_])"), re.IGNORECASE
    )
    return pattern, words, int(cfg["min_spelled_digits"])


_SPELLED_GATE = re.compile(with_first_chars(r"(?<![^\W_])(?:noll|nolla|zero|oh|plus)(?![^\W_])"), re.IGNORECASE)
_SPELLED_TOKEN = re.compile(r"[^\W_]+|\d", re.UNICODE)


def _spelled_number(span: str, words: dict[str, str], min_digits: int) -> str | None:
    """The E.164 number spelled out in ``span``, or None."""
    digits: list[str] = []
    double = False
    n_words = 0
    for tok in _SPELLED_TOKEN.findall(span):
        low = tok.lower()
        if low == "plus":
            digits.append("+")
            continue
        mapped = tok.translate(_LETTER_MAP)
        value = mapped if mapped.isdigit() and any(c.isdigit() for c in tok) else words.get(low)
        if value is None:
            continue
        if value == "dbl":
            double = True
            continue
        n_words += 0 if mapped.isdigit() else 1
        digits.append(value * (2 if double else 1))
        double = False
    raw = "".join(digits)
    if n_words < 2 or len(raw.replace("+", "")) < min_digits:
        return None
    return normalize_phone(raw)


_SLASH_PARTS = re.compile(r"[^/]+")
_TRAILING_DIGITS = re.compile(_SPELLED_SEP + r"\d+$")


def _find_spelled(text: str, out: list[tuple[int, int, str]]) -> None:
    pattern, words, min_digits = _spelled()
    for m in pattern.finditer(text):
        e164 = _spelled_number(m.group(0), words, min_digits)
        if e164 is not None:
            out.append((m.start(), m.end(), e164))
            continue
        # a written amount after the spelled number ("... sex ett två - 1500 kr"): drop trailing digit groups
        span = m.group(0)
        # (only a run with a number word can become a number: a run of bare digits is left at once)
        trimmed = _TRAILING_DIGITS.sub("", span) if _SPELLED_GATE.search(span) else span
        while trimmed != span and trimmed:
            e164 = _spelled_number(trimmed, words, min_digits)
            if e164 is not None:
                out.append((m.start(), m.start() + len(trimmed), e164))
                break
            span, trimmed = trimmed, _TRAILING_DIGITS.sub("", trimmed)
        if e164 is None and "/" in m.group(0):
            # "noll sju ... / noll sju ...": two numbers written one after the other
            for part in _SLASH_PARTS.finditer(m.group(0)):
                e164 = _spelled_number(part.group(0), words, min_digits)
                if e164 is not None:
                    lead = len(part.group(0)) - len(part.group(0).lstrip())
                    trail = len(part.group(0).rstrip())
                    out.append((m.start() + part.start() + lead, m.start() + part.start() + trail, e164))


# Dates ("12/05/2025", "2025-05-12", not inside a longer run of numbers) and clock times
# ("14:30", "10.00-22.00"). Every alternative consumes its first digit before its
# lookbehinds: a pattern that starts with a digit lets the regex engine skip to the
# digits of a text, where leading lookbehinds made it try every position (4x slower).
_WORD_DIGIT = r"\d(?<!\w\d)"  # a digit that starts a word: "\b\d"
_DATE_OR_TIME = re.compile(
    rf"{_WORD_DIGIT}(?<![\d][-/. ]\d)(?<!\d[-/.]\d)"
    r"(?:\d?([-/.])\d{1,2}\1(?:19|20)\d{2}|(?:(?<=1)9|(?<=2)0)\d{2}([-/.])\d{1,2}\2\d{1,2})\b(?![-/.]\d)"
    rf"|{_WORD_DIGIT}\d?:\d{{2}}\b|{_WORD_DIGIT}\d?\.\d{{2}}\s?-\s?\d{{1,2}}\.\d{{2}}\b"
)


# Separators people (and HTML's &nbsp;) put between digit groups, read as a space or a hyphen:
# no-break and thin spaces, Unicode hyphens and dashes, the minus sign, underscores, middle dots,
# bullets and asterisks. One character for one, so the spans found still index the caller's text.
_SEPARATORS = str.maketrans(
    {
        **dict.fromkeys("\u00a0\u2007\u2009\u200a\u202f\u3000", " "),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212_\u00b7\u2022*", "-"),
    }
)


def _mask_dates(text: str) -> str:
    """``text`` with dates ("12/05/2025", "2025-05-12") and clock times blanked, same length."""
    if not _DATE_OR_TIME.search(text):
        return text
    return _DATE_OR_TIME.sub(lambda m: " " * len(m.group(0)), text)


def find_phones(text: str) -> list[tuple[int, int, str]]:
    """Every phone number in ``text``, as ``(start, end, e164)`` sorted by position.

    Finds digits, split digits, letters typed for digits and spelled-out digits; spans
    never overlap. Prices, dates, clock times and post codes are not returned.
    """
    if not text:
        return []
    out: list[tuple[int, int, str]] = []
    text = _mask_dates(text.translate(_SEPARATORS))
    for m in _CANDIDATE.finditer(text):
        _resolve_run(text, m.start(), m.end(), m.group(0), out)
    if _LETTER_GATE.search(text):
        for m in _LETTER_CANDIDATE.finditer(text):
            s = m.group(0)
            if sum(c.isdigit() for c in s) < 5 or not any(c in "OoIl|" for c in s):
                continue
            if s[0] in "Il|":  # "I 07..." is a word, not a digit
                continue
            _resolve_run(text, m.start(), m.end(), s.translate(_LETTER_MAP), out)
    if _SPELLED_GATE.search(text):
        _find_spelled(text, out)
    if len(out) < 2:
        return out
    out.sort(key=lambda t: (t[0], -t[1]))
    merged: list[tuple[int, int, str]] = []
    for item in out:
        if merged and item[0] < merged[-1][1]:
            continue
        merged.append(item)
    return merged


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
