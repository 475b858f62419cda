"""Letters and signs for digits: leetspeak ("O7O I7A O6 E3"), single letters between digits ("0x7x0x1..."), any
symbol between digit groups ("07@0174@06@17"), letters read by a key the ad gives ("a=0 b=1 c=2 ..."), and a last
group in roman numerals the ad names ("070-174 06 XXXV (romerska siffror)")."""

from __future__ import annotations

import re

from lagesbild.normalize.identifiers._common import _DIGIT_RUN, _WORD, _accept, _take, _take_parts
from lagesbild.normalize.identifiers._e164 import _NON_DIGIT, _SE_MOBILE, normalize_phone

# ---- leetspeak: capital letters for digits in groups that each hold a digit ("O7O I7A O6 E3")

# (the first group is 07x: the literal first characters let the regex engine skip to them; a full stop and a space
# end the number: "O7O l74 O6 S9. 1 tim")
_LEET = re.compile(
    r"[0O](?<![^\W_][0O])[7T][\dOIlAESBGTZ]{0,2}(?:(?!\.\s)[ .\-]{1,2}[\dOIlAESBGTZ]{1,4}){2,5}(?![^\W_])"
)
_LEET_MAP = str.maketrans("OIlZEASGTB", "0112345678")  # (a lower-case l for 1 too: "O7O l74 O6 S9")


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


# digit groups with any symbol between them ("07@0174@06@17", "070§174§06§17"); "+" and "=" are sums and keys
_SYMBOL_RUN = re.compile(r"(?<![^\W_]|\+)\d{1,4}(?:[ ]?[^\w\s+=][ ]?\d{1,4}){1,9}(?![^\W_])")
_PLAIN_SEPS = frozenset(" \t\r\n-./\\()[]{}<>:;,|~#*_'\"=!^\x01")  # the characters of _SEP
_SYMBOL_GATE = re.compile(r"\d ?[^\w\s+=\-./\\()\[\]{}<>:;,|~#*_'\"!^\x01] ?\d")


# digits parted by punctuation of three kinds or more, one sign at a time, no space: "0_7.0~1*7/4.0~6/0/9"
_NOISE_RUN = re.compile(r"(?<![^\W_]|\+)\d{1,4}(?:(?:[^\w\s+=]|_)\d{1,4}){3,9}(?![^\W_])")


def _find_symbol_separated(text: str, out: list[tuple[int, int, str]]) -> None:
    """A whole Swedish mobile in digit groups with any symbol between them ("07@0174@06@17"), or with
    punctuation of three kinds or more between them ("0_7.0~1*7/4.0~6/0/9")."""
    for m in _NOISE_RUN.finditer(text):
        if len(set(_DIGIT_RUN.sub("", m.group(0)))) < 3:
            continue  # one or two kinds: a date, a time, a price list the digit finder reads or leaves
        digits = _NON_DIGIT.sub("", m.group(0))
        e164 = normalize_phone(digits) if _SE_MOBILE.match(digits) else None
        if _accept(text, m.start(), m.end(), e164) and not any(x[0] < m.end() and m.start() < x[1] for x in out):
            out.append((m.start(), m.end(), e164 or ""))
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


# ---- letters for digits by a key the ad gives: "a=0 b=1 c=2 ... j=9: aha bhe ag id"

_KEY_PAIR = re.compile(r"(?<![^\W_])([a-zA-Z]) ?= ?(\d)(?!\d)")
_KEY_MIXED = re.compile(r"(?<![^\W_])[^\W_]{1,5}(?![^\W_])(?:[ ,\-/]{1,3}[^\W_]{1,5}(?![^\W_])){1,9}", re.ASCII)
_KEY_TOKEN = re.compile(r"(?<![^\W_])[a-jA-J]{10}(?![^\W_])")
_KEY_WORDS = re.compile(r"(?<![^\W_])[^\W\d_]{1,4}(?![^\W_])(?:[ ,\-/]{1,3}[^\W\d_]{1,4}(?![^\W_])){1,9}")


