"""Charts of estimates: the tornado chart of a sensitivity analysis.

Rendered with matplotlib's object-oriented API (a ``Figure`` with the Agg canvas, never pyplot's
global state) into bytes (PNG or SVG), so the library never opens a window or writes a file; the
CLI and the report decide where the bytes go.
"""

from __future__ import annotations

import io
from typing import Literal

from matplotlib.figure import Figure

from lagesbild.estimate.purchases import Tornado

__all__ = ["ImageFormat", "tornado_chart"]

ImageFormat = Literal["png", "svg"]


def _fmt(v: float) -> str:
    return f"{v:,.0f}".replace(",", "\u00a0") if abs(v) >= 10 else f"{v:.3g}"


def tornado_chart(t: Tornado, *, fmt: ImageFormat = "png", title: str | None = None, dpi: int = 120) -> bytes:
    """Draw a tornado chart: one bar per input, from the result at its low to its high quantile.

    The widest bar (the input that moves the result most) is on top; the vertical line is the
    result with every input at its median. Bar ends are labelled with the input's values.

    Args:
        t: the sensitivity analysis (:func:`lagesbild.estimate.purchases.tornado`).
        fmt: ``png`` or ``svg``.
        title: chart title (default: the quantity).
        dpi: resolution of a PNG.

    Returns:
        The image file's bytes.
    """
    bars = list(reversed(t.bars))  # matplotlib draws the first bar at the bottom
    fig = Figure(figsize=(8, 1.2 + 0.6 * max(1, len(bars))))
    ax = fig.subplots()
    for i, b in enumerate(bars):
        lo, hi = sorted((b.result_low, b.result_high))
        ax.barh(i, hi - lo, left=lo, color="#4C72B0", height=0.6)
        ax.text(
            b.result_low,
            i,
            f" {_fmt(b.input_low)} ",
            va="center",
            ha="right" if b.result_low <= b.result_high else "left",
            fontsize=8,
        )
        ax.text(
            b.result_high,
            i,
            f" {_fmt(b.input_high)} ",
            va="center",
            ha="left" if b.result_low <= b.result_high else "right",
            fontsize=8,
        )
    ax.axvline(t.base, color="black", linewidth=1)
    ax.set_yticks(range(len(bars)), [b.name for b in bars])
    ax.set_xlabel(f"{t.quantity} (inputs at their {t.q_low:.0%} and {t.q_high:.0%} quantiles)")
    ax.set_title(title or f"What moves {t.quantity}: base {_fmt(t.base)}")
    ax.margins(x=0.15)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata={"Software": None} if fmt == "png" else {"Date": None})
    return buf.getvalue()
