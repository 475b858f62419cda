"""A simulated county imported into a workspace, shared by the report tests (module scope: it takes seconds)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lagesbild.ingest import import_file
from lagesbild.report.build import read_campaigns
from lagesbild.report.context import CampaignPeriod
from lagesbild.settings import load_settings
from lagesbild.simulate import load_config, simulate
from lagesbild.store import Store
from lagesbild.workspace import init_workspace, open_workspace


@dataclass
class World:
    """The simulated world, its workspace store and the ad texts/identifiers that must never be published."""

    root: Path
    home: Path
    store: Store
    campaigns: tuple[CampaignPeriod, ...]
    ad_texts: list[str]
    raw_phones: list[str]


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("report-world")
    simulate(load_config("ostergotland"), seed=7, out_dir=root / "world")
    settings = load_settings(home=str(root / "data"), db=f"sqlite:///{root / 'data' / 'lagesbild.db'}")
    init_workspace(settings)
    ws = open_workspace(settings)
    import_file(ws.store, ws.pseudonymizer, root / "world" / "observations.jsonl.gz", parallel=None)
    texts: set[str] = set()
    phones: set[str] = set()
    with gzip.open(root / "world" / "observations.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            texts.update(t for t in (rec.get("title"), rec.get("body")) if t)
            phones.update(rec.get("phones") or [])
    campaigns = tuple(read_campaigns(root / "world" / "truth" / "campaigns.csv"))
    yield World(root, root / "data", ws.store, campaigns, sorted(texts), sorted(phones))
    ws.close()
