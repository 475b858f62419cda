"""The demo: the whole chain on simulated data, ending with estimates beside the truth.

It runs as far as the pipeline exists. Today: create a workspace, import the bundled
fictional sample and count ads per municipality and month.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lagesbild.ingest import import_file
from lagesbild.settings import load_settings
from lagesbild.store import CountRow, ImportSummary
from lagesbild.workspace import init_workspace, open_workspace

__all__ = ["DemoResult", "run_demo", "sample_ads_path"]


@dataclass(frozen=True)
class DemoResult:
    home: Path
    imported: ImportSummary
    counts: list[CountRow]


def sample_ads_path() -> Path:
    """The bundled sample of fictional ad observations."""
    return Path(str(resources.files("lagesbild.demo").joinpath("sample_ads.jsonl")))


def run_demo(home: Path, *, db: str | None = None) -> DemoResult:
    """Run the demo in the data folder ``home`` (created if needed)."""
    settings = load_settings(home=str(home), db=db)
    init_workspace(settings)
    with open_workspace(settings) as ws:
        summary = import_file(ws.store, ws.pseudonymizer, sample_ads_path())
        counts = ws.store.observation_counts(period="month")
    return DemoResult(home=home, imported=summary, counts=counts)
