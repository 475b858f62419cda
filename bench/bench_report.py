"""Benchmark: all 21 county reports plus the national one for one year of the ``national`` preset.

Usage::

    python bench/bench_report.py [--home DIR] [--year 2024] [--workers 2]

Without ``--home`` it simulates the ``national`` preset (seed 7), imports, normalizes and links it and
its court judgments into a temporary workspace first (not timed), so every section is filled.
Prints the time of the batch (HTML + PDF + JSON for 22 reports).
Target: under 3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.report.build import ReportOptions, read_campaigns
from lagesbild.report.run import run_batch
from lagesbild.settings import load_settings
from lagesbild.simulate import load_config, simulate
from lagesbild.verdicts.importer import import_judgments
from lagesbild.workspace import init_workspace, open_workspace


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--home", type=Path, help="an existing workspace with the national preset imported")
    ap.add_argument("--world", type=Path, help="the simulated world (for campaigns.csv)")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    home, world = args.home, args.world
    if home is None:
        world = tmp / "world"
        t0 = time.perf_counter()
        simulate(load_config("national"), seed=7, out_dir=world)
        settings = load_settings(home=str(tmp / "data"))
        init_workspace(settings)
        with open_workspace(settings) as ws:
            import_file(ws.store, ws.pseudonymizer, world / "observations.jsonl.gz", parallel=None)
            process_new(ws.store)  # normalize and link, as `lagesbild import` does
            import_judgments(ws.store, world / "truth" / "verdicts.jsonl")
        print(f"setup (simulate, import, normalize, link, judgments; not timed): {time.perf_counter() - t0:.1f} s")
        home = tmp / "data"
    campaigns = tuple(read_campaigns(world / "truth" / "campaigns.csv")) if world else ()
    out = args.out or tmp / "reports"
    with open_workspace(load_settings(home=str(home))) as ws:
        t0 = time.perf_counter()
        results = run_batch(
            ws.store, date(args.year, 1, 1), date(args.year, 12, 31), out,
            options=ReportOptions(), campaigns=campaigns, workers=args.workers, save=False,
        )  # fmt: skip
        dt = time.perf_counter() - t0
    print(f"batch: {len(results)} reports (HTML+PDF+JSON) for {args.year} in {dt:.1f} s "
          f"with {args.workers} workers -> {out}")  # fmt: skip


if __name__ == "__main__":
    main()
