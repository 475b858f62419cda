"""Municipality and county boundaries (SCB's generalised polygons, WGS84 GeoJSON)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Literal

from lagesbild.refdata._files import read_text


@cache
def _load(level: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(read_text(f"{level}.geojson.gz"))
    return data


def boundaries(level: Literal["kommun", "lan"] = "kommun") -> dict[str, Any]:
    """The boundaries as a GeoJSON FeatureCollection (a fresh copy of the top-level dict).

    Features carry ``kommun_kod``/``lan_kod`` and names in ``properties``.
    """
    data = _load("kommuner" if level == "kommun" else "lan")
    return {"type": data["type"], "features": list(data["features"])}
