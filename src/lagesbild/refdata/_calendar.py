"""Swedish month names and the long Swedish date form ("3 mars 2025")."""

from __future__ import annotations

import datetime as dt

SWEDISH_MONTHS: tuple[str, ...] = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
"""Swedish month names, January first (lower case, as Swedish writes them)."""


def swedish_date(d: dt.date) -> str:
    """The long Swedish date form.

    >>> swedish_date(dt.date(2025, 3, 3))
    '3 mars 2025'
    """
    return f"{d.day} {SWEDISH_MONTHS[d.month - 1]} {d.year}"
