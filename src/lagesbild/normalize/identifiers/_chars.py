"""The text the phone finders read: one character for one, so spans index the caller's text.

Digits of any script become ASCII digits, Cyrillic and Greek O and I the Latin letters, zero-width characters a
control character (``_map_char``), and emoji, quotes and brackets spaces (:data:`_CHARS`, a ``str.translate`` table);
round emoji touching a digit are the letter O (:func:`_emoji_zeros`, before the table)."""

from __future__ import annotations

import re
import unicodedata

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


# Round emoji typed for a zero ("⭕7⭕ 174 ⭕6 14", "🅾️7🅾️"): a run of them that touches a digit
_ROUND = "\u2b55\U0001f17e\U0001f15e"
_ROUND_RUN = re.compile(rf"(?:[{_ROUND}]\ufe0f?)+")


def _emoji_zeros(text: str) -> str:
    """``text`` with every run of round emoji that touches a digit read as the letter O (same length), so the
    finder of letters typed for digits reads "⭕7⭕ 174 ⭕6 14" as "O7O 174 O6 14"; a circle away from digits
    ("⭕ Ny i stan ⭕", "⭕ 070-174 06 12") stays an emoji."""

    def repl(m: re.Match[str]) -> str:
        a, b = m.start(), m.end()
        if (a and text[a - 1].isdigit()) or (b < len(text) and text[b].isdigit()):
            return "".join("O" if c in _ROUND else c for c in m.group(0))
        return m.group(0)

    return _ROUND_RUN.sub(repl, text)
