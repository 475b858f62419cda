"""Charts and maps for the report, drawn with matplotlib (Agg) as PNG bytes.

Maps are choropleths of SCB's generalised boundaries drawn as plain polygons (no GIS stack, no
tiles, no network). Values are grouped in at most five classes coloured with *viridis*, whose
lightness rises steadily, so the maps read in grey scale and for colour-blind readers; zero is
white and hidden (small-number-protected) areas are hatched grey, so a hidden value is never
implied by its colour.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch

from lagesbild.refdata import boundaries
from lagesbild.report.context import Count, FlowLine, MapLayer, TimeSeries, TornadoRow
from lagesbild.report.fmt import fmt_num
from lagesbild.report.strings import tr

__all__ = ["choropleths", "flow_map", "orientation_map", "series_chart", "tornado_chart"]

_CMAP = "viridis"
_HIDDEN = "#c8c8c8"
_EDGE = "#555555"
_DPI = 150
_LAT0 = math.cos(math.radians(62.0))

plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 8, "svg.fonttype": "none"})


@cache
def _shapes(level: str) -> dict[str, tuple[tuple[tuple[float, float], ...], ...]]:
    """Polygons (outer rings, x scaled by cos(62°)) per area code."""
    key = "kommun_kod" if level == "kommun" else "lan_kod"
    out: dict[str, tuple[tuple[tuple[float, float], ...], ...]] = {}
    for f in boundaries("kommun" if level == "kommun" else "lan")["features"]:
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings = tuple(tuple((x * _LAT0, y) for x, y in poly[0]) for poly in polys)
        out[str(f["properties"][key])] = rings
    return out


def _days(d: date) -> float:
    """Matplotlib's date number (days since its default epoch, 1970-01-01)."""
    return float((d - date(1970, 1, 1)).days)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def _classes(values: Sequence[float]) -> list[float]:
    """Up to five class breaks (quantiles of the positive values, rounded, increasing)."""
    pos = sorted(v for v in values if v > 0)
    if not pos:
        return []
    qs = np.quantile(pos, [0.2, 0.4, 0.6, 0.8, 1.0])
    breaks: list[float] = []
    for q in qs:
        digits = max(0, 1 - math.floor(math.log10(q))) if q > 0 else 0
        b = round(float(q), digits)
        if not breaks or b > breaks[-1]:
            breaks.append(b)
    breaks[-1] = max(breaks[-1], pos[-1])
    return breaks


def _draw_layer(ax: Axes, layer: MapLayer, level: str, lang: str, threshold: int, title: bool = True) -> None:
    shapes = _shapes(level)
    vals = [v.value for v in layer.values if v.value is not None]
    breaks = _classes(vals)
    cmap = plt.get_cmap(_CMAP, max(1, len(breaks)))
    polys: list[tuple[tuple[float, float], ...]] = []
    colors: list[object] = []
    hatched: list[tuple[tuple[float, float], ...]] = []
    for v in layer.values:
        rings = shapes.get(v.code, ())
        if v.value is None:
            hatched.extend(rings)
            continue
        if v.value <= 0:
            color: object = "white"
        else:
            idx = next((i for i, b in enumerate(breaks) if v.value <= b + 1e-9), len(breaks) - 1)
            # reversed viridis: more is darker, which also holds in grey scale
            color = cmap(len(breaks) - 1 - idx)
        polys.extend(rings)
        colors.extend([color] * len(rings))
    ax.add_collection(PolyCollection(polys, facecolors=colors, edgecolors=_EDGE, linewidths=0.3))
    if hatched:
        ax.add_collection(PolyCollection(hatched, facecolors=_HIDDEN, edgecolors=_EDGE, linewidths=0.3, hatch="////"))
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(textwrap.fill(layer.title, 22), fontsize=8, fontweight="bold")
    handles = [
        Patch(facecolor="white", edgecolor=_EDGE, label=tr(lang, "map_no_data") if layer.key != "demand" else "0")
    ]
    lo = 0.0
    for i, b in enumerate(breaks):
        label = f"{fmt_num(lo, lang, 1 if b < 10 else 0)}–{fmt_num(b, lang, 1 if b < 10 else 0)}"
        handles.append(Patch(facecolor=cmap(len(breaks) - 1 - i), edgecolor=_EDGE, label=label))
        lo = b
    if hatched:
        handles.append(
            Patch(facecolor=_HIDDEN, edgecolor=_EDGE, hatch="////", label=tr(lang, "map_hidden", threshold=threshold))
        )
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=6.5, frameon=False, ncol=2)


def choropleths(layers: Sequence[MapLayer], level: str, lang: str, threshold: int) -> bytes:
    """The report's maps side by side (one panel per layer), as PNG."""
    fig, axes = plt.subplots(1, len(layers), figsize=(7.2, 3.9))
    axs = list(np.atleast_1d(axes))
    for ax, layer in zip(axs, layers, strict=True):
        _draw_layer(ax, layer, level, lang, threshold)
    fig.subplots_adjust(wspace=0.05)
    return _png(fig)


def orientation_map(area: str, lang: str) -> bytes:
    """Sweden's counties with ``area``'s county highlighted (for ``"SE"``: all outlined), as PNG."""
    shapes = _shapes("lan")
    fig, ax = plt.subplots(figsize=(1.6, 3.2))
    polys: list[tuple[tuple[float, float], ...]] = []
    colors: list[str] = []
    for code, rings in shapes.items():
        polys.extend(rings)
        colors.extend(["#21908d" if code == area else "#eeeeee"] * len(rings))
    ax.add_collection(PolyCollection(polys, facecolors=colors, edgecolors=_EDGE, linewidths=0.3))
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.axis("off")
    return _png(fig)


