"""What reference data is bundled, and from when."""

from __future__ import annotations

import json
from typing import Any

from lagesbild.refdata._files import read_text


def manifest() -> dict[str, Any]:
    """The bundled data's manifest: years, sources and file checksums."""
    data: dict[str, Any] = json.loads(read_text("manifest.json"))
    return data
