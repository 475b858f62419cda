"""A sign or letter standing for a digit that the ad explains ("X7X-174 X6 31 (X = noll)", "⭕7⭕ ... (⭕ = noll)",
"06 3X där X är 4+5"): the signs are read as digits and the first pass runs again."""

from __future__ import annotations

import re
from bisect import bisect_left

from lagesbild.normalize.identifiers._arith import _arithmetic
from lagesbild.normalize.identifiers._chars import _map_char
from lagesbild.normalize.identifiers._scan import _find_all
from lagesbild.normalize.identifiers._spelled import _spelled

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
            total = _arithmetic(f"{digit} {h.group('op')} {h.group('bw')}", closed=True)  # a difference too
            if total is None or not 0 <= total <= 9:
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
            # (the group before may hold a sign already read: "070-174 0X YZ där X = 6, Y = 6, Z = 3")
            if (a > 0 and chars[a - 1].isdigit()) or (a > 1 and text[a - 1] in " -./" and chars[a - 2].isdigit()):
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
