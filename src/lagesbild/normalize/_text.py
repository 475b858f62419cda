"""Text preparation shared by the normalizers: HTML remnants out, a fast fold."""

from __future__ import annotations

import html
import re

__all__ = ["clean_text", "fold_text"]

_TAG = re.compile(r"<[^>]{0,200}>")
_FOLD = str.maketrans(
    {"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "æ": "a", "ø": "o", "á": "a", "í": "i", "ó": "o"}
)
_MAX_CHARS = 20_000


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
    return text


def fold_text(text: str) -> str:
    """Lower case with å/ä->a, ö->o (the same folding the rules files are written in).

    Unlike :func:`lagesbild.refdata.fold_name` it keeps hyphens and is cheap enough for
    every ad body.

    >>> fold_text("Ny i stån, ÖPPET")
    'ny i stan, oppet'
    """
    return text.lower().translate(_FOLD)
