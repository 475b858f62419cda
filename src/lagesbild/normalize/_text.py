"""Text preparation shared by the normalizers: HTML remnants out, a fast fold."""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["clean_text", "fold_text"]

_TAG = re.compile(r"<[^>]{0,200}>")
_FOLD = str.maketrans(
    {"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "æ": "a", "ø": "o", "á": "a", "í": "i", "ó": "o"}
)
_MAX_CHARS = 20_000
# Mathematical alphanumerics ("𝐕𝐞𝐫𝐨𝐧𝐢𝐤𝐚 𝟐𝟔", "𝟏𝐡 𝟑𝟓𝟎𝟎"): each is one plain letter or digit (same length)
_MATH = re.compile(r"[\U0001d400-\U0001d7ff]+")


def _plain(m: re.Match[str]) -> str:
    out = unicodedata.normalize("NFKC", m.group(0))
    return out if len(out) == len(m.group(0)) else m.group(0)


def clean_text(text: str | None) -> str:
    """Drop HTML tags and entities and cap the length.

    Ads longer than 20,000 characters are cut: no real ad is that long, and the cap
    keeps a pathological page (a 1 MB text) from stalling a run.

    >>> clean_text("Hej<br/>&amp; välkommen")
    'Hej & välkommen'
    """
    if not text:
        return ""
    if len(text) > _MAX_CHARS:
        text = text[:_MAX_CHARS]
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii() and _MATH.search(text):
        text = _MATH.sub(_plain, text)
    return text


def fold_text(text: str) -> str:
    """Lower case with å/ä->a, ö->o (the same folding the rules files are written in).

    Unlike :func:`lagesbild.refdata.fold_name` it keeps hyphens and is cheap enough for
    every ad body.

    >>> fold_text("Ny i stån, ÖPPET")
    'ny i stan, oppet'
    """
    if "İ" in text:  # the Turkish capital dotted I lowers to two characters ("i" and a combining dot): "i", same length
        text = text.replace("İ", "I")
    return text.lower().translate(_FOLD)
