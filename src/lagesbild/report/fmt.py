"""Number and date formatting for reports: the Swedish way by default, English on request.

Swedish: a (no-break) space as thousands separator and a comma as decimal mark (``1 500``,
``7,5 %``); English: ``1,500`` and ``7.5%``. Estimates are rounded to a precision their interval
supports (:func:`round_estimate`), so a report never claims more digits than it knows.

Example::

    >>> fmt_int(1500, "sv")
    '1\\xa0500'
    >>> fmt_num(7.5, "sv", 1)
    '7,5'
"""

from __future__ import annotations

import math
from datetime import date

from lagesbild.refdata import SWEDISH_MONTHS

__all__ = ["NBSP", "fmt_date", "fmt_int", "fmt_num", "fmt_pct", "fmt_signed_pct", "round_estimate"]

NBSP = "\u00a0"
_MONTHS = {
    "sv": SWEDISH_MONTHS,
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip


def fmt_num(x: float, lang: str = "sv", digits: int = 0) -> str:
    """A number with ``digits`` decimals, grouped in thousands."""
    if not math.isfinite(x):
        return "–"
    text = f"{x:,.{digits}f}"
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",").replace("-", "−")
    return text


def fmt_int(x: float, lang: str = "sv") -> str:
    """A whole number, grouped in thousands."""
    return fmt_num(round(x), lang, 0)


def fmt_pct(share: float, lang: str = "sv", digits: int = 1) -> str:
    """A share 0..1 as a percentage (``7,5 %`` in Swedish, ``7.5%`` in English)."""
    body = fmt_num(share * 100, lang, digits)
    return f"{body}{NBSP}%" if lang == "sv" else f"{body}%"


def fmt_signed_pct(change: float, lang: str = "sv") -> str:
    """A relative change with its sign (``+12 %``, ``−8 %``)."""
    sign = "+" if change > 0 else ""
    return sign + fmt_pct(change, lang, 0)


def fmt_date(d: date, lang: str = "sv") -> str:
    """``1 mars 2025`` / ``1 March 2025``."""
    return f"{d.day} {_MONTHS.get(lang, _MONTHS['en'])[d.month - 1]} {d.year}"


def round_estimate(x: float, low: float | None = None, high: float | None = None) -> float:
    """Round an estimate to two significant digits of its interval's width (at least to whole numbers).

    ``round_estimate(1534.2, 1100, 2000)`` is ``1500``: an interval 900 wide supports hundreds.
    """
    if not math.isfinite(x):
        return x
    width = (high - low) if (low is not None and high is not None and math.isfinite(high - low)) else abs(x)
    if width <= 0:
        return float(round(x))
    step = 10 ** max(0, math.floor(math.log10(width)) - 1)
    return float(round(x / step) * step)
