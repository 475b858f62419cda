"""Arithmetic in a number: a digit group written as a sum or product (in brackets, after a cue, after the last
group), "plus N" with an instruction to add, "a number between 47 and 49", and the digits a clause gives ("sju
tre", "6 gånger 8"). The rules on which arithmetic is worked out are in docs/normalize.md."""

from __future__ import annotations

import re
from functools import cache

from lagesbild.normalize._rules import rules
from lagesbild.normalize.identifiers._common import (
    _LETTER_MAP,
    _MASK_IN_BRIDGE,
    _PRICE_AFTER,
    _SE_MOBILE_START,
    _UNIT_AFTER,
    _accept,
    _take,
    _trie,
)
from lagesbild.normalize.identifiers._decoder import _decoder
from lagesbild.normalize.identifiers._e164 import _NON_DIGIT, _SE_MOBILE_PLUS, normalize_phone
from lagesbild.normalize.identifiers._spelled import _spelled, _spelled_groups

# a sum after the last group of a number: "... sista två siffrorna = 12+14", "... är 10 plus 2"
_SUM = re.compile(r" ?(?:\+|(?i:plus)(?![^\W_])) ?(\d{1,3})(?![\d+])")
# a product written with a word after a cue: "... sista två siffrorna är 9 gånger 3" (27); an x is no product
# ("... är 3 x 4" stays text: a count, a size or a mask)
_PRODUCT = re.compile(r" ?(?:×|(?i:gånger|ganger|times|multiplicerat med)(?![^\W_])) ?(\d{1,2})(?![\d+*x×])")
# a product with an x, only right after a cue word: "070-174 06 och sen 6x8" (48); "sista två är 3 x 4" stays text
_X_PRODUCT = re.compile(r" ?[xX×] ?(\d)(?![\d+*x×]|[^\W_])")
# other arithmetic after the last group: not a number to complete ("... är 20 minus 8", "3 x 4")
_OTHER_SUM = re.compile(r" ?(?:[-*x×/]|(?i:minus|gånger|times|delat med|dividerat med)(?![^\W_])) ?\d")


# ---- the one arithmetic reader: two terms and an operator, wherever a finder found them

# What each written operator does. Each finder's own pattern says which of them it looks for where (an "x" is a
# product only in brackets or a clause, "mal" and "durch" only in brackets); reading them is the same everywhere.
_OPERATORS = {
    "×": "*", "x": "*", "*": "*", "·": "*", "gånger": "*", "ganger": "*", "times": "*", "mal": "*",
    "multiplicerat med": "*", "multiplied by": "*",
    "+": "+", "plus": "+",
    "-": "-", "minus": "-",
    "/": "/", "÷": "/", "delat med": "/", "dividerat med": "/", "durch": "/", "delat": "/", "dividerat": "/",
    "genom": "/",
}  # fmt: skip
_OPERATOR_SIGNS = "".join(sorted(w for w in _OPERATORS if len(w) == 1))
_EXPRESSION = re.compile(
    r"(?P<a>\d+|[^\W\d_]+) ?"
    rf"(?P<op>(?i:[{re.escape(_OPERATOR_SIGNS)}])|(?i:{_trie([w for w in _OPERATORS if len(w) > 1])})(?![^\W_]))"
    r" ?(?P<b>\d+|[^\W\d_]+)"
)


def _number(term: str) -> int | None:
    """The one word-to-number helper: ``term`` as a number, or None.

    Digits, or one number word up to 99: a digit, a teen or a tens word of the spelled finder's vocabulary ("sju",
    "tolv", "sjuttio", "seven", "twelve"), the same in another language the decoder knows ("siete", "doce"), or a tens
    word glued to its unit ("trettiotre" is 33). A hundred or a longer number in words is none.
    """
    if term.isdigit():
        return int(term)
    words = _spelled()[2]
    low = term.lower()
    value = words.get(low)
    if value is None:
        canon = _decoder()[0].get(low)  # another language's word, as the Swedish one ("doce" is "tolv")
        value = words.get(canon) if canon is not None else None
    if value is not None:
        if len(value) == 1 and value.isdigit():
            return int(value)
        if value[:1] == "=" and value[1:].isdigit():
            return int(value[1:])  # a teen: "tolv"
        if value[:1] == "t" and value[1:].isdigit():
            return 10 * int(value[1:])  # a tens word: "sjuttio"
        return None
    _, piece, _, _, _ = _spelled()
    read = _spelled_groups(term, 0, piece, words)[0]  # a tens word with its unit: "trettiotre" = 33
    if len(read) == 1 and read[0][1] == len(term) and len(read[0][2]) == 2:
        return int(read[0][2])
    return None