def series_chart(series: TimeSeries, lang: str, threshold: int) -> bytes:
    """Weekly bars of the series, hidden weeks marked, campaign periods shaded, as PNG."""
    fig, ax = plt.subplots(figsize=(7.2, 2.4))
    xs = [_days(date.fromisoformat(p.start)) for p in series.points]
    ys = [p.value if p.value is not None else 0 for p in series.points]
    ax.bar(xs, ys, width=6, color=plt.get_cmap(_CMAP)(0.3), edgecolor="none", label=series.unit)
    for p, x in zip(series.points, xs, strict=True):
        if p.value is None:
            ax.text(x, 0, p.display, ha="center", va="bottom", fontsize=5.5, rotation=90, color="#333333")
    for i, c in enumerate(series.campaigns):
        s = _days(date.fromisoformat(c.start))
        e = _days(date.fromisoformat(c.end) + timedelta(days=1))
        ax.axvspan(s, e, facecolor="#fde725", alpha=0.35, edgecolor="#444444", hatch="..", linewidth=0.5,
                   label=f"{tr(lang, 'campaign')}: {c.name}" if i < 4 else None)  # fmt: skip
    ax.set_ylabel(series.unit)
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: fmt_num(v, lang, 0)))
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    if series.campaigns:
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=6.5, frameon=False, ncol=3)
    ax.xaxis_date()
    fig.autofmt_xdate(rotation=0, ha="center")
    return _png(fig)


def tornado_chart(rows: Sequence[TornadoRow], base: float, lang: str, labels: dict[str, str]) -> bytes:
    """Horizontal bars: purchases per year with each input at its low and high quantile, as PNG."""
    fig, ax = plt.subplots(figsize=(7.2, 0.5 + 0.38 * max(1, len(rows))))
    cmap = plt.get_cmap(_CMAP)
    for i, r in enumerate(reversed(rows)):
        lo, hi = sorted((r.result_low, r.result_high))
        ax.barh(i, lo - base, left=base, color=cmap(0.25), height=0.6)
        ax.barh(i, hi - base, left=base, color=cmap(0.75), height=0.6, hatch="//", edgecolor="white")
    ax.set_yticks(range(len(rows)), [labels.get(r.name, r.name) for r in reversed(rows)])
    ax.axvline(base, color="#222222", linewidth=0.8)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: fmt_num(v, lang, 0)))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _centre(rings: Sequence[Sequence[tuple[float, float]]]) -> tuple[float, float]:
    """A point inside-ish the municipality: the vertex mean of its largest ring."""
    ring = max(rings, key=len)
    xs, ys = zip(*ring, strict=True)
    return float(np.mean(xs)), float(np.mean(ys))


def flow_map(lines: Sequence[FlowLine], county: str, lang: str, threshold: int, other: Count | None = None) -> bytes:
    """Travel flows from verdicts on the county's municipalities, as PNG.

    Arrows run from the buyer's home municipality to the offence municipality, their width by the
    number of judgments; purchases in the buyer's own municipality are circles sized the same way.
    Only flows at or above the threshold are in ``lines``; the rest is stated in the legend
    (``other``), never drawn. Black on light grey: readable in grey scale.
    """
    shapes = _shapes("kommun")
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    own = [c for c in shapes if county == "SE" or c.startswith(county)]
    polys = [ring for c in own for ring in shapes[c]]
    ax.add_collection(PolyCollection(polys, facecolors="#f0f0f0", edgecolors=_EDGE, linewidths=0.3))
    top = max((f.count for f in lines), default=1)

    def width(n: int) -> float:
        return 0.8 + 5.0 * n / top

    for f in sorted(lines, key=lambda f: -f.count):
        if f.home not in shapes or f.offence not in shapes:
            continue
        if f.home == f.offence:
            x, y = _centre(shapes[f.home])
            ax.scatter([x], [y], s=(6 + 14 * f.count / top) ** 2, facecolors="none", edgecolors="#111111",
                       linewidths=width(f.count) * 0.5, zorder=3)  # fmt: skip
        else:
            (x0, y0), (x1, y1) = _centre(shapes[f.home]), _centre(shapes[f.offence])
            ax.add_patch(
                FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=6 + width(f.count) * 1.5,
                                linewidth=width(f.count), color="#222222", alpha=0.85,
                                connectionstyle="arc3,rad=0.15", zorder=4)
            )  # fmt: skip
            ax.scatter([x0, x1], [y0, y1], s=6, color="#222222", zorder=5)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.axis("off")
    handles: list[object] = [
        Line2D([], [], color="#222222", linewidth=width(top), label=f"{tr(lang, 'flow_travel')} ({top})"),
        Line2D([], [], marker="o", linestyle="none", markerfacecolor="none", markeredgecolor="#111111",
               markersize=9, label=tr(lang, "flow_own")),
    ]  # fmt: skip
    if other is not None and (other.value is None or other.value > 0):
        handles.append(Patch(facecolor="white", edgecolor="white", label=tr(lang, "flow_other", n=other.display)))
    if not lines:
        ax.text(0.5, 0.5, tr(lang, "flow_none", threshold=threshold), transform=ax.transAxes, ha="center",
                va="center", fontsize=8, color="#333333")  # fmt: skip
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=6.5, frameon=False, ncol=1)
    return _png(fig)
