"""Plain-language verdicts on an estimated campaign effect (Swedish for reports, English alongside).

The verdict says "the data cannot tell" (``data räcker inte för att avgöra``) whenever the
interval contains no change; it never turns a non-significant estimate into a claimed effect.
"""

from __future__ import annotations

import math

__all__ = ["verdict_difference", "verdict_missing", "verdict_rate_ratio"]


def _pct(v: float) -> str:
    return f"{100 * v:+.0f}".replace("-", "−")


def verdict_difference(relative: float, low: float, high: float, *, level: float = 0.95) -> tuple[str, str]:
    """Verdict (Swedish, English) for a relative change with interval (``-0.15``: 15% fewer).

    Example::

        verdict_difference(-0.15, -0.25, -0.05)[0]
        # 'Minskning: 15 % färre än väntat (95 % intervall −25 till −5 %).'
    """
    lvl = f"{100 * level:.0f}"
    if not all(math.isfinite(v) for v in (relative, low, high)):
        return (
            "Data räcker inte för att avgöra om kampanjen hade någon effekt (förväntat värde saknas).",
            "The data cannot tell whether the campaign had an effect (no expected value).",
        )
    interval_sv = f"{lvl} % intervall {_pct(low)} till {_pct(high)} %"
    interval_en = f"{lvl}% interval {100 * low:+.0f} to {100 * high:+.0f}%"
    if low <= 0 <= high:
        return (
            f"Data räcker inte för att avgöra om kampanjen hade någon effekt: skattningen {_pct(relative)} % "
            f"är osäker ({interval_sv}) och förenlig med ingen förändring.",
            f"The data cannot tell whether the campaign had an effect: the estimate {100 * relative:+.0f}% "
            f"is uncertain ({interval_en}) and compatible with no change.",
        )
    if high < 0:
        return (
            f"Minskning: {abs(100 * relative):.0f} % färre än väntat ({interval_sv}).",
            f"Decrease: {abs(100 * relative):.0f}% fewer than expected ({interval_en}).",
        )
    return (
        f"Ökning: {100 * relative:.0f} % fler än väntat ({interval_sv}).",
        f"Increase: {100 * relative:.0f}% more than expected ({interval_en}).",
    )


def verdict_rate_ratio(rr: float, low: float, high: float, *, level: float = 0.95) -> tuple[str, str]:
    """Verdict (Swedish, English) for a rate ratio with interval (0.85: 15% fewer)."""
    return verdict_difference(rr - 1.0, low - 1.0, high - 1.0, level=level)


def verdict_missing(reason_en: str, reason_sv: str | None = None) -> tuple[str, str]:
    """Verdict (Swedish, English) for a measure that could not be evaluated, with the reason.

    Example::

        verdict_missing("no linked persons", "inga länkade personer")[0]
        # 'Kan inte utvärderas: inga länkade personer.'
    """
    sv = reason_sv or "data täcker inte kampanjen med veckor före och under den"
    return (f"Kan inte utvärderas: {sv.rstrip('.')}.", f"Cannot be evaluated: {reason_en.rstrip('.')}.")