def _arithmetic(expr: str, *, closed: bool) -> int | None:
    """The one arithmetic reader: the value of ``expr``, two terms and an operator ("6 gånger 8", "40 + 8", "sju
    gånger nio", "20-8", "24 delat med 2"), or None.

    The terms are read by :func:`_number`. Sums and products are always worked out. A difference or a quotient is
    worked out only in a ``closed`` expression, one the ad marks off as a value of its own: in brackets right after
    the digits before it ("070-174 06 (20-8)") or as the value of a sign it explains ("X2, X = 3 - 2"). In running
    text, after a cue or in a clause ("... followed by 100 minus 9", "sista två siffrorna är 20 minus 8"), it stays
    text (docs/normalize.md). A difference below zero and a quotient with a rest are no value.
    """
    m = _EXPRESSION.fullmatch(expr.strip())
    if m is None:
        return None
    a, b, kind = _number(m.group("a")), _number(m.group("b")), _OPERATORS.get(m.group("op").lower())
    if a is None or b is None or kind is None:
        return None
    if kind == "*":
        return a * b
    if kind == "+":
        return a + b
    if not closed:
        return None
    if kind == "-":
        return a - b if a >= b else None
    return a // b if b and a % b == 0 else None


# ---- a digit group written as arithmetic in brackets: "070-174 06 (3×8)", "070 174 (2*3) 24", "0701740 [60/10] 12"

# the terms are digits or digit words ("[sju gånger nio]", "(seven times nine)"); a word operator then needs spaces
_BRACKET_GATE = re.compile(
    r"[(\[] ?(?:\d{1,3} ?(?:[×xX*·+/÷\-]|(?i:gånger|ganger|times|plus|minus|delat med|durch|mal)(?![^\W_])) ?\d{1,3}"
    r"|[^\W\d_]{2,8} (?i:gånger|ganger|times|plus|minus|delat med|durch|mal|x) [^\W\d_]{2,8}) ?[)\]]"
)
# the start of a Swedish mobile right before the bracket, with nothing but separators between (not "... + (10+2)")
_BRACKET_HEAD = re.compile(r"(?:(?<![\d+])(?:\+|00)46[ \-]?|(?<![\d+])0)7[02369](?:[ \-.]?\d)*[ \-.]?\Z")
_BRACKET_TAIL = re.compile(r"(?:[ \-.]?\d)*(?![ \-.]?\d)")


def _find_bracketed(text: str, out: list[tuple[int, int, str]]) -> None:
    """Swedish mobiles with a digit group written as a sum, product, difference or quotient in brackets
    right after the digits before it ("070-174 06 (3×8)": 0701740624; "070 174 (3x2) 24"). The number must be
    whole only with the bracket's value in it; an hour range ("(10-12)") or a fraction reads as no number."""
    for m in _BRACKET_GATE.finditer(text):
        head = _BRACKET_HEAD.search(text, max(0, m.start() - 24), m.start())
        value = _arithmetic(m.group(0).strip(" ([])"), closed=True)
        if head is None or value is None:
            continue
        tail = _BRACKET_TAIL.match(text, m.end())
        end = tail.end() if tail is not None else m.end()
        before = _NON_DIGIT.sub("", head.group(0))
        if normalize_phone(before) is not None:
            continue  # a whole number already; the bracket is something else
        digits = before + str(value) + _NON_DIGIT.sub("", text[m.end() : end])
        e164 = normalize_phone(digits)
        _take(out, head.start(), end, e164, text)


# a clause's tokens: digits, words and the signs of arithmetic
_CLAUSE_TOKEN = re.compile(r"\d+|[^\W\d_]+|[×*+\-/÷]")
# the operators a clause is read with right after its first term (the sign "-" or "/" there is a separator first)
_CLAUSE_OPERATORS = frozenset(("gånger", "ganger", "times", "x", "×", "*", "plus", "+", "minus", "delat", "dividerat",
                               "genom", "÷"))  # fmt: skip
# "och", "sen", "samma" between named digits ("är samma: fyra fyra")
_CLAUSE_FILLERS = frozenset(("och", "and", "sen", "then", "samma", "same", "both", "båda"))


def _clause_digits(value: str, n: int | None) -> str | None:
    """The digits a clause gives: "sju tre", "06 47", "7 och 3", "trettiotre", or one product or sum read by
    :func:`_arithmetic` ("6 gånger 8", "40 + 8"); ``n`` digits when known.

    A clause is running text: a difference or a quotient in it ("20 minus 8", "20-8", "24/2") is not worked out,
    and its terms are no digits either. A "-" or "/" between digit groups is a separator ("06-47") when the groups
    give the ``n`` digits; when the group after it would give more ("20-8" for two), it is arithmetic.
    """
    toks = _CLAUSE_TOKEN.findall(value)
    if len(toks) >= 2 and toks[1].lower() in _CLAUSE_OPERATORS:
        kind = _OPERATORS[toks[1].lower()]
        if kind in "-/":
            return None  # "20 minus 8": not worked out in running text
        if len(toks) >= 3 and (n is None or len(toks) == 3 or not toks[3].isdigit()):
            got = _arithmetic(" ".join(toks[:3]), closed=False)
            if got is not None:
                return str(got) if n is None or len(str(got)) == n else None
    digits = ""
    for k, t in enumerate(toks):
        if t.isdigit():
            digits += t
        elif t.lower() in _CLAUSE_FILLERS or (t in "-/" and 0 < k < len(toks) - 1):
            continue  # a filler word, or a separator between groups ("06-47")
        else:
            d = _number(t)
            if d is None:
                break
            digits += str(d)
        if n is not None and len(digits) >= n:
            if k + 2 < len(toks) and toks[k + 1] in "-/" and _number(toks[k + 2]) is not None:
                return None  # "20-8" for two digits: a difference, not the digits 2 0
            break
    if not digits or (n is not None and len(digits) != n):
        return None
    return digits


