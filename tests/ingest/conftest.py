from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Record = dict[str, Any]


@pytest.fixture
def record() -> Callable[..., Record]:
    """A valid import record; keyword arguments override fields."""

    def _make(i: int = 0, **over: Any) -> Record:
        rec: Record = {
            "site": "exempelsajten",
            "site_ad_id": f"A{i}",
            "seen_at": "2025-03-01T12:00:00Z",
            "title": "Ny i stan",
            "body": "Hej, ring mig",
            "location": "Linköping",
            "age": 25,
            "phones": ["070-174 06 10"],
            "price": "1500kr/30min",
        }
        rec.update(over)
        return rec

    return _make


@pytest.fixture
def write_jsonl(tmp_path: Path) -> Callable[..., Path]:
    """Write records as a JSONL file and return its path."""

    def _write(records: list[Record], name: str = "ads.jsonl") -> Path:
        p = tmp_path / name
        p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        return p

    return _write
