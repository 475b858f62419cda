"""Vector maps and charts as inline SVG, drawn from the bundled GeoJSON; no script, no CDN.

Each area and each bar carries a ``<title>`` (the browser shows it on hover: name and value) and
areas link to their page. Values arrive already suppressed (:class:`lagesbild.web.data.Cell`), so a
hidden count never reaches the drawing. Text is escaped with :func:`markupsafe.escape`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import cache, lru_cache

from markupsafe import Markup, escape

from lagesbild import refdata
from lagesbild.web.data import Cell, SeriesPoint

__all__ = ["map_svg", "series_svg"]

# Sequential blues (light to dark), one per class; grey for no data, hatching for suppressed.
PALETTE = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#f0f0f0"
NO_ACCESS = "#fafafa"
SUPPRESSED = "#c9c9c9"

Ring = tuple[tuple[float, float], ...]


@cache
def _shapes(level: str) -> dict[str, tuple[Ring, ...]]:
    out: dict[str, tuple[Ring, ...]] = {}
    key = "kommun_kod" if level == "kommun" else "lan_kod"
    for f in refdata.boundaries("kommun" if level == "kommun" else "lan")["features"]:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        rings = tuple(tuple((float(x), float(y)) for x, y in ring) for poly in polys for ring in poly[:1])
        out[str(f["properties"][key])] = rings
    return out


@lru_cache(maxsize=64)
def _projected(level: str, codes: tuple[str, ...], width: int) -> tuple[int, dict[str, str]] | None:
    """The SVG height and path data of ``codes``, fitted to ``width`` (computed once per set of areas)."""
    shapes = _shapes(level)
    drawn = [c for c in codes if c in shapes]
    pts = [p for c in drawn for ring in shapes[c] for p in ring]
    if not pts:
        return None
    lat0 = sum(p[1] for p in pts) / len(pts)
    kx = math.cos(math.radians(lat0))
    x0 = min(p[0] * kx for p in pts)
    x1 = max(p[0] * kx for p in pts)
    y0 = min(-p[1] for p in pts)
    y1 = max(-p[1] for p in pts)
    scale = width / max(x1 - x0, 1e-9)
    height = int((y1 - y0) * scale) + 2
    paths = {
        c: " ".join(
            "M" + " L".join(f"{(x * kx - x0) * scale:.1f},{(-y - y0) * scale:.1f}" for x, y in ring) + " Z"
            for ring in shapes[c]
        )
        for c in drawn
    }
    return height, paths


def _classes(values: Sequence[int]) -> list[float]:
    """Class breaks (quantiles of the positive values), at most ``len(PALETTE) - 1`` of them."""
    pos = sorted(v for v in values if v > 0)
    if not pos:
        return []
    qs = [pos[min(len(pos) - 1, int(len(pos) * q))] for q in (0.2, 0.4, 0.6, 0.8)]
    return sorted(set(qs))


def _colour(v: int, breaks: Sequence[float]) -> str:
    if v == 0:
        return PALETTE[0]
    i = sum(1 for b in breaks if v > b)
    return PALETTE[min(i + 1, len(PALETTE) - 1)]


def map_svg(
    level: str,
    codes: Sequence[str],
    cells: Mapping[str, Cell],
    names: Mapping[str, str],
    *,
    allowed: Callable[[str], bool] | None = None,
    href: str = "/area/{code}",
    width: int = 420,
    labels: Mapping[str, str] | None = None,
    highlight: str | None = None,
) -> Markup:
    """A choropleth of ``codes`` (municipalities or counties) as an SVG element.

    Args:
        level: ``"kommun"`` or ``"lan"``.
        codes: the areas to draw (the view box fits them).
        cells: published value per area; a missing area has no data.
        names: display name per area.
        allowed: which areas the viewer may open (others are drawn pale, without value or link).
        href: link pattern.
        labels: words for the hover text: ``no_data``, ``no_access``, ``ads``.
        highlight: an area drawn with a heavy outline (the page's own municipality).
    """
    words = {"no_data": "inga data", "no_access": "ingen behörighet", "ads": "annonser"}
    words.update(labels or {})
    projected = _projected(level, tuple(codes), width)
    if projected is None:
        return Markup("")
    height, paths = projected
    drawn = list(paths)
    visible = [cells[c].value for c in drawn if c in cells and cells[c].value is not None]
    breaks = _classes([v for v in visible if v is not None])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">'
    ]
    for c in drawn:
        d = paths[c]
        name = names.get(c, c)
        ok = allowed is None or allowed(c)
        cellv = cells.get(c)
        if not ok:
            fill, value = NO_ACCESS, words["no_access"]
        elif cellv is None:
            fill, value = NO_DATA, words["no_data"]
        elif cellv.value is None:
            fill, value = SUPPRESSED, cellv.shown
        else:
            fill, value = _colour(cellv.value, breaks), cellv.shown
        title = f"{name}: {value} {words['ads'] if ok and cellv is not None else ''}".strip()
        stroke = 'stroke="#000" stroke-width="2.5"' if c == highlight else 'stroke="#555" stroke-width="0.4"'
        path = (
            f'<path d="{d}" fill="{fill}" {stroke} data-code="{escape(c)}" '
            f'data-value="{escape(value)}"><title>{escape(title)}</title></path>'
        )
        if ok:
            parts.append(f'<a href="{escape(href.format(code=c))}" aria-label="{escape(title)}">{path}</a>')
        else:
            parts.append(path)
    parts.append("</svg>")
    return Markup("".join(parts))


def series_svg(
    points: Sequence[SeriesPoint],
    *,
    label: str = "annonser",
    width: int = 560,
    height: int = 180,
    labels_every: int = 1,
    band: tuple[str, str] | None = None,
) -> Markup:
    """Bars per period with the value on hover; suppressed periods drawn as a grey stub marked ``<5``.

    Args:
        labels_every: label every n-th bar (daily series).
        band: periods ``(first, last)`` drawn in orange (a campaign).
    """
    if not points:
        return Markup("")
    points = sorted(points, key=lambda p: p.period)
    top = max((p.ads.value or 0) for p in points) or 1
    pad_l, pad_b, pad_t = 36, 22, 8
    bw = (width - pad_l) / len(points)
    h = height - pad_b - pad_t
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">',
        f'<text x="2" y="{pad_t + 8}" font-size="10">{top}</text>',
        f'<text x="2" y="{height - pad_b}" font-size="10">0</text>',
        f'<line x1="{pad_l}" y1="{height - pad_b}" x2="{width}" y2="{height - pad_b}" stroke="#999"/>',
    ]
    for i, p in enumerate(points):
        x = pad_l + i * bw + 2
        v = p.ads.value
        bh = 4.0 if v is None else (v / top) * h
        fill = SUPPRESSED if v is None else ("#f08c00" if band and band[0] <= p.period <= band[1] else PALETTE[3])
        title = f"{p.period}: {p.ads.shown} {label}"
        parts.append(
            f'<rect x="{x:.1f}" y="{height - pad_b - bh:.1f}" width="{max(bw - 4, 1):.1f}" height="{bh:.1f}" '
            f'fill="{fill}" '
            f'data-period="{escape(p.period)}" data-value="{escape(p.ads.shown)}"><title>{escape(title)}</title></rect>'
        )
        if i % labels_every == 0:
            parts.append(
                f'<text x="{x + (bw - 4) / 2:.1f}" y="{height - 6}" font-size="9" text-anchor="middle">'
                f"{escape(p.period[5:])}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