# ---- the two last digits as arithmetic after a cue: "070-174 06 och sedan två siffror: sex gånger sju" (42),
# "070 174 06 followed by 9 times 10" (90), "07O174O6 följt av talet som är tolv gånger sju" (84). The start has
# eight digits (O for a zero allowed), the terms are digits or number words, and the result is two digits.
_ARITH_GATE = re.compile(r"gånger|ganger|times|plus|multipl|×")
_ARITH_HEAD = re.compile(r"(?<![^\W_+])0(?:[ \-.]?[\dOo]){7}(?![^\W_])(?![ \-.]?\d)")
# the operators looked for after a cue: products and sums (a difference there stays text, see _arithmetic)
_ARITH_OPERATORS = ("gånger", "ganger", "times", "multiplicerat med", "multiplied by", "×", "*", "plus", "+")
_ARITH_TERM = r"(?:\d{1,3}|[^\W\d_]{2,12})"
_ARITH_EXPR = re.compile(
    rf"(?P<a>{_ARITH_TERM}) ?(?P<op>(?i:{_trie(list(_ARITH_OPERATORS))})) ?(?P<b>{_ARITH_TERM})"
    r"(?![^\W_])(?! ?[\d+*×/-])"
)


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
        value = _arithmetic(text[expr.start("a") : expr.end("b")], closed=False)
        if value is None or _UNIT_AFTER.match(text, expr.end()) or _PRICE_AFTER.match(text, expr.end()):
            continue
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


# every group of a mobile on its own, some as arithmetic in brackets, a digit or two may stand before a bracket:
# "Räkna ut: 0(7·10) – (100+74) – 0(2·3) – (45+3)" is 070 174 06 48
_GROUP_TERM = r"\d{0,3}[(\[][^()\[\]\n]{3,30}[)\]]|\d{1,4}(?![\d(\[])"
_GROUP_CHAIN = re.compile(rf"(?<![\d+)\]])(?:{_GROUP_TERM})(?:[ \t]?[–\-—/][ \t]?(?:{_GROUP_TERM})){{2,5}}")
_GROUP_PIECE = re.compile(r"(\d{0,3})[(\[]([^()\[\]\n]{3,30})[)\]]|(\d{1,4})")


def _find_group_arithmetic(text: str, raw: str, out: list[tuple[int, int, str]]) -> None:
    """A Swedish mobile in groups apart by dashes, one or more of them a sum or product in brackets (a difference
    or quotient too: each bracket is a closed expression); the number must be whole only with the values in it.
    The brackets are read in ``raw``, the text before symbols became separators ("7·10" is a product)."""
    for m in _GROUP_CHAIN.finditer(text):
        digits, brackets = "", 0
        for p in _GROUP_PIECE.finditer(m.group(0)):
            if p.group(3) is not None:
                digits += p.group(3)
                continue
            inner = raw[m.start() + p.start(2) : m.start() + p.end(2)] if len(raw) == len(text) else p.group(2)
            value = _arithmetic(inner, closed=True)
            if value is None:
                break
            digits += p.group(1) + str(value)
            brackets += 1
        else:
            e164 = normalize_phone(digits) if len(digits) == 10 and brackets else None
            _take(out, m.start(), m.end(), e164, text, alone=True)


# a whole number and an amount to add to it, with an instruction to add: "0701740610 plus 37 (räkna ihop)"
_ADD_TO = re.compile(r" ?(?:\+|(?i:plus)(?![^\W_])) ?(\d{1,3})(?![\d+])")
_ADD_CUE = re.compile(
    r"[^\w\n.!?]{0,10}(?<![^\W_])(?i:och |and |then |sen |y |und )?"
    r"(?i:räkna ihop|räkna ut|lägg ihop|lägg till|addera|summera|summan|add them|add it|add up|do the math"
    r"|work it out|regn ut|legg sammen|rechne|zusammenrechnen|suma|súmalo|dodaj)(?![^\W_])"
)


# "plus N" that ends the sentence after a whole mobile is a sum too: "Mitt nummer = 0701740610 plus 53.", also
# before a bar that ends an item of a one-line list ("Mitt nummer = 0701740610 + 52 | Diskretion")
_ADD_END = re.compile(r"[ \t]*(?:[.!?](?!\d)|\||\n|$)")


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