def _find_keyed(text: str, out: list[tuple[int, int, str]]) -> None:
    """A number written in letters after a key of at least three letter=digit pairs; a key in alphabet
    order ("a=0, b=1, c=2 … j=9") stands for the whole run of ten letters. A reading that runs into the key
    itself is dropped first."""
    pairs = list(_KEY_PAIR.finditer(text))
    if len(pairs) < 3:
        return
    # a number does not run into its own key: "O7O-I7A O6 BB (O=0, I=1, Z=2, A=4, S=5, B=8)" read with "O=0" as a
    # hint took digits from the key; such readings give way to the key's
    out[:] = [x for x in out if not any(x[0] < p.end() and p.start() < x[1] for p in pairs)]
    exact = {m.group(1): m.group(2) for m in pairs}
    # a key that gives a letter's two cases two digits is read case by case: "G=6 ... g=9"
    cased = any(exact.get(k.swapcase(), v) != v for k, v in exact.items())
    fold = (lambda c: c) if cased else str.lower
    key = exact if cased else {k.lower(): v for k, v in exact.items()}
    first = fold(pairs[0].group(1))
    alphabet = all(ord(k) - ord(first) == int(v) - int(key[first]) for k, v in key.items())
    if alphabet and not cased:
        key = {chr(ord(first) + i): str(int(key[first]) + i) for i in range(10 - int(key[first]))}
    for m in _KEY_WORDS.finditer(text, pairs[-1].end()):
        letters = "".join(_WORD.findall(m.group(0)))
        if not all(fold(c) in key for c in letters):
            continue
        e164 = normalize_phone("".join(key[fold(c)] for c in letters))
        if e164 is not None and not any(x[0] < m.end() and m.start() < x[1] for x in out):
            out.append((m.start(), m.end(), e164))
    if alphabet and not cased and len(key) == 10:
        # a whole number as one word of an alphabet key, before or after it: "AHABHEAGHE (A=0, B=1, C=2 ... J=9)";
        # a whole Swedish mobile only
        for m in _KEY_TOKEN.finditer(text):
            if not all(c in key for c in m.group(0).lower()):
                continue
            e164 = normalize_phone("".join(key[c] for c in m.group(0).lower()))
            _take(out, m.start(), m.end(), e164, alone=True)
    # letters and digits mixed, before or after the key: "Mitt nummer i kod: 0G0 AGD 0F BC (A=1 B=2 C=3 ...)"; a
    # whole Swedish mobile with three key letters or more
    # (O and I the key leaves out are 0 and 1, as typed for digits anywhere: "O7O-I7A O6 BB (A=4, S=5, B=8)")
    mixed = {fold("O"): "0", fold("I"): "1", **key}
    for m in _KEY_MIXED.finditer(text):
        chars = "".join(fold(c) for c in _WORD.findall(m.group(0)))
        if sum(c in key for c in chars) < 3 or not all(c.isdigit() or c in mixed for c in chars):
            continue
        e164 = normalize_phone("".join(mixed.get(c, c) for c in chars))
        _take(out, m.start(), m.end(), e164, alone=True)


# ---- letters set to groups of digits and then named in order: "A = 070, B = 174, C = 06, D = 92 Ring A B C D"

_VAR_PAIR = re.compile(
    r"(?<![^\W_])([A-Z]) ?= ?(\d{2,4})(?![\d.,:]\d|\d| ?(?:kr|sek|kronor|min|cm|kg|år|:-)(?![^\W_]))"
)
# the same with a colon, each letter and its group a line of their own (a group may be two parts): "Numret i tre delar –
# sätt ihop C+A+B:" / "A: 74 06" / "B: 19" / "C: 0701"; the run of letters may then stand before the groups
_VAR_LINE = re.compile(r"(?m)^[ \t]*([A-Z])[ \t]?:[ \t]*(\d{2,4}(?: \d{2,4})?)[ \t]*$")
_CAPITAL = re.compile(r"[A-Z]")
_VAR_RUN = re.compile(r"(?<![^\W_])[A-Z](?:(?: ?[,+&\-]? ?)[A-Z]){2,7}(?![^\W_])")


def _find_variables(text: str, out: list[tuple[int, int, str]]) -> None:
    """Capital letters each set to a group of digits (three pairs or more, each letter once) and, after them, a run
    of those letters ("Ring A B C D", "A+B+C+D"): the groups in the run's order are one number when together they are
    a whole Swedish mobile starting 07; the run and the groups are its spans. Without three such pairs, letters with a
    colon and a group each on a line of their own are the key, and a run anywhere that names every line once."""
    pairs = list(_VAR_PAIR.finditer(text))
    lines = len(pairs) < 3 and ":" in text
    if lines:
        pairs = list(_VAR_LINE.finditer(text))
    if len(pairs) < 3:
        return
    key = {p.group(1): p for p in pairs}
    if len(key) != len(pairs):
        return  # a letter given twice: no key
    for m in _VAR_RUN.finditer(text, 0 if lines else pairs[-1].end()):
        letters = _CAPITAL.findall(m.group(0))
        if any(c not in key for c in letters) or len(set(letters)) < 3:
            continue
        if lines and (len(letters) != len(key) or any(p.start() <= m.start() < p.end() for p in pairs)):
            continue  # every line's group once, the run not one of the lines
        used = [key[c] for c in letters]
        digits = "".join(_NON_DIGIT.sub("", p.group(2)) for p in used)
        e164 = normalize_phone(digits) if len(digits) == 10 and digits.startswith("07") else None
        if _take_parts(out, [(m.start(), m.end()), *((p.start(2), p.end(2)) for p in used)], e164):
            return


# ---- pictures for digits by a key the ad gives: "Nyckel: 🍩=0 🍒=1 🍋=4 ... Nummer: 🍩🍇🍩 🍒🍇🍋 🍩🍓 🍑🍑"

