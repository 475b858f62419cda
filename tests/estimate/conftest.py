"""Shared fixtures of the estimator tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ANCHORS = Path(__file__).resolve().parents[1] / "data" / "anchors"


@pytest.fixture(scope="session")
def anchors_dir() -> Path:
    """Folder with the copied reference data sets and expected values."""
    return ANCHORS
