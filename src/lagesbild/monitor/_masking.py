"""Masking of identifiers in what the monitor shows and records (errors, logs, `source test`).

Uses :func:`lagesbild.privacy.mask_identifiers` (the project's one masking rule); this thin wrapper
keeps a local equivalent only so the monitor does not depend on the order in which the two land.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

import lagesbild.privacy as _privacy
from lagesbild.normalize.identifiers import find_emails, find_handles, find_phones

__all__ = ["mask_identifiers"]

_MASK = "[masked]"
_LONG_DIGITS = re.compile(r"\+?\d(?:[ \t\-./()]{0,2}\d){6,}")
_ANY_EMAIL = re.compile(r"[^\s,;:'\"<>()\[\]]*@[^\s,;:'\"<>()\[\]]+")


def _local_mask(text: str) -> str:
    spans = [(a, b) for a, b, _ in find_phones(text)]
    spans += [(a, b) for a, b, _ in find_emails(text)]
    spans += [(a, b) for a, b, _, _ in find_handles(text)]
    out: list[str] = []
    pos = 0
    for a, b in sorted(spans):
        if a < pos:
            continue
        out += [text[pos:a], _MASK]
        pos = b
    out.append(text[pos:])
    return _LONG_DIGITS.sub(_MASK, _ANY_EMAIL.sub(_MASK, "".join(out)))


def mask_identifiers(text: str) -> str:
    """``text`` with phone numbers, e-mail addresses, handles and long digit runs replaced by ``[masked]``."""
    if not text:
        return text
    shared = getattr(_privacy, "mask_identifiers", None)
    if shared is not None:
        return cast(Callable[[str], str], shared)(text)
    return _local_mask(text)  # pragma: no cover - before privacy.mask_identifiers exists