# a symbol outside ASCII (an emoji, a card suit, a star; a variation selector may follow) set equal to one digit
_SYMBOL_KEY_PAIR = re.compile(r"(?<![^\W_])([^\w\s\x00-\x7f])\ufe0f? ?= ?(\d)(?!\d)")


def _find_symbol_keyed(raw: str, out: list[tuple[int, int, str]]) -> None:
    """A number written in symbols after a key of at least three symbol=digit pairs (each symbol one digit, each
    digit one symbol): a run of key symbols after the key, with spaces or dashes between its groups, read as digits
    is taken when it is a whole Swedish mobile and nothing else overlaps it. ``raw`` is the text as written (the
    character map has made the symbols into other signs)."""
    pairs = list(_SYMBOL_KEY_PAIR.finditer(raw))
    if len(pairs) < 3:
        return
    key: dict[str, str] = {}
    for m in pairs:
        if key.setdefault(m.group(1), m.group(2)) != m.group(2):
            return  # one symbol, two digits: no key
    if len(set(key.values())) < len(key):
        return  # one digit, two symbols: no key
    symbols = "".join(re.escape(c) for c in key)
    run = re.compile(rf"[{symbols}](?:\ufe0f?(?:[ \-.]{{0,2}})[{symbols}]){{6,14}}\ufe0f?")
    for m in run.finditer(raw, pairs[-1].end()):
        digits = "".join(key[c] for c in m.group(0) if c in key)
        e164 = normalize_phone(digits) if _SE_MOBILE.match(digits) else None
        _take(out, m.start(), m.end(), e164, alone=True)


# ---- the last group in roman numerals, when the ad says so: "070-174 06 XXXV (sista två med romerska siffror)"

_ROMAN_GATE = re.compile(r"(?i:romersk|roman numer|römisch)")
# (up to four words may come between, none a numeral: "070-174 06 och sist romerska XXIX", "070 174 06 then in
# roman numerals XV")
_ROMAN_TAIL = re.compile(
    r"(?<![\d+])(0(?:[ \-.]?\d){7,8})(?![ \-.]?\d)"
    r"(?:[ \-.]?|(?:[ ,]+(?![IVXL]+(?![^\W_]))[^\W\d_]+){1,4}[ :]+)([IVXL]{1,8})(?![^\W_])"
)
_ROMAN_VALUES = (("L", 50), ("XL", 40), ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))


def _roman(numeral: str) -> int | None:
    """``numeral`` (capitals, up to 89) as a number when it is written the standard way, else None."""
    value, rest = 0, numeral
    for sym, val in _ROMAN_VALUES:
        while rest.startswith(sym):
            value, rest = value + val, rest[len(sym) :]
    return value if not rest and value and _to_roman(value) == numeral else None


def _to_roman(value: int) -> str:
    out = ""
    for sym, val in _ROMAN_VALUES:
        while value >= val:
            out, value = out + sym, value - val
    return out


def _find_roman_tail(text: str, out: list[tuple[int, int, str]]) -> None:
    """A mobile whose last group is in roman numerals, in an ad that says it uses them: two digits after eight
    written ones ("070-174 06 XXXV"), one after nine."""
    if not _ROMAN_GATE.search(text):
        return
    for m in _ROMAN_TAIL.finditer(text):
        if not _ROMAN_GATE.search(text, max(0, m.start() - 60), m.end() + 60):
            continue  # the ad says so next to the number ("Romersk massage" elsewhere does not make "XX" a 20)
        head = _NON_DIGIT.sub("", m.group(1))
        value = _roman(m.group(2))
        if value is None or len(str(value)) != 10 - len(head):
            continue
        e164 = normalize_phone(head + str(value))
        _take(out, m.start(), m.end(), e164, text, alone=True)


# every digit in roman numerals, 0 as itself (roman numerals have none): "0 VII 0 I VII IV 0 VI II IV"
_ROMAN_WHOLE = re.compile(r"(?<![^\W_])(?:0|[IVX]{1,4})(?:[ \-.,/]{1,3}(?:0|[IVX]{1,4})){9}(?![^\W_])")
_ROMAN_SAID = re.compile(r"(?i:romersk|roman|römisch)")  # ("in roman": every digit a numeral, no need of "numerals")


def _find_roman_whole(text: str, out: list[tuple[int, int, str]]) -> None:
    """A whole mobile with one roman numeral per digit (0 for zero), in an ad that says so within 60 characters."""
    for m in _ROMAN_WHOLE.finditer(text):
        if not _ROMAN_SAID.search(text, max(0, m.start() - 60), m.end() + 60):
            continue
        values = [0 if t == "0" else _roman(t) for t in re.findall(r"0|[IVX]+", m.group(0))]
        if any(v is None or v > 9 for v in values):
            continue
        e164 = normalize_phone("".join(str(v) for v in values))
        _take(out, m.start(), m.end(), e164, text, alone=True)
